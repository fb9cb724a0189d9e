"""handoff.case_shape: the case is shaped in one place — the body the dialogue builds
each turn, the stored body the API reads, and the partial case the answers price —
so every reader sees the same fields (the contract's case.schema.json)."""
from __future__ import annotations

import copy

from dialogs.actions import answers
from dialogs.actions.understand import ActionUnderstand
from handoff.case_shape import EMPTY_CASE, PRIVATE_FACTS, case_body, full_case
from tests.dialogs.actions.turns import message, run, slots


def test_the_case_body_takes_the_case_fields_of_the_facts_only() -> None:
    facts = {"diagnosis.cancer_type": "breast", "location.country": "KE", "location.strength": 2,
             "history.no_treatment_yet": True, "intake.location_unknown": True, "nosection": 1, "unknown.field": "x"}
    body = case_body(facts, "sw", None, [])
    assert body["diagnosis"]["cancer_type"] == "breast" and body["location"] == {"country": "KE", "city": None}
    assert "strength" not in body["location"] and "no_treatment_yet" not in body["history"]
    assert "nosection" not in body and "unknown" not in body
    assert (body["language"], body["consent"], body["safety"]) == ("sw", "pending", {"emergency": False, "red_flags": [], "review": False})
    assert set(body) == set(EMPTY_CASE)


def test_red_flags_and_consent_shape_the_safety_and_consent_fields() -> None:
    flags = ["bleeding"]
    body = case_body({}, "en", "given", flags)
    assert body["consent"] == "given" and body["safety"] == {"emergency": True, "red_flags": ["bleeding"], "review": False}
    flags.append("self_harm")
    assert body["safety"]["red_flags"] == ["bleeding"]  # a copy, not the slot's list


def test_a_doubt_is_a_review_only_while_no_red_flag_is_known() -> None:
    assert case_body({}, "en", None, [], review=True)["safety"] == {"emergency": False, "red_flags": [], "review": True}
    assert case_body({}, "en", None, ["bleeding"], review=True)["safety"]["review"] is False


def test_bodies_never_share_the_empty_case() -> None:
    before = copy.deepcopy(EMPTY_CASE)
    case_body({"diagnosis.biomarkers": ["HER2"]}, "en", None, [])["history"]["treatments"].append({"type": "surgery"})
    full_case(None)["diagnosis"]["biomarkers"].append("EGFR")
    assert EMPTY_CASE == before


def test_a_stored_or_partial_body_gets_every_field() -> None:
    assert full_case(None) == EMPTY_CASE and full_case({}) == EMPTY_CASE
    body = full_case({"language": "fr", "diagnosis": {"cancer_type": "lung"}, "recommendation": {"primary": "proton_therapy"}})
    assert body["language"] == "fr" and body["recommendation"] == {"primary": "proton_therapy"}
    assert body["diagnosis"] == {**EMPTY_CASE["diagnosis"], "cancer_type": "lung"}
    assert body["history"] == EMPTY_CASE["history"] and set(body) == set(EMPTY_CASE)


def test_the_private_facts_are_no_case_fields() -> None:
    for dotted in PRIVATE_FACTS:
        section, field = dotted.split(".", 1)
        assert field not in EMPTY_CASE.get(section, {}), dotted


def test_the_gateway_and_the_dialogue_share_the_one_shape() -> None:
    turn = run(ActionUnderstand(), slots(), message("My mother has breast cancer"))
    case = turn.update.case
    assert set(case) == set(EMPTY_CASE)
    assert {section: set(case[section]) for section in ("patient", "diagnosis", "history", "location", "request", "safety")} == {
        section: set(EMPTY_CASE[section]) for section in ("patient", "diagnosis", "history", "location", "request", "safety")}


def test_the_answers_read_a_partial_case_with_the_same_defaults() -> None:
    assert answers.pointed_pathway({"diagnosis": {"cancer_type": "breast"}}) == answers.pointed_pathway(
        full_case({"diagnosis": {"cancer_type": "breast"}}))
    assert answers.pointed_pathway({}) is None
    assert answers.pointed_pathway({"request": {"service": "proton_therapy"}}) == "proton_therapy"
    assert answers.pointed_pathway({"safety": {"emergency": True}, "request": {"service": "proton_therapy"}}) is None
