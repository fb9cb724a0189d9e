"""The intake form's slots, pure: their values from the facts, the service menu, what
the form still needs, which questions it can do without (DESIGN 2.3, 6.1)."""
from __future__ import annotations

from typing import Any, Mapping

from dialogs.understanding.facts.request import menu_number, menu_number_in

FORM_SLOTS = ("consent", "cancer_type", "treatment_history", "location", "requested_service")
TREATED_STATUSES = ("on_treatment", "remission", "relapsed", "refractory", "progressing")
# The numbered menu in ask_requested_service (same order in every language).
SERVICE_MENU = {
    1: "remote_second_opinion",
    2: "in_person_second_opinion",
    3: "surgical_resectability_review",
    4: "car_t_eligibility",
    5: "proton_therapy",
    6: "clinical_trial_matching",
    7: "records_translation",
    8: "unsure",
}
# DESIGN 2.3: each question is asked at most this many times (the second time
# rephrased, with an example); then the intake goes on without it, or hands over.
MAX_ASKS = 2
# Questions the rules (DESIGN 6.1) can do without: the value they stand for when
# unanswered. No rule needs the location; the cancer type only when no service was asked for.
CAN_GO_ON = {
    "requested_service": {"request.service": "unsure"},
    "treatment_history": {"history.unknown": True},
    "location": {"intake.location_unknown": True},
}
UNKNOWN_LOCATION = "unknown"
UNKNOWN_HISTORY = "unknown"


def menu_choice(text: str, language: str | None = None, in_sentences: bool = False) -> str | None:
    """A numbered answer to the service menu: digits of any script, numerals, words
    (`in_sentences`: also as one sentence of a longer answer)."""
    number = menu_number_in(text, language) if in_sentences else menu_number(text, language)
    return SERVICE_MENU.get(number) if number is not None else None


def slot_values(facts: Mapping[str, Any]) -> dict[str, Any]:
    """Form slot values derived from the facts (None: still unknown)."""
    treatments = facts.get("history.treatments") or []
    status = facts.get("history.disease_status")
    if treatments:
        history = ", ".join(sorted({t.get("type", "other") for t in treatments}))
    elif facts.get("history.no_treatment_yet"):
        history = "none"
    elif status in TREATED_STATUSES:
        history = status
    elif facts.get("history.answer"):
        history = facts["history.answer"]
    elif facts.get("history.unknown"):
        history = UNKNOWN_HISTORY  # asked twice without an answer: the case field stays null
    else:
        history = None
    country = facts.get("location.country")
    return {
        "cancer_type": facts.get("diagnosis.cancer_type") or ("unknown" if facts.get("intake.cancer_type_unknown") else None),
        "treatment_history": history,
        "location": country or facts.get("location.answer") or (UNKNOWN_LOCATION if facts.get("intake.location_unknown") else None),
        "requested_service": facts.get("request.service"),
    }


def required_slots(slots: Mapping[str, Any]) -> list[str]:
    """What the intake form still needs; [] ends the form (handoff, stop, refusal)."""
    if slots.get("stop_requested") or slots.get("handoff_requested") or slots.get("erase_requested"):
        return []
    if slots.get("failed"):
        return []  # a question the intake cannot do without went unanswered: a coordinator takes over
    if slots.get("consent") == "refused":
        return []
    if slots.get("emergency"):
        # After a red flag a coordinator takes over personally: only the basics.
        wanted = ["cancer_type", "location"]
    else:
        wanted = ["cancer_type", "treatment_history", "location", "requested_service"]
    if slots.get("channel") != "email":
        # WhatsApp: the intake continues only after consent (DESIGN 2.1).
        wanted.insert(0, "consent")
    return wanted


def missing(slots: Mapping[str, Any]) -> list[str]:
    """The form's questions still without an answer, in the order they are asked."""
    return [name for name in required_slots(slots) if slots.get(name) in (None, "")]


def unanswered(slots: Mapping[str, Any], asked: Mapping[str, int], channel: str | None, requested: str | None) -> list[str]:
    """Missing questions already asked MAX_ASKS times that this message still did not answer.
    On WhatsApp only the pending question counts; an e-mail answers all asked questions at once."""
    out = []
    for slot in missing(slots):
        if asked.get(slot, 0) < MAX_ASKS:
            continue
        if channel == "email" or slot == requested:
            out.append(slot)
    return out


def give_up(slots: list[str], facts: Mapping[str, Any] | None = None) -> tuple[dict[str, Any], list[str]]:
    """(facts that let the intake go on, questions it cannot go on without). The cancer
    type can stay unknown when the family asked for a service (rule 2 decides)."""
    facts = facts or {}
    going_on: dict[str, Any] = {}
    failed = []
    for slot in slots:
        if slot in CAN_GO_ON:
            going_on.update(CAN_GO_ON[slot])
        elif slot == "cancer_type" and facts.get("request.service") not in (None, "unsure"):
            going_on["intake.cancer_type_unknown"] = True
        else:
            failed.append(slot)
    return going_on, failed


def pending_recommendation(slots: Mapping[str, Any]) -> dict[str, Any]:
    """No pathway yet: the intake stopped before the facts were complete (e.g. a handoff);
    the reasons name the questions still open (DESIGN 2.4)."""
    still_open = {**slots, "handoff_requested": None, "stop_requested": None, "erase_requested": None, "consent": None,
                  "failed": None}
    todo = [slot for slot in missing(still_open) if slot != "consent"]
    return {"primary": None, "secondary": [], "reasons": ["pending: intake incomplete (" + ", ".join(todo) + ")"]}
