"""The case's facts in plain English, each with the message it came from.

A coordinator reads the case in English whatever the patient's language: the codes of
the case document get their labels from labels.yml and the contract vocabulary (cancer
types, pathways, red flags), the recommendation's reasons from estimates/messages/en.yml.
The patient's own words (diagnosis.text, request.text) are kept as written.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, Mapping

import yaml

from estimates import messages as msg
from estimates import vocabulary
from estimates.rules import rule_id
from handoff import queue

LABELS_FILE = Path(__file__).with_name("labels.yml")
EN = "en"
# The facts of each section, in the order the page lists them.
FACTS = {
    "diagnosis": ("cancer_type", "stage", "histology", "biomarkers", "diagnosed_year", "text"),
    "history": ("disease_status", "treatments", "lines_of_therapy", "told_inoperable", "options_exhausted",
                "reirradiation"),
    "patient": ("relation", "age", "sex"),
    "location": ("country", "city"),
    "request": ("service", "text"),
    "safety": ("emergency", "red_flags", "review"),
}
QUOTES = {"diagnosis.text", "request.text"}  # the patient's own words, in their language


@lru_cache(maxsize=1)
def labels() -> dict[str, Any]:
    with open(LABELS_FILE, encoding="utf-8") as fh:
        return yaml.safe_load(fh)


def label(group: str, code: Any) -> str:
    """The English label of a code ("disease_statuses", "relapsed"); an unknown code as written."""
    if group == "cancer_types":
        entry = vocabulary.cancer_types().get(code) if isinstance(code, str) else None
        return entry["label"] if entry else str(code)
    if group in ("pathways", "red_flags"):
        return str(vocabulary.vocabulary()[group].get(code, code))
    if group == "languages":
        return queue.LANGUAGES.get(code, str(code))
    return str(labels().get(group, {}).get(str(code).lower() if isinstance(code, bool) else code, code))


@dataclass(frozen=True)
class Fact:
    field: str  # "diagnosis.stage"
    label: str
    value: str | None  # None: not known yet
    source: int | None = None  # the inbound message it came from
    source_at: str | None = None  # when that message came
    quote: bool = False  # the patient's own words (shown as text, dir=auto)
    alert: bool = False


@dataclass(frozen=True)
class FactGroup:
    key: str
    title: str
    facts: tuple[Fact, ...]


@dataclass(frozen=True)
class Reason:
    code: str
    text: str
    detail: str  # the facts the rule matched ("history.disease_status=relapsed")


@dataclass(frozen=True)
class Recommendation:
    pathway: str | None
    pathway_label: str
    secondary: tuple[str, ...]
    reasons: tuple[Reason, ...]


def fact_group(section: str, body: Mapping[str, Any], sources: Mapping[str, int], times: Mapping[int, str]) -> FactGroup:
    facts = []
    for name in FACTS[section]:
        path = f"{section}.{name}"
        raw = body.get(name)
        value = _value(path, raw)
        source = sources.get(path) if value is not None else None
        alert = section == "safety" and bool(raw)
        facts.append(Fact(path, labels()["fields"][path], value, source, times.get(source) if source else None,
                          quote=path in QUOTES, alert=alert))
    return FactGroup(section, labels()["sections"][section], tuple(facts))


def _value(path: str, value: Any) -> str | None:
    """A fact in plain English; None when not known."""
    if path == "safety.emergency":
        return label("yes_no", bool(value))
    if path == "safety.red_flags":
        return "; ".join(label("red_flags", f) for f in value) if value else labels()["none_given"]
    if value is None or value == "" or value == []:
        return None
    if isinstance(value, bool):
        return label("yes_no", value)
    if path == "diagnosis.cancer_type":
        return label("cancer_types", value)
    if path == "diagnosis.stage":
        return label("stages", value)
    if path == "diagnosis.biomarkers":
        return ", ".join(str(b) for b in value)
    if path == "history.disease_status":
        return label("disease_statuses", value)
    if path == "history.treatments":
        return "; ".join(_treatment(t) for t in value)
    if path == "patient.relation":
        return label("patient_relations", value)
    if path == "patient.sex":
        return label("sexes", value)
    if path == "location.country":
        name = msg.country_name(value, EN)
        return f"{name} ({value})" if name else str(value)
    if path == "request.service":
        return label("pathways", value) if value != "unsure" else label("services", value)
    return str(value)


def _treatment(item: Any) -> str:
    if not isinstance(item, Mapping):
        return str(item)
    extra = ", ".join(str(part) for part in (item.get("detail"), item.get("year")) if part)
    name = label("treatment_types", item.get("type"))
    return f"{name} ({extra})" if extra else name


def recommendation(rec: Mapping[str, Any] | None) -> Recommendation | None:
    if not rec:
        return None
    english = msg.messages(EN)
    reasons = []
    for raw in rec.get("reasons") or []:
        code = rule_id(raw)
        detail = raw.split(":", 1)[1].strip() if ":" in raw else ""
        text = english.get(f"reason.{code}") or labels()["recommendation_reasons"].get(code, code)
        reasons.append(Reason(code, text, detail))
    primary = rec.get("primary")
    return Recommendation(
        pathway=primary,
        pathway_label=label("pathways", primary) if primary else labels()["no_pathway"],
        secondary=tuple(label("pathways", code) for code in rec.get("secondary") or []),
        reasons=tuple(reasons),
    )
