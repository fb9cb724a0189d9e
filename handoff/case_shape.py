"""The case's shape (bot/contract/case.schema.json), written down once.

The dialogue builds each turn's case body here (`case_body`); the gateway, the API
and the dialogue's answers read a stored or partial body with every field filled in
(`full_case`). Pure: no database, no dialogue; the dialogue imports this module,
never the reverse.
"""
from __future__ import annotations

import copy
from typing import Any, Mapping

EMPTY_CASE: dict[str, Any] = {
    "language": "en",
    "consent": "pending",
    "patient": {"relation": None, "age": None, "sex": None},
    "diagnosis": {"cancer_type": None, "text": None, "stage": None, "histology": None, "biomarkers": [], "diagnosed_year": None},
    "history": {
        "treatments": [],
        "lines_of_therapy": None,
        "disease_status": None,
        "told_inoperable": None,
        "options_exhausted": None,
        "reirradiation": None,
    },
    "location": {"country": None, "city": None},
    "request": {"service": None, "text": None},
    "safety": {"emergency": False, "red_flags": [], "review": False},
    "recommendation": None,
    "estimate": None,
    # The family's own questions (DESIGN 2.3): those no answer covered stay open for a coordinator.
    "questions": [],
}
# Facts the dialogue keeps for itself (how sure, how answered): no case fields.
PRIVATE_FACTS = (
    "intake.cancer_type_unknown", "intake.location_unknown", "location.strength", "location.answer",
    "history.no_treatment_yet", "history.answer", "history.unknown",
)


def case_body(facts: Mapping[str, Any], language: str, consent: str | None, red_flags: list[str],
              review: bool = False) -> dict[str, Any]:
    """The case fields the dialogue owns, from its dotted facts ("diagnosis.stage": ...);
    `review`: a message no red flag placed, but a person should look at (DESIGN 2.2)."""
    body = copy.deepcopy(EMPTY_CASE)
    for dotted, value in facts.items():
        if dotted in PRIVATE_FACTS or "." not in dotted:
            continue
        section, field = dotted.split(".", 1)
        if isinstance(body.get(section), dict):
            body[section][field] = value
    body["language"] = language
    body["consent"] = consent or "pending"
    body["safety"] = {"emergency": bool(red_flags), "red_flags": list(red_flags), "review": bool(review and not red_flags)}
    return body


def full_case(body: Mapping[str, Any] | None) -> dict[str, Any]:
    """A stored or partial body over EMPTY_CASE: every field there, so readers need no defaults."""
    return _merged(copy.deepcopy(EMPTY_CASE), body or {})


def _merged(base: Mapping[str, Any], extra: Mapping[str, Any]) -> dict[str, Any]:
    out = dict(base)
    for key, value in extra.items():
        if isinstance(value, Mapping) and isinstance(out.get(key), Mapping):
            out[key] = _merged(out[key], value)
        else:
            out[key] = value
    return out
