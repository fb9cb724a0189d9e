"""Estimates: items, totals, centres, local currency, contract schema and overrides."""
from __future__ import annotations

import jsonschema
import pytest

from estimates import carry_overrides, estimate, estimate_for_case, load_catalog, override_item, recommend
from estimates.pricing import round_approx
from tests.estimates.casebuild import make_case


def _estimate(facts):
    case = make_case(facts)
    return case, estimate(case, recommend(case))


def _item(est, code):
    return next(i for i in est["items"] if i["code"] == code)


def test_no_estimate_without_a_pathway():
    case = make_case({"safety.red_flags": ["self_harm"], "diagnosis.cancer_type": "breast"})
    assert estimate(case, recommend(case)) is None
    assert estimate(case, None) is None
    assert estimate_for_case(case) == {"recommendation": recommend(case), "estimate": None}


def test_remote_second_opinion_uses_the_published_us_fee():
    _, est = _estimate({"diagnosis.cancer_type": "breast", "location.country": "KE"})
    assert est["pathway"] == "remote_second_opinion"
    review = _item(est, "specialist_review")
    assert (review["low"], review["high"], review["centre"]) == (2400, 2500, "us_cancer_centre")
    assert _item(est, "facilitation_fee")["set_by"] == "organisation"
    assert est["total_low"] == sum(i["low"] for i in est["items"])
    assert est["total_high"] == sum(i["high"] for i in est["items"])
    assert est["timeline_days"] == {"low": 5, "high": 14, "business_days": True, "rare_tumour": False}
    assert est["currency"] == "USD"
    assert est["catalog_version"] == load_catalog()["version"]
    assert est["indicative"] is True
    assert "indicative" in est["note"] and "no fees are added later" in est["note"]
    assert est["overrides"] == [] and est["secondary"] == []


def test_rare_tumour_review_takes_up_to_21_business_days():
    _, est = _estimate({"diagnosis.cancer_type": "chondrosarcoma", "patient.age": 40, "request.service": "remote_second_opinion"})
    assert est["timeline_days"]["high"] == 21 and est["timeline_days"]["rare_tumour"] is True


def test_car_t_for_lymphoma_headline_is_the_most_affordable_fitting_option():
    _, est = _estimate({"diagnosis.cancer_type": "large_b_cell_lymphoma", "history.disease_status": "relapsed",
                        "location.country": "GH"})
    assert est["pathway"] == "car_t_eligibility"
    assert est["centre"] == "in_cancer_centre"
    product = _item(est, "car_t_product")
    assert product["source_price"] == {"currency": "INR", "low": 3000000, "high": 4500000}
    # INR 30-45 lakh is about US$34k-51k at the catalog's rate
    assert 30000 < product["low"] < product["high"] < 60000
    centres = {c["centre"]: c for c in est["centres"]}
    assert set(centres) == {"in_cancer_centre", "cn_cancer_centre", "us_cancer_centre"}
    assert centres["in_cancer_centre"]["selected"] and not centres["us_cancer_centre"]["selected"]
    assert centres["us_cancer_centre"]["fee_low"] == 373000 and centres["us_cancer_centre"]["fee_high"] == 475000
    assert all(c["total_low"] >= centres["in_cancer_centre"]["total_low"] for c in centres.values())
    for code in ("travel", "visa", "accommodation", "local_transport"):
        assert _item(est, code)["set_by"] == "third_party"


def test_car_t_for_myeloma_excludes_the_cd19_only_option():
    _, est = _estimate({"diagnosis.cancer_type": "multiple_myeloma", "history.disease_status": "relapsed",
                        "location.country": "IN", "language": "hi"})
    assert {c["centre"] for c in est["centres"]} == {"cn_cancer_centre", "us_cancer_centre"}
    assert est["centre"] == "cn_cancer_centre"
    assert _item(est, "car_t_product")["source_price"]["currency"] == "CNY"


def test_domestic_patient_pays_no_visa_and_less_travel():
    _, abroad = _estimate({"diagnosis.cancer_type": "glioma", "location.country": "KE"})
    _, home = _estimate({"diagnosis.cancer_type": "glioma", "location.country": "IN", "request.service": "proton_therapy"})
    india_abroad = next(c for c in abroad["centres"] if c["centre"] == "in_cancer_centre")
    india_home = next(c for c in home["centres"] if c["centre"] == "in_cancer_centre")
    assert india_home["total_high"] < india_abroad["total_high"]
    if home["centre"] == "in_cancer_centre":
        assert all(i["code"] != "visa" for i in home["items"])


def test_interpreter_only_when_the_language_is_not_spoken_at_the_centre():
    _, english = _estimate({"diagnosis.cancer_type": "glioma", "location.country": "KE", "language": "en"})
    _, swahili = _estimate({"diagnosis.cancer_type": "glioma", "location.country": "TZ", "language": "sw"})
    assert english["centre"] == swahili["centre"] == "de_university_centre"
    assert all(i["code"] != "interpreter" for i in english["items"])
    assert _item(swahili, "interpreter")["quantity"]["high"] >= 1


def test_translation_secondary_has_its_own_items_and_per_word_quantity():
    _, est = _estimate({"diagnosis.cancer_type": "ovarian", "history.disease_status": "progressing",
                        "language": "bn", "location.country": "BD"})
    assert est["pathway"] == "clinical_trial_matching"
    [sec] = est["secondary"]
    assert sec["pathway"] == "records_translation"
    words = next(i for i in sec["items"] if i["code"] == "translation")
    assert words["unit"] == "per_word"
    assert words["low"] == round(0.12 * words["quantity"]["low"])
    assert words["high"] == round(0.40 * words["quantity"]["high"])
    assert sec["total_low"] == sum(i["low"] for i in sec["items"])
    assert sec["timeline_days"]["low"] == 3 and sec["timeline_days"]["high"] == 7
    # the headline totals are the primary pathway's only
    assert est["total_low"] == sum(i["low"] for i in est["items"])


def test_local_currency_total_for_the_patients_country():
    _, est = _estimate({"diagnosis.cancer_type": "breast", "location.country": "KE"})
    rate = load_catalog()["rates"]["KES"]
    assert est["local"]["currency"] == "KES"
    assert est["local"]["rate_date"] == load_catalog()["rates_date"]
    assert est["local"]["total_low"] == round_approx(est["total_low"] * rate)
    assert est["local"]["total_low"] <= est["local"]["total_high"]


@pytest.mark.parametrize("country", ["US", "EC", None, "ZZ", "x"])
def test_no_local_block_for_usd_countries_or_unknown_country(country):
    _, est = _estimate({"diagnosis.cancer_type": "breast", "location.country": country})
    assert est["local"] is None


def test_estimate_validates_against_the_contract(estimate_schema):
    for facts in ({"diagnosis.cancer_type": "breast", "location.country": "KE"},
                  {"diagnosis.cancer_type": "multiple_myeloma", "history.disease_status": "relapsed", "language": "hi",
                   "location.country": "IN"},
                  {"request.service": "records_translation", "language": "ar"}):
        _, est = _estimate(facts)
        jsonschema.Draft202012Validator(estimate_schema).validate(est)
        for sec in est["secondary"]:
            jsonschema.Draft202012Validator(estimate_schema).validate({**sec, "catalog_version": est["catalog_version"]})


def test_override_replaces_an_item_and_records_who_why_and_when(estimate_schema):
    _, est = _estimate({"diagnosis.cancer_type": "glioma", "location.country": "NG"})
    visa = _item(est, "visa")
    new = override_item(est, "visa", 160, 160, "Nigerian passport: Schengen fee confirmed", "amina", at="2026-11-27T10:00:00+00:00")
    assert new is not est and _item(est, "visa") == visa  # the original is untouched
    assert (_item(new, "visa")["low"], _item(new, "visa")["high"], _item(new, "visa")["overridden"]) == (160, 160, True)
    assert new["total_low"] == sum(i["low"] for i in new["items"]) == est["total_low"] - visa["low"] + 160
    assert new["total_high"] == sum(i["high"] for i in new["items"])
    assert new["overrides"] == [{"pathway": "proton_therapy", "code": "visa", "old": {"low": visa["low"], "high": visa["high"]},
                                 "new": {"low": 160, "high": 160}, "reason": "Nigerian passport: Schengen fee confirmed",
                                 "by": "amina", "at": "2026-11-27T10:00:00+00:00"}]
    assert new["local"]["total_low"] == round_approx(new["total_low"] * new["local"]["rate"])
    again = override_item(new, "facilitation_fee", 0, 0, "waived", "lee", at="2026-11-27T10:00:00+00:00")
    assert [o["code"] for o in again["overrides"]] == ["visa", "facilitation_fee"]
    assert again["overrides"][1]["at"]
    jsonschema.Draft202012Validator(estimate_schema).validate(again)


def test_override_reaches_secondary_items():
    _, est = _estimate({"diagnosis.cancer_type": "breast", "language": "fr"})
    new = override_item(est, "translation", 300, 400, "2 pages only", "lee", at="2026-11-27T10:00:00+00:00", pathway="records_translation")
    sec = new["secondary"][0]
    assert sec["total_low"] == sum(i["low"] for i in sec["items"])
    assert new["total_low"] == est["total_low"]
    assert new["overrides"][0]["pathway"] == "records_translation"


def test_a_fresh_estimate_keeps_the_coordinators_ranges_for_items_it_still_has():
    _, est = _estimate({"diagnosis.cancer_type": "glioma", "location.country": "NG"})
    adjusted = override_item(est, "visa", 160, 160, "fee confirmed", "amina", at="2026-11-27T10:00:00+00:00")
    _, fresh = _estimate({"diagnosis.cancer_type": "glioma", "location.country": "NG", "patient.age": 40})
    carried = carry_overrides(adjusted, fresh)
    assert _item(fresh, "visa")["low"] != 160
    assert _item(carried, "visa")["low"] == _item(carried, "visa")["high"] == 160
    assert carried["overrides"] == adjusted["overrides"]
    assert carried["total_low"] == sum(i["low"] for i in carried["items"])
    assert carry_overrides(adjusted, carried) == carried  # applied once, however often the turn repeats
    assert carry_overrides(adjusted, None) is None and carry_overrides(None, fresh) is fresh


def test_an_override_of_an_item_the_fresh_estimate_lacks_is_left_out():
    _, est = _estimate({"diagnosis.cancer_type": "glioma", "location.country": "NG"})
    adjusted = override_item(est, "visa", 160, 160, "fee confirmed", "amina", at="2026-11-27T10:00:00+00:00")
    _, other = _estimate({"diagnosis.cancer_type": "breast", "location.country": "KE"})
    assert all(i["code"] != "visa" for c in [other, *other["secondary"]] for i in c["items"])
    carried = carry_overrides(adjusted, other)
    assert carried["overrides"] == [] and carried["items"] == other["items"]


@pytest.mark.parametrize(("args", "error"), [
    (("nope", 1, 2, "r", "me"), KeyError),
    (("visa", -1, 2, "r", "me"), ValueError),
    (("visa", 3, 2, "r", "me"), ValueError),
    (("visa", 1, 2, " ", "me"), ValueError),
    (("visa", 1, 2, "r", ""), ValueError),
    (("visa", True, 2, "r", "me"), ValueError),
])
def test_override_refuses_bad_input(args, error):
    _, est = _estimate({"diagnosis.cancer_type": "glioma", "location.country": "NG"})
    with pytest.raises(error):
        override_item(est, *args, at="2026-11-27T10:00:00+00:00")


def test_a_requested_pathway_that_no_centre_fits_still_gets_an_estimate():
    _, est = _estimate({"diagnosis.cancer_type": "breast", "request.service": "car_t_eligibility"})
    assert est["centres"] and not any(c["fits"] for c in est["centres"])
    assert est["total_low"] == sum(i["low"] for i in est["items"])


def test_trial_matching_lists_search_regions_without_prices():
    _, est = _estimate({"diagnosis.cancer_type": "pancreatic", "history.disease_status": "progressing"})
    assert est["pathway"] == "clinical_trial_matching"
    assert {c["country"] for c in est["centres"]} == {"US", "DE", "IN", "CN"}
    assert not any(c["selected"] for c in est["centres"])
