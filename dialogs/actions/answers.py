"""Answers to the families' own questions (DESIGN 2.3): what it costs and what the
price includes, how long it takes, who we are and are not, which hospitals and
countries, how records are kept safe and how to send them, whether travel is needed,
when a person writes, and what a named service is. Every part of a question is
answered; what no answer covers is said honestly to go to a coordinator.

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
from estimates import messages as est_msg
from handoff.case_shape import full_case

# Topics a named service changes the answer of: its price, time, content.
SERVICE_TOPICS = ("cost", "price_includes", "duration", "service")
PATHWAYS = (
    "remote_second_opinion",
    "in_person_second_opinion",
    "surgical_resectability_review",
    "car_t_eligibility",
    "proton_therapy",
    "clinical_trial_matching",
    "records_translation",
)


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


def _service_answer(code: str, case: Mapping[str, Any], language: str) -> str:
    """What a named service is, its indicative price and time, and what the price includes."""
    body = full_case(case)
    estimate = _estimate_for(body, code)
    about = t(f"about_{code}", language)
    if not estimate:
        return t("answer_service_plain", language, service=pathway_name(code, language), about=about)
    items = ", ".join(est_msg.t(item["label_key"], language) for item in estimate["items"] if item.get("high"))
    return t("answer_service", language, service=pathway_name(code, language), about=about,
             price=_price(estimate, language), timeline=_timeline(estimate, language), items=items)


def _includes(case: Mapping[str, Any], language: str, code: str | None) -> str:
    body = full_case(case)
    code = code or pointed_pathway(body) or "remote_second_opinion"
    estimate = _estimate_for(body, code)
    items = ", ".join(est_msg.t(item["label_key"], language) for item in (estimate or {}).get("items", [])
                      if item.get("high"))
    return t("answer_price_includes", language, service=pathway_name(code, language), items=items)


def answer(kind: str, case: Mapping[str, Any] | None, language: str, org: Mapping[str, str],
           service: str | None = None) -> str:
    """The text answering one kind of question, in the patient's language; `service`: the
    service the question named, whose figures answer it."""
    if service and kind in ("cost", "duration", "service"):
        return _service_answer(service, case or {}, language)
    if kind == "price_includes":
        return _includes(case or {}, language, service)
    if kind == "cost":
        return _per_pathway(case, language, "answer_cost") + "\n\n" + t("answer_cost_note", language, **org)
    if kind == "duration":
        return _per_pathway(case, language, "answer_duration")
    if kind == "hospitals":
        return t("answer_hospitals", language, countries=_countries(language), **org)
    if kind == "service":
        return t("answer_services", language, services=", ".join(pathway_name(p, language) for p in PATHWAYS))
    if kind == "other":
        return t("answer_other", language, **org)
    return t(f"answer_{kind}", language, **org)


def answer_all(questions: list[Mapping[str, Any]], case: Mapping[str, Any] | None, language: str,
               org: Mapping[str, str]) -> list[str]:
    """One answer per topic asked (a topic asked twice, or twice through one service, is
    answered once); a named service's price, time and content come as one answer."""
    lines: list[str] = []
    done: set[tuple[str, str | None]] = set()
    for question in questions:
        service = question.get("service")
        for kind in question.get("topics") or ["other"]:
            key = ("service", service) if service and kind in ("cost", "duration", "service") else (kind, service)
            if key in done:
                continue
            done.add(key)
            lines.append(answer(kind, case, language, org, service))
    return lines
