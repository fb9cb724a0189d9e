"""Pure helpers the custom actions share: facts -> case body, what is still missing."""
from __future__ import annotations

import copy
import unicodedata
from typing import Any, Mapping

from handoff.cases import EMPTY_CASE

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
# Facts the extractor reports that are not case fields.
PRIVATE_FACTS = ("location.strength", "history.no_treatment_yet", "history.answer", "location.answer")
# After this many unanswered asks the patient's own words are accepted, so nobody loops forever.
MAX_ASKS = 2


def menu_choice(text: str) -> str | None:
    """A bare number answering the service menu, in any script's digits."""
    stripped = text.strip().rstrip(".)")
    if not stripped or len(stripped) > 2:
        return None
    try:
        number = int("".join(str(unicodedata.digit(ch)) for ch in stripped))
    except (TypeError, ValueError):
        return None
    return SERVICE_MENU.get(number)


def case_body(facts: Mapping[str, Any], language: str, consent: str | None, red_flags: list[str]) -> dict[str, Any]:
    """The case fields the dialogue owns, shaped as in case.schema.json."""
    body = copy.deepcopy(EMPTY_CASE)
    for dotted, value in facts.items():
        if dotted in PRIVATE_FACTS or "." not in dotted:
            continue
        section, field = dotted.split(".", 1)
        if isinstance(body.get(section), dict):
            body[section][field] = value
    body["language"] = language
    body["consent"] = consent or "pending"
    body["safety"] = {"emergency": bool(red_flags), "red_flags": list(red_flags)}
    return body


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
    else:
        history = facts.get("history.answer")
    country = facts.get("location.country")
    return {
        "cancer_type": facts.get("diagnosis.cancer_type"),
        "treatment_history": history,
        "location": country or facts.get("location.answer"),
        "requested_service": facts.get("request.service"),
    }


def required_slots(slots: Mapping[str, Any]) -> list[str]:
    """What the intake form still needs; [] ends the form (handoff, stop, refusal)."""
    if slots.get("stop_requested") or slots.get("handoff_requested") or slots.get("erase_requested"):
        return []
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
    return [name for name in required_slots(slots) if slots.get(name) in (None, "")]


def accept_unanswered(requested: str, text: str) -> dict[str, Any]:
    """The patient's own words for a question asked MAX_ASKS times without an answer we understood."""
    words = text.strip()[:300]
    if requested == "cancer_type":
        return {"diagnosis.cancer_type": "other", "diagnosis.text": words}
    if requested == "treatment_history":
        return {"history.answer": words}
    if requested == "location":
        return {"location.answer": words, "location.city": words[:100]}
    if requested == "requested_service":
        return {"request.service": "unsure", "request.text": words}
    return {}
