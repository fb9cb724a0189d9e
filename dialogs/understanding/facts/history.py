"""Treatment history facts: treatments received, "none yet", lines of therapy,
disease status, inoperable, options exhausted, re-irradiation."""
from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

from dialogs.understanding.facts.negation import Negation
from dialogs.understanding.facts.numbers import nearest_year, templates, to_int
from dialogs.understanding.text import Hit, Terms, Text, cue_terms, load_lexicon, longest

# Strongest first (DESIGN 3: the most telling status of one message wins).
STATUS_RANK = ["refractory", "progressing", "relapsed", "on_treatment", "remission", "newly_diagnosed"]
PLANNED_BEFORE_WINDOW = 45
PLANNED_AFTER_WINDOW = 25


@lru_cache(maxsize=1)
def _treatment_terms() -> Terms:
    data = load_lexicon("facts/treatments.yml")
    terms = Terms()
    for kind, block in data["generic"].items():
        terms.add_block(block, ((kind,), None))
    terms.add_block(data["not_treatments"], ((), None))
    for detail, spec in data["named"].items():
        kinds = spec["type"] if isinstance(spec["type"], list) else [spec["type"]]
        names = spec["names"]
        terms.add_block(names if isinstance(names, dict) else {"any": names}, (tuple(kinds), str(detail)))
    return terms


@lru_cache(maxsize=1)
def _planned() -> tuple[Terms, Terms]:
    data = load_lexicon("facts/negation.yml")["planned"]
    before, after = Terms(), Terms()
    before.add_block(data["before"], True)
    after.add_block(data["after"], True)
    return before, after


@lru_cache(maxsize=None)
def _cue_terms(*path: str) -> Terms:
    data: Any = load_lexicon("facts/status.yml")
    for key in path:
        data = data[key]
    terms = Terms()
    if all(isinstance(v, dict) for v in data.values()):
        for value, block in data.items():
            terms.add_block(block, value)
    else:
        terms.add_block(data, True)
    return terms


def _found(t: Text, language: str | None, negated: Negation, *path: str) -> list[Hit]:
    return [h for h in longest(_cue_terms(*path).find(t, language)) if not negated(h.start, h.end)]


def _conditional(t: Text, hit: Hit, language: str | None, question: bool = True) -> bool:
    """Asked or supposed, not stated: "whether it can be removed", "kya operation ho sakta hai?"."""
    s, e = t.sentence(hit.start)
    if question and ("?" in t.low[s:e] or "؟" in t.low[s:e]):
        return True
    conditionals = cue_terms("facts/negation.yml", "conditional").find(t, language)
    return any(s <= c.start and c.end <= hit.start for c in conditionals)


def _is_planned(t: Text, hit: Hit, language: str | None, planned: tuple[list[Hit], list[Hit]]) -> bool:
    s, e = t.sentence(hit.start)
    before, after = planned
    if any(s <= p.start and hit.start - PLANNED_BEFORE_WINDOW <= p.start and p.end <= hit.start for p in before):
        return True
    return any(hit.end <= p.start <= hit.end + PLANNED_AFTER_WINDOW and p.end <= e for p in after)


def treatments(t: Text, language: str | None, negated: Negation, blocked: list[Hit]) -> list[dict[str, Any]]:
    """Treatments received (not negated, not only planned, not part of an
    "inoperable" or "no treatment yet" statement)."""
    planned = (_planned()[0].find(t, language), _planned()[1].find(t, language))
    out: list[dict[str, Any]] = []
    for hit in longest(_treatment_terms().find(t, language)):
        if any(b.start <= hit.start < b.end or hit.start <= b.start < hit.end for b in blocked):
            continue
        if negated(hit.start, hit.end) or _is_planned(t, hit, language, planned) or _conditional(t, hit, language, question=False):
            continue
        kinds, detail = hit.value
        year = nearest_year(t, hit.start)
        for kind in kinds:
            out.append({"type": kind, "detail": detail, "year": year})
    return dedupe_treatments(out)


def dedupe_treatments(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """One entry per (type, detail); a bare "chemo" goes when a named chemo is known."""
    seen: dict[tuple[str, str | None], dict[str, Any]] = {}
    for item in items:
        key = (item["type"], item.get("detail"))
        if key in seen:
            if seen[key].get("year") is None and item.get("year") is not None:
                seen[key] = dict(item)
            continue
        seen[key] = dict(item)
    named = {kind for kind, detail in seen if detail}
    return [v for (kind, detail), v in seen.items() if detail or kind not in named]


def history(t: Text, language: str | None = None) -> dict[str, Any]:
    """The history facts of one message (only those found)."""
    negated = Negation(t, language)
    facts: dict[str, Any] = {}

    inoperable = _found(t, language, negated, "told_inoperable", "inoperable")
    operable = [
        h for h in longest(_cue_terms("told_inoperable").find(t, language))
        if h.value == "operable" and not negated(h.start, h.end) and not _conditional(t, h, language)
    ]
    if inoperable:
        facts["history.told_inoperable"] = True
    elif operable:
        facts["history.told_inoperable"] = False

    none_yet = longest(_cue_terms("no_treatment_yet").find(t, language))
    first_none = [h for h in none_yet if h.value == "first"]
    exhausted = _found(t, language, negated, "options_exhausted")
    if exhausted:
        facts["history.options_exhausted"] = True

    given = treatments(t, language, negated, inoperable + none_yet + exhausted)
    if given:
        facts["history.treatments"] = given
    if first_none:
        facts["history.no_treatment_yet"] = True
    elif given:
        facts["history.no_treatment_yet"] = False

    # Lines the writer numbers ("2nd line", "after three lines") beat lines counted from a sequence.
    lines = lines_of_therapy(t) or lines_from_sequence(t, language, negated, inoperable + none_yet + exhausted) or None
    if lines:
        facts["history.lines_of_therapy"] = lines

    status, explicit = disease_status(t, language, negated, bool(first_none), none_yet)
    if status is None and not first_none and given and _ongoing(t, language, negated):
        status = "on_treatment"  # "now getting chemo FOLFOX", "gefitinib খাচ্ছেন"
    if status:
        facts["history.disease_status"] = status
        if explicit:
            facts["_status_explicit"] = True

    if reirradiation(t, language, negated, given):
        facts["history.reirradiation"] = True
    return facts


def _ongoing(t: Text, language: str | None, negated: Negation) -> bool:
    """A treatment named in a sentence that says it is going on now."""
    cues = [h for h in _cue_terms("ongoing").find(t, language) if not negated(h.start, h.end)]
    treated = [h for h in longest(_treatment_terms().find(t, language)) if h.value[0]]
    return any(t.same_sentence(c.start, h.start) for c in cues for h in treated)


def disease_status(t: Text, language: str | None, negated: Negation, none_yet: bool, skip: list[Hit]) -> tuple[str | None, bool]:
    """(status, explicit): the strongest status cue of the message."""
    def cues(kind: str) -> set[str]:
        return {
            hit.value
            for hit in longest(_cue_terms(kind).find(t, language))
            if not any(s.start <= hit.start < s.end for s in skip) and not negated(hit.start, hit.end)
        }

    found = cues("disease_status") or cues("weak_disease_status")
    if none_yet:
        found.discard("on_treatment")  # "so far no treatment" is not "on treatment"
        found.add("newly_diagnosed")
    explicit = {h.value for h in _cue_terms("explicit_status").find(t, language)}
    for status in STATUS_RANK:
        if status in found:
            return status, status in explicit
    if explicit:
        status = next(iter(explicit))
        return status, True
    return None, False


def reirradiation(t: Text, language: str | None, negated: Negation, given: list[dict[str, Any]]) -> bool:
    if _found(t, language, negated, "reirradiation"):
        return True
    same_place = _found(t, language, negated, "same_place")
    if not same_place:
        return False
    radiation = any(item["type"] == "radiotherapy" for item in given) or any(
        ("radiotherapy",) == h.value[0] for h in _treatment_terms().find(t, language)
    )
    came_back = any(h.value == "relapsed" for h in _cue_terms("disease_status").find(t, language))
    return radiation and came_back


SYSTEMIC = {"chemotherapy", "targeted_therapy", "immunotherapy", "car_t"}
MAINTENANCE_WINDOW = 40


def lines_from_sequence(t: Text, language: str | None, negated: Negation, blocked: list[Hit]) -> int:
    """Lines of therapy told as a sequence of regimens ("first R-CHOP, then R-ICE, now
    pembrolizumab"): a regimen is the named systemic drugs between two sequence,
    progression or relapse words, or sentence ends; it counts when it brings a drug
    not given before (maintenance with a drug of the same line does not)."""
    planned = (_planned()[0].find(t, language), _planned()[1].find(t, language))
    drugs = []
    for hit in longest(_treatment_terms().find(t, language)):
        kinds, detail = hit.value
        if not detail or not SYSTEMIC & set(kinds):
            continue
        if any(b.start <= hit.start < b.end for b in blocked) or negated(hit.start, hit.end):
            continue
        if _is_planned(t, hit, language, planned) or _conditional(t, hit, language, question=False):
            continue
        drugs.append(hit)
    if len(drugs) < 2:
        return 0
    breaks = {h.start for h in _cue_terms("line_sequence").find(t, language)}
    breaks |= {h.start for h in _cue_terms("disease_status").find(t, language) if h.value in ("progressing", "relapsed", "refractory")}
    breaks |= {s for s, _ in t.sentences()}
    regimens: list[set[str]] = []
    starts: list[int] = []
    last_break = None
    for hit in drugs:
        segment = max((b for b in breaks if b <= hit.start), default=-1)
        if regimens and segment == last_break:
            regimens[-1].add(hit.value[1])
        else:
            regimens.append({hit.value[1]})
            starts.append(hit.start)
            last_break = segment
    maintenance = _cue_terms("maintenance").find(t, language)
    seen: set[str] = set()
    lines = 0
    for regimen, start in zip(regimens, starts):
        kept_on = any(t.same_sentence(m.start, start) and abs(m.start - start) < MAINTENANCE_WINDOW for m in maintenance)
        if regimen - seen and not (kept_on and lines):
            lines += 1  # maintenance after a regimen is part of its line
        seen |= regimen
    cued = any(a.start < drugs[-1].start for a in _cue_terms("line_sequence").find(t, language))
    # A new line follows a failure: "AC, then paclitaxel" is one planned regimen, "FOLFOX,
    # then FOLFIRI when it progressed" two lines. The message must tell the disease went on.
    failed = any(h.value in ("progressing", "relapsed", "refractory") and not negated(h.start, h.end)
                 for h in _cue_terms("disease_status").find(t, language))
    failed = failed or bool(_found(t, language, negated, "options_exhausted"))
    return lines if lines >= 2 and cued and failed else 0


@lru_cache(maxsize=1)
def _line_patterns() -> list[re.Pattern[str]]:
    return templates(load_lexicon("facts/status.yml")["lines"])


def lines_of_therapy(t: Text) -> int | None:
    numbers = []
    for pattern in _line_patterns():
        for m in pattern.finditer(t.low):
            token = m.groupdict().get("ORD") or m.groupdict().get("CARD")
            value = to_int(token) if token else None
            if value and 0 < value <= 10:
                numbers.append(value)
    return max(numbers) if numbers else None
