"""Patient facts: who the patient is to the writer, sex, and age.

The writer is often not the patient, so an age counts only when it belongs to
the patient: "I am 40, my mother is 70" gives 70 for a mother's case. A
relation word counts when its sentence is about the illness (a cancer word,
an age, "for/about my ..."), so "my husband drove me" after "I was diagnosed"
leaves the patient the writer.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from dialogs.understanding.facts.numbers import template, templates, to_int
from dialogs.understanding.text import Hit, Terms, Text, cue_terms, load_lexicon, longest, normalize_pattern

MAX_AGE = 120


@dataclass(frozen=True)
class Relation:
    relation: str
    sex: str | None
    start: int
    end: int


@lru_cache(maxsize=1)
def _relation_terms() -> Terms:
    terms = Terms()
    for relation, by_sex in load_lexicon("facts/patient.yml")["relations"].items():
        for sex, block in by_sex.items():
            value = None if relation == "none" else (relation, None if sex == "any" else sex)
            terms.add_block(block, value)
    return terms


def _simple_terms(key: str) -> Terms:
    """One cue block of patient.yml ("self", "for_cues", "others_possessive")."""
    return cue_terms("facts/patient.yml", key)


@lru_cache(maxsize=1)
def _age_patterns() -> dict[str, list[re.Pattern[str]]]:
    data = load_lexicon("facts/patient.yml")["age"]
    after = [template(src, "", bare=True) for src in data["after_relation"]["any"]]
    corrected = [template(src, "", bare=True) for src in data["corrected"]["any"]]
    return {"patient": templates(data["patient"]), "self": templates(data["self"]), "after_relation": after,
            "months": templates(data["months"]), "corrected": corrected}


@lru_cache(maxsize=1)
def _not_after() -> re.Pattern[str]:
    """A negator right after an age number ("उमेर ४१ होइन ४३"): that number is wrong."""
    words = sorted((normalize_pattern(str(w).lower()) for w in load_lexicon("facts/patient.yml")["age"]["not_after"]), key=len, reverse=True)
    return re.compile(r"\s*,?\s*(?:" + "|".join(re.escape(w) for w in words) + r")(?![\w\u0900-\u0dff])")


def relations(t: Text, language: str | None = None) -> list[Relation]:
    return [Relation(h.value[0], h.value[1], h.start, h.end) for h in longest(_relation_terms().find(t, language)) if h.value]


def self_cues(t: Text, language: str | None = None) -> list[Hit]:
    return longest(_simple_terms("self").find(t, language))


def patient_relation(
    t: Text, language: str | None, anchors: list[int], rels: list[Relation], selfs: list[Hit]
) -> Relation | None:
    """The first relation word in a sentence about the illness; the writer ("self")
    when such a sentence speaks in the first person and names nobody else."""
    for_cues = _simple_terms("for_cues").find(t, language)
    anchored_sentences = {t.sentence(p) for p in anchors} | {t.sentence(h.start) for h in for_cues}
    candidates: list[tuple[int, Relation]] = []
    others = _simple_terms("others_possessive").find(t, language)
    for rel in rels:
        if t.sentence(rel.start) in anchored_sentences and not _someone_elses(t, rel, rels, others):
            candidates.append((rel.start, rel))
    for hit in selfs:
        sentence = t.sentence(hit.start)
        if any(t.sentence(r.start) == sentence for r in rels):
            continue
        candidates.append((hit.start, Relation("self", None, hit.start, hit.end)))
    if candidates:
        return min(candidates, key=lambda c: c[0])[1]
    return rels[0] if rels else None


def _someone_elses(t: Text, rel: Relation, rels: list[Relation], others: list[Hit]) -> bool:
    """`rel` follows "her"/"his" and its sentence names another relation that does not."""
    def owned_by_other(r: Relation) -> bool:
        return any((h.end <= r.start and not t.low[h.end:r.start].strip()) or (h.start == r.start and h.end < r.end)
                   for h in others)  # "her father", or "son père" as one lexicon entry

    if not owned_by_other(rel):
        return False
    sentence = t.sentence(rel.start)
    return any(r is not rel and t.sentence(r.start) == sentence and not owned_by_other(r) for r in rels)


def ages(t: Text, rels: list[Relation]) -> tuple[list[tuple[int, int]], list[tuple[int, int]]]:
    """([(position, age)] of anyone, [(position, age)] the writer's own)."""
    patterns = _age_patterns()
    own = _matches(t, patterns["self"])
    own_spans = [(s, e) for s, e, _ in own]
    anyone = [(s, v) for s, e, v in _matches(t, patterns["patient"]) if not any(a <= s < b or s <= a < e for a, b in own_spans)]
    anyone += [(s, v) for s, _, v in _matches(t, patterns["corrected"])]
    anyone += [(s, v // 12) for s, _, v in _matches(t, patterns["months"])]
    for rel in rels:
        for pos in _after_relation_starts(t, rel.end):
            value = next((v for p in patterns["after_relation"]
                          if (m := p.match(t.low, pos)) and (v := _age_value(m)) is not None and not _negated_number(t, m)), None)
            if value is not None:
                anyone.append((rel.start, value))
                break
    return sorted(set(anyone)), [(s, v) for s, _, v in own]


_NAME = re.compile(r" ?([A-Z][a-z'\-]+)")
MAX_NAME_WORDS = 2


def _after_relation_starts(t: Text, end: int) -> list[int]:
    """Where an age may follow a relation word: right after it, or after the patient's
    name ("my husband Kwame is 63", "my mother Mary Achieng, 70")."""
    pos = end + len(t.low[end:]) - len(t.low[end:].lstrip(" "))
    starts = [pos]
    cursor = end
    for _ in range(MAX_NAME_WORDS):
        m = _NAME.match(t.cased, cursor)
        if not m:
            break
        cursor = m.end()
        starts.append(cursor + len(t.low[cursor:]) - len(t.low[cursor:].lstrip(" ")))
    return starts


def _matches(t: Text, patterns: list[re.Pattern[str]]) -> list[tuple[int, int, int]]:
    out = []
    for pattern in patterns:
        for m in pattern.finditer(t.low):
            value = _age_value(m)
            if value is not None and not _negated_number(t, m):
                out.append((m.start(), m.end(), value))
    return out


def _negated_number(t: Text, m: re.Match[str]) -> bool:
    return "N" in m.re.groupindex and m.group("N") is not None and bool(_not_after().match(t.low, m.end("N")))


def _age_value(m: re.Match[str]) -> int | None:
    token = m.groupdict().get("N")
    value = to_int(token) if token else None
    return value if value is not None and 0 <= value <= MAX_AGE else None


def patient_age(relation: Relation | None, anyone: list[tuple[int, int]], own: list[tuple[int, int]]) -> int | None:
    if relation is not None and relation.relation != "self":
        return anyone[0][1] if anyone else None
    if relation is None and anyone:
        return anyone[0][1]  # "I am 35 and he is 70": the writer talks about someone else
    if own:
        return own[0][1]
    return anyone[0][1] if anyone else None
