"""The intake form's slots (dialogs/actions/form_slots.py): which unanswered questions the
intake can do without (DESIGN 2.3, 6.1) and which hand the case to a coordinator."""
from __future__ import annotations

from dialogs.actions import form_slots
from handoff.case_shape import case_body


def _slots(**values):  # type: ignore[no-untyped-def]
    base = {"consent": "given", "cancer_type": None, "treatment_history": None, "location": None, "requested_service": None}
    return {**base, **values}


def test_questions_asked_twice_are_given_up_on_only_when_pending_on_whatsapp() -> None:
    slots = _slots(cancer_type="breast")
    asked = {"treatment_history": 2, "location": 1}
    assert form_slots.unanswered(slots, asked, "whatsapp", "treatment_history") == ["treatment_history"]
    assert form_slots.unanswered(slots, asked, "whatsapp", "location") == []
    assert form_slots.unanswered(slots, {"treatment_history": 2, "location": 2}, "email", None) == ["treatment_history", "location"]


def test_the_rules_go_on_without_history_location_or_service() -> None:
    going_on, failed = form_slots.give_up(["treatment_history", "location", "requested_service"])
    assert failed == []
    facts = dict(going_on)
    values = form_slots.slot_values(facts)
    assert values["treatment_history"] == form_slots.UNKNOWN_HISTORY and values["location"] == form_slots.UNKNOWN_LOCATION
    assert values["requested_service"] == "unsure"
    body = case_body(facts, "en", "given", [])
    assert body["location"] == {"country": None, "city": None} and body["history"]["treatments"] == []


def test_an_unknown_cancer_type_hands_over_unless_a_service_was_asked_for() -> None:
    assert form_slots.give_up(["cancer_type"]) == ({}, ["cancer_type"])
    going_on, failed = form_slots.give_up(["cancer_type"], {"request.service": "clinical_trial_matching"})
    assert failed == [] and form_slots.slot_values(going_on)["cancer_type"] == "unknown"
    assert form_slots.give_up(["consent"]) == ({}, ["consent"])
    assert form_slots.required_slots({"failed": ["cancer_type"]}) == []
