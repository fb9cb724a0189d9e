"""Answers to the families' own questions (DESIGN 2.3, issue 7 scope 4): what it
costs, how long it takes, who we are and are not, which hospitals and countries,
how records are kept safe, whether travel is needed.

Pure: the words come from the message catalogs (dialogs/messages, and
estimates/messages for pathway names, amounts and timelines), the figures from
the estimate catalog through estimates' public functions. The price and the
timeline are those of the pathway the facts so far point to, or of every
pathway when nothing points to one yet.
"""
from __future__ import annotations

from typing import Any, Mapping

import estimates
from dialogs.messages import t
from dialogs.understanding.facts.request import asks_something
from estimates import messages as est_msg
from handoff.case_shape import full_case

# Rasa intents of the families' questions -> the kind of answer.
QUESTION_INTENTS = {
    "ask_cost": "cost",
    "ask_duration": "duration",
    "ask_organisation": "organisation",
    "ask_hospitals": "hospitals",
    "ask_privacy": "privacy",
    "ask_travel": "travel",
}
# The classifier must be this sure before a message is answered as a question
# rather than read as an answer to the pending one.
QUESTION_CONFIDENCE = 0.5
PATHWAYS = (
    "remote_second_opinion",
    "in_person_second_opinion",
    "surgical_resectability_review",
    "car_t_eligibility",
    "proton_therapy",
    "clinical_trial_matching",
    "records_translation",
)


def question_intent(message: Mapping[str, Any] | None, language: str | None = None) -> str | None:
    """The kind of question a message (Rasa's parse: text and intent) asks, or None:
    the classifier must be sure enough, and the message must be a question at all."""
    message = message or {}
    intent = message.get("intent") or {}
    kind = QUESTION_INTENTS.get(str(intent.get("name")))
    if not kind or float(intent.get("confidence") or 0) < QUESTION_CONFIDENCE:
        return None
    return kind if asks_something(str(message.get("text") or ""), language) else None


def pathway_name(code: str | None, language: str) -> str:
    key = f"pathway.{code}"
    return est_msg.t(key, language) if code and key in est_msg.messages(language) else str(code or "")


def _timeline(estimate: Mapping[str, Any], language: str) -> str:
    span = estimate["timeline_days"]
    days = est_msg.t("fmt.days", language, low=est_msg.number(span["low"], language), high=est_msg.number(span["high"], language))
    key = "text.timeline_business" if span.get("business_days") else "text.timeline_days"
    return est_msg.t(key, language, days=days)


def _price(estimate: Mapping[str, Any], language: str) -> str:
    return est_msg.money_range(estimate["total_low"], estimate["total_high"], estimate["currency"], language)


def pointed_pathway(case: Mapping[str, Any] | None) -> str | None:
    """The pathway the facts so far point to; None when nothing does yet (DESIGN 6.1
    falls back to rule 7 for any case, so that alone does not count)."""
    body = full_case(case)
    if body["safety"].get("emergency"):
        return None
    service = body["request"].get("service")
    known = body["diagnosis"].get("cancer_type") or (service and service != "unsure")
    if not known:
        return None
    return (estimates.recommend(body) or {}).get("primary")


def _estimate_for(case: dict[str, Any], code: str) -> dict[str, Any] | None:
    return estimates.estimate(case, {"primary": code, "secondary": [], "reasons": []})


def _per_pathway(case: Mapping[str, Any] | None, language: str, line_key: str) -> str:
    body = full_case(case)
    code = pointed_pathway(body)
    if code:
        estimate = _estimate_for(body, code)
        if estimate:
            return t(f"{line_key}_pathway", language, service=pathway_name(code, language),
                     price=_price(estimate, language), timeline=_timeline(estimate, language))
    lines = []
    for each in PATHWAYS:
        estimate = _estimate_for(body, each)
        if estimate:
            lines.append(t(f"{line_key}_line", language, service=pathway_name(each, language),
                           price=_price(estimate, language), timeline=_timeline(estimate, language)))
    return t(f"{line_key}_all", language) + "\n" + "\n".join(lines)


def _countries(language: str) -> str:
    centres = estimates.load_catalog()["centres"].values()
    names = dict.fromkeys(est_msg.country_name(c["country"], language) or c["country"] for c in centres)
    return ", ".join(names)


def answer(kind: str, case: Mapping[str, Any] | None, language: str, org: Mapping[str, str]) -> str:
    """The text answering one kind of question, in the patient's language."""
    if kind == "cost":
        return _per_pathway(case, language, "answer_cost") + "\n\n" + t("answer_cost_note", language, **org)
    if kind == "duration":
        return _per_pathway(case, language, "answer_duration")
    if kind == "hospitals":
        return t("answer_hospitals", language, countries=_countries(language), **org)
    return t(f"answer_{kind}", language, **org)
