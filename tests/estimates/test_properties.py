"""Property tests over generated cases: arithmetic, ranges, catalog coverage, WhatsApp length."""
from __future__ import annotations

import jsonschema
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from estimates import estimate, load_catalog, override_item, recommend, records_missing, render_estimate
from estimates.render import WHATSAPP_LIMIT, body_length
from estimates.vocabulary import (cancer_types, disease_statuses, languages, pathway_codes, record_kinds,
                                  red_flags)
from tests.estimates.casebuild import make_case

COUNTRIES = ["KE", "NG", "GH", "IN", "BD", "PK", "CN", "TW", "US", "DE", "TR", "MA", "IQ", "LB", "NP", "LK", "PH",
             "TZ", "ZW", "EC", "AE", "KZ", "RU", "FR", "BR", "ZZ", "kE", "", None, 7]


def maybe(strategy):
    return st.one_of(st.none(), strategy)


facts = st.fixed_dictionaries({}, optional={
    "language": maybe(st.sampled_from(languages() + ["xx", ""])),
    "diagnosis.cancer_type": maybe(st.sampled_from(list(cancer_types()) + ["not_a_code"])),
    "history.disease_status": maybe(st.sampled_from(disease_statuses() + ["weird"])),
    "patient.age": maybe(st.one_of(st.integers(0, 120), st.booleans(), st.text(max_size=3))),
    "history.lines_of_therapy": maybe(st.one_of(st.integers(0, 8), st.text(max_size=2))),
    "history.told_inoperable": maybe(st.booleans()),
    "history.options_exhausted": maybe(st.booleans()),
    "history.reirradiation": maybe(st.booleans()),
    "request.service": maybe(st.sampled_from(pathway_codes() + ["unsure", "something"])),
    "location.country": st.sampled_from(COUNTRIES),
    "safety.red_flags": st.one_of(st.just([]), st.lists(st.sampled_from(red_flags()), max_size=2)),
    "records.received": st.lists(st.fixed_dictionaries({"kind": st.sampled_from(record_kinds()),
                                                        "content_type": st.just("application/pdf")}), max_size=4),
})

SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _check_block(block):
    for item in block["items"]:
        assert 0 <= item["low"] <= item["high"], item
    assert block["total_low"] == sum(i["low"] for i in block["items"])
    assert block["total_high"] == sum(i["high"] for i in block["items"])
    assert block["total_low"] <= block["total_high"]
    timeline = block["timeline_days"]
    assert isinstance(timeline["low"], int) and isinstance(timeline["high"], int)
    assert 0 < timeline["low"] <= timeline["high"]


@SETTINGS
@given(case_facts=facts)
def test_recommendation_and_estimate_invariants(estimate_schema, case_facts):
    case = make_case(case_facts)
    rec = recommend(case)
    assert rec["primary"] is None or rec["primary"] in pathway_codes()
    assert rec["primary"] not in rec["secondary"]
    assert set(rec["secondary"]) <= set(pathway_codes())
    assert rec["reasons"]
    if case_facts.get("safety.red_flags"):
        assert rec["primary"] is None
    est = estimate(case, rec)
    if rec["primary"] is None:
        assert est is None
        return
    assert est["pathway"] == rec["primary"]
    _check_block(est)
    for sec in est["secondary"]:
        _check_block(sec)
    assert [s["pathway"] for s in est["secondary"]] == rec["secondary"]
    jsonschema.Draft202012Validator(estimate_schema).validate(est)
    if est["local"]:
        assert 0 <= est["local"]["total_low"] <= est["local"]["total_high"]
    assert set(records_missing(case, rec)) <= set(record_kinds())


@SETTINGS
@given(facts, st.integers(0, 10**6), st.integers(0, 10**6), st.data())
def test_overrides_keep_totals_equal_to_the_items(case_facts, a, b, data):
    case = make_case(case_facts)
    rec = recommend(case)
    est = estimate(case, rec)
    if est is None:
        return
    code = data.draw(st.sampled_from([i["code"] for i in est["items"]]))
    low, high = sorted((a, b))
    new = override_item(est, code, low, high, "test", "hypothesis", at="2026-11-27T10:00:00+00:00")
    _check_block(new)
    assert len(new["overrides"]) == 1 and est["overrides"] == []


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(facts)
def test_whatsapp_estimate_never_exceeds_1600_characters_in_any_language(case_facts):
    case = make_case(case_facts)
    rec = recommend(case)
    est = estimate(case, rec)
    for language in languages():
        text = render_estimate(case, rec, est, "whatsapp", language)
        assert text.strip()
        assert body_length(text) <= WHATSAPP_LIMIT, (language, body_length(text))


def test_whatsapp_worst_cases_in_every_language():
    """The longest layouts (every pathway requested, every record missing, local currency, translation)."""
    longest = {}
    for pathway in pathway_codes():
        for cancer_type in ("multiple_myeloma", "large_b_cell_lymphoma", "ovarian", "other", None):
            for language in languages():
                case = make_case({"request.service": pathway, "diagnosis.cancer_type": cancer_type,
                                  "language": language, "location.country": "NG"})
                rec = recommend(case)
                text = render_estimate(case, rec, estimate(case, rec), "whatsapp", language)
                longest[language] = max(longest.get(language, 0), body_length(text))
    assert set(longest) == set(languages())
    assert max(longest.values()) <= WHATSAPP_LIMIT


def test_every_pathway_has_a_catalog_entry_and_timeline():
    catalog = load_catalog()
    for code in pathway_codes():
        case = make_case({"request.service": code, "diagnosis.cancer_type": "breast"})
        est = estimate(case, recommend(case))
        assert est["pathway"] == code
        assert est["items"] and 0 < est["timeline_days"]["low"] <= est["timeline_days"]["high"]
        assert catalog["pathways"][code]["timeline"]["low"] == est["timeline_days"]["low"]
