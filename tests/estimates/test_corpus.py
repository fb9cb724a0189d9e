"""The dev corpus's expected recommendations, from its stated facts (DESIGN 5, 6.1).

Each conversation's `expect` map states the facts the intake should extract;
a case built from exactly those facts must get the expected primary and
secondary pathways. Conversations expecting no pathway without a red flag are
handoffs before intake completed: no requested service was stated, so no
recommendation is made there (asserted, not skipped).
"""
from __future__ import annotations

import json

import pytest

from estimates import estimate, recommend
from tests.estimates.casebuild import CORPUS, make_case

FACT_PATHS = [
    "diagnosis.cancer_type",
    "history.disease_status",
    "patient.age",
    "language",
    "request.service",
    "history.told_inoperable",
    "safety.red_flags",
    "history.lines_of_therapy",
    "history.options_exhausted",
    "history.reirradiation",
    "location.country",
]


def _conversations() -> list:
    if not CORPUS.exists():
        return [pytest.param(None, marks=pytest.mark.skip(reason=f"{CORPUS} not found"), id="no-corpus")]
    rows = []
    for line in CORPUS.read_text(encoding="utf-8").splitlines():
        if line.strip():
            conv = json.loads(line)
            rows.append(pytest.param(conv, id=conv["id"]))
    return rows


def _case(expect: dict) -> dict:
    facts = {path: expect[f"case.{path}"] for path in FACT_PATHS if f"case.{path}" in expect}
    return make_case(facts)


@pytest.mark.parametrize("conversation", _conversations())
def test_corpus_recommendation(conversation):
    expect = conversation["expect"]
    assert "case.recommendation.primary" in expect
    case = _case(expect)
    wanted = expect["case.recommendation.primary"]
    red_flags = expect.get("case.safety.red_flags") or []
    if wanted is None and not red_flags:
        # handoff before the required facts were known: no recommendation was due
        assert "case.request.service" not in expect
        assert expect.get("case.ticket.reason") == "patient_request"
        return
    rec = recommend(case)
    assert rec["primary"] == wanted, rec["reasons"]
    if "case.recommendation.secondary" in expect:
        assert rec["secondary"] == expect["case.recommendation.secondary"]
    if case.get("language") not in (None, "en") and wanted is not None:
        assert rec["secondary"] == ["records_translation"]
    result = estimate(case, rec)
    assert (result is None) == (wanted is None)


def test_corpus_is_covered():
    """Guard: the corpus exercises red flags, requests and several rules."""
    if not CORPUS.exists():
        pytest.skip("corpus missing")
    rules = set()
    for line in CORPUS.read_text(encoding="utf-8").splitlines():
        expect = json.loads(line)["expect"]
        if expect.get("case.recommendation.primary") is not None or expect.get("case.safety.red_flags"):
            rules.add(recommend(_case(expect))["reasons"][0].split(":")[0])
    assert {"R1_red_flag", "R2_requested", "R3_car_t", "R4_inoperable", "R5_proton", "R6_trial", "R7_default"} <= rules
