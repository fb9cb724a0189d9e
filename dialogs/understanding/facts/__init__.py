"""Intake facts from one patient message, and how facts add up across messages.

`extract_facts` is deterministic and data-driven: the words live in the YAML
files of lexicon/facts/ (one file per kind of fact, a list per language), the
code only finds them and applies the rules of DESIGN 3 (every field, from
every message, whatever was asked). Keys are dotted case paths; keys without a
dot ("_status_explicit", "_correction") are hints for `merge_facts` and are not
case fields.

The package holds one module per kind of fact (diagnosis, history, patient,
request), the number patterns they share (numbers) and negation; the words
and the matching come from the text engine (understanding/text/).
"""
from __future__ import annotations

from typing import Any

from dialogs.understanding.facts import diagnosis as dx
from dialogs.understanding.facts import history as hx
from dialogs.understanding.facts import patient as px
from dialogs.understanding.facts import request as rq
from dialogs.understanding.location import find_location
from dialogs.understanding.text import Text, cue_terms

STRONG_STATUSES = {"relapsed", "refractory", "progressing"}
# Facts about the patient's own illness: a later message that names someone
# else ("her sister also had breast cancer") must not overwrite them.
PATIENT_FACTS = ("diagnosis.cancer_type", "diagnosis.text", "diagnosis.stage", "diagnosis.histology", "patient.age", "patient.sex")


def extract_facts(text: str, language: str | None = None, answering_service: bool = False) -> dict[str, object]:
    """Every intake fact found in one message (only the keys found); `answering_service`:
    the message answers the service question, so a service it names is the wish."""
    if not text or not text.strip():
        return {}
    t = Text(text)
    facts: dict[str, Any] = {}

    findings = dx.cancer_findings(t, language)
    cancer = dx.best_cancer(t, language)
    if cancer:
        facts["diagnosis.cancer_type"] = cancer.code
        facts["diagnosis.text"] = t.orig(cancer.start, cancer.end)
    for key, value in (
        ("diagnosis.stage", dx.stage(t, language)),
        ("diagnosis.histology", dx.histology(t, language)),
        ("diagnosis.biomarkers", dx.biomarkers(t)),
        ("diagnosis.diagnosed_year", dx.diagnosed_year(t, language)),
    ):
        if value:
            facts[key] = value

    rels = px.relations(t, language)
    selfs = px.self_cues(t, language)
    anyone, own = px.ages(t, rels)
    anchors = [f.start for f in findings] + [p for p, _ in anyone + own]
    anchors += [h.start for h in dx.diagnosed_cues().find(t, language)]
    relation = px.patient_relation(t, language, anchors, rels, selfs)
    if relation is None and own and not anyone:
        relation = px.Relation("self", None, own[0][0], own[0][0])  # "I am 57 and live in Beirut"
    age = px.patient_age(relation, anyone, own)
    if relation:
        facts["patient.relation"] = relation.relation
        if relation.sex:
            facts["patient.sex"] = relation.sex
    if age is not None:
        facts["patient.age"] = age

    facts.update(hx.history(t, language))

    country, city, strength, writer = find_location(text, [(r.start, r.end) for r in rels], language)
    if country and writer:
        # "I live/work in Dubai" is where the writer is; the patient may be elsewhere.
        facts["_location_writer"] = True
        if relation is not None and relation.relation != "self":
            country = None  # "I work in Singapore, my father has liver cancer": ask where he lives
    if country:
        facts["location.country"] = country
        if city:
            facts["location.city"] = city
        facts["location.strength"] = strength

    facts.update(rq.request(t, language, answering=answering_service))
    if cue_terms("facts/negation.yml", "corrections").find(t, language):
        facts["_correction"] = True
    return facts


def merge_facts(old: dict, new: dict) -> dict:
    """Facts so far + one new message's facts. Later messages correct earlier ones,
    except where an earlier, stronger fact stands: a relapse is not undone by "no
    new treatment yet", a place where the patient lives by a place merely named,
    a named service by "not sure", a specific cancer type by a family name
    ("lymphoma" after "DLBCL"). Treatments add up, lines of therapy keep the
    maximum, and booleans change only when a message states the opposite
    (the extractor reports False only for such statements)."""
    out = {k: v for k, v in (old or {}).items()}
    new = dict(new or {})
    corrected = bool(new.get("_correction"))
    about_someone_else = (
        out.get("patient.relation") not in (None, "unknown")
        and new.get("patient.relation") not in (None, "unknown", out.get("patient.relation"))
        and not corrected
    )
    if about_someone_else:
        for key in PATIENT_FACTS + ("patient.relation",):
            new.pop(key, None)
    elif out.get("patient.relation") not in (None, "unknown") and not corrected:
        new.pop("patient.relation", None)  # who the patient is does not drift with later mentions
        if out.get("patient.sex"):
            new.pop("patient.sex", None)

    _merge_cancer(out, new, corrected)
    if new.get("_location_writer") and out.get("patient.relation") not in (None, "unknown", "self"):
        for key in [k for k in new if k.startswith("location.")]:
            new.pop(key)  # the writer's own place, in a case about someone else
    _merge_location(out, new, corrected)
    for key, value in new.items():
        if key.startswith("_") or value is None or key.startswith("location.") or key in ("diagnosis.cancer_type", "diagnosis.text"):
            continue
        previous = out.get(key)
        if key == "history.treatments":
            out[key] = hx.dedupe_treatments(list(previous or []) + list(value))
        elif key == "history.lines_of_therapy":
            out[key] = max(int(previous or 0), int(value))
        elif key == "history.disease_status":
            if previous in STRONG_STATUSES and value not in STRONG_STATUSES and not new.get("_status_explicit"):
                continue  # "no new treatment yet" after a relapse is still a relapse
            out[key] = value
        elif key == "diagnosis.biomarkers":
            out[key] = _merge_markers(previous or [], value)
        elif key in ("request.service", "request.text"):
            if new.get("request.service") == "unsure" and out.get("request.service") not in (None, "unsure"):
                continue  # a named service beats "not sure"
            out[key] = value
        else:
            out[key] = value
    return out


def _merge_cancer(out: dict, new: dict, corrected: bool) -> None:
    code = new.get("diagnosis.cancer_type")
    if not code:
        if new.get("diagnosis.text") and not out.get("diagnosis.text"):
            out["diagnosis.text"] = new["diagnosis.text"]
        return
    previous = out.get("diagnosis.cancer_type")
    if previous and previous != code:
        old_conf = _confidence(previous, out.get("diagnosis.text"))
        new_conf = _confidence(code, new.get("diagnosis.text"))
        if new_conf < old_conf or (new_conf == old_conf and not corrected and old_conf > 0):
            return  # "lymphoma" after "DLBCL"; another cancer named without a correction
    out["diagnosis.cancer_type"] = code
    if new.get("diagnosis.text"):
        out["diagnosis.text"] = new["diagnosis.text"]


def _confidence(code: str, text: str | None) -> int:
    if code == "other" and not text:
        return 0
    return dx.cancer_confidence(text) if text else 2


def _merge_location(out: dict, new: dict, corrected: bool = False) -> None:
    country = new.get("location.country")
    if not country:
        if new.get("location.city") and not out.get("location.city"):
            out["location.city"] = new["location.city"]
        for key in ("location.answer",):
            if key in new:
                out[key] = new[key]
        return
    strength = int(new.get("location.strength") or 1)
    old_strength = int(out.get("location.strength") or (1 if out.get("location.country") else 0))
    if strength < old_strength and not corrected:
        return  # a plain mention does not move the patient away from where they live
    strength = max(strength, old_strength)  # "sorry, I meant Lahore" corrects where they live
    same_country = out.get("location.country") == country
    out["location.country"] = country
    out["location.strength"] = strength
    if new.get("location.city"):
        out["location.city"] = new["location.city"]
    elif not same_country:
        out.pop("location.city", None)


def _merge_markers(old: list[str], new: list[str]) -> list[str]:
    merged = {dx.marker_key(m): m for m in old}
    for marker in new:
        merged[dx.marker_key(marker)] = marker
    return list(merged.values())
