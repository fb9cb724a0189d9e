"""Red flags in a patient's message (DESIGN 6.4), checked before anything else.

Recall matters more than precision: a coordinator reviews every flag, while a
missed one leaves a family alone in an emergency. Yet ordinary intake history
must not flag, or every relapse story would page the urgent queue. So each
symptom is looked for in all 16 languages at once (families mix languages),
and a match is dropped only when it is clearly negated ("no fever"), told as
history ("fever last year") or as a hypothesis ("if he gets a fever"), unless
the same clause says it is happening now.

The vocabulary lives in lexicon/red_flags.yml, written in the pattern language
of text/patterns.py; this module applies it.
"""

from __future__ import annotations

import bisect
import functools
import re
from dataclasses import dataclass
from typing import Any

from dialogs.understanding.text import (
    NEVER,
    SPACE,
    WORD_END,
    WORD_START,
    compile_patterns,
    expand_plain,
    is_cjk,
    load_lexicon,
    normalize,
    own_words,
)

# Sentence ends: . ! ? ; newline, Devanagari danda, CJK full stops, but not
# the point of a decimal number ("39.4").
_SENTENCE_END = re.compile(r"[!?;\n।॥。！？]+|\.(?!\d)|(?<!\d)\.")
# Clauses also end at commas, but not decimal commas ("39,2"); the words
# that join clauses ("but", "lekin", "但是") come from the lexicon.
_CLAUSE_PUNCT = r"[!?;\n।॥。！？:、()]+|\.(?!\d)|(?<!\d)\.|(?<!\d),|,(?!\d)"

_NUMBER = re.compile(r"(?<![\d.,])(\d{2,3})(?:[.,](\d{1,2}))?(?![\d])")


def _cue_regex(entries: dict[str, list[str]]) -> re.Pattern[str]:
    """Markers and negation cues: whole words (except Chinese)."""
    parts = []
    for lang, cues in (entries or {}).items():
        for cue in cues:
            p = expand_plain(cue)
            if lang == "zh":
                parts.append(f"(?:{p})")
            else:
                tail = WORD_END if re.search(r"[a-z\u0400-\u04ff\u0600-\u06ff]$", p) else ""
                parts.append(f"(?:{WORD_START}(?:{p}){tail})")
    return re.compile("|".join(parts) if parts else NEVER)


@dataclass(frozen=True)
class _Concept:
    name: str
    regex: re.Pattern[str]
    guarded: str  # "all" (others + negation + history), "negation" (others + negation), "others", or "none"


@dataclass(frozen=True)
class _Rules:
    concepts: dict[str, _Concept]
    flags: dict[str, list[list[str]]]
    subsumed: dict[str, dict[str, str]]
    neg_before_words: re.Pattern[str]
    neg_before_zh: re.Pattern[str]
    neg_after_words: re.Pattern[str]
    neg_after_zh: re.Pattern[str]
    persist: re.Pattern[str]
    past: re.Pattern[str]
    present: re.Pattern[str]
    hypothetical: re.Pattern[str]
    others: re.Pattern[str]
    resolved: re.Pattern[str]
    unit_after: re.Pattern[str]
    not_temperature: re.Pattern[str]
    alternatives: re.Pattern[str]
    alternative_before: re.Pattern[str]
    clause_end: re.Pattern[str]
    celsius: tuple[float, float]
    fahrenheit: tuple[float, float]


@functools.cache
def _rules() -> _Rules:
    lex: dict[str, Any] = load_lexicon("red_flags.yml")
    concepts = {
        name: _Concept(name, compile_patterns(spec["patterns"]), spec.get("guarded", "all"))
        for name, spec in lex["concepts"].items()
    }
    neg = lex["negation"]

    def split_zh(entries: dict[str, list[str]]) -> tuple[dict, dict]:
        return ({k: v for k, v in entries.items() if k != "zh"}, {"zh": entries.get("zh", [])})

    before_w, before_zh = split_zh(neg["before"])
    after_w, after_zh = split_zh(neg["after"])
    cue = _cue_alternatives
    breakers = "|".join(re.escape(normalize(w)) for w in neg.get("scope_breakers", [])) or NEVER
    temp = lex["temperature"]
    return _Rules(
        concepts=concepts,
        flags=lex["flags"],
        subsumed=lex.get("subsumed", {}),
        # A "before" cue, then at most two words, then the symptom.
        neg_before_words=re.compile(
            f"{WORD_START}(?:{cue(before_w)}){WORD_END}(?:[\\s\\-]+(?!(?:{breakers})(?:\\s|$))[^\\s]+){{0,2}}[\\s\\-]*$"),
        neg_before_zh=re.compile(f"(?:{cue(before_zh)})[^\\s,.!?]{{0,3}}$"),
        # The symptom, at most two words, then an "after" cue.
        neg_after_words=re.compile(
            f"^[^\\s]*(?:[\\s\\-]+[^\\s]+){{0,2}}?[\\s\\-]*{WORD_START}(?:{cue(after_w)}){WORD_END}"),
        neg_after_zh=re.compile(f"^[^\\s,.!?]{{0,4}}(?:{cue(after_zh)})"),
        persist=_cue_regex(neg.get("persist", {})),
        past=_cue_regex(lex["past_markers"]),
        present=_cue_regex(lex["present_markers"]),
        hypothetical=_cue_regex(lex["hypothetical_markers"]),
        others=_cue_regex(lex["other_person_markers"]),
        resolved=_cue_regex(lex["resolved_markers"]),
        unit_after=re.compile(r"\s*" + expand_plain(temp["unit_after"])),
        not_temperature=re.compile(r"\s*" + expand_plain(temp["not_after"])),
        # "38 or 38.5", "38 da 38.5 da", "38还是38.5": a number, a few spaces or signs, the word, a number.
        alternatives=re.compile(r"[\s°cf度,/]*(?:" + expand_plain(temp["alternatives"]) + r")[\s?]*\d"),
        alternative_before=re.compile(r"\d[\s°cf度,/]*(?:" + expand_plain(temp["alternatives"]) + r")[\s?]*$"),
        clause_end=re.compile(_CLAUSE_PUNCT + "".join(
            f"|(?:{WORD_START}{expand_plain(w)}{WORD_END})" if not is_cjk(w[0]) else f"|(?:{expand_plain(w)})"
            for words in lex["clause_breaks"].values() for w in words)),
        celsius=tuple(temp["celsius"]),
        fahrenheit=tuple(temp["fahrenheit"]),
    )


def _cue_alternatives(entries: dict[str, list[str]]) -> str:
    """One alternation of the cues of all languages (no boundaries)."""
    parts = [f"(?:{normalize(c).replace(' ', SPACE)})" for cues in entries.values() for c in cues]
    return "|".join(parts) or NEVER


class _Segments:
    """Sentence and clause spans of a normalised text, for context checks."""

    def __init__(self, text: str, clause_end: re.Pattern[str]) -> None:
        self.text = text
        self.sentences = self._spans(_SENTENCE_END)
        self.clauses = self._spans(clause_end)

    def _spans(self, ends: re.Pattern[str]) -> list[tuple[int, int]]:
        spans, start = [], 0
        for m in ends.finditer(self.text):
            spans.append((start, m.start()))
            start = m.end()
        spans.append((start, len(self.text)))
        return spans

    @staticmethod
    def _find(spans: list[tuple[int, int]], pos: int) -> tuple[int, int]:
        i = bisect.bisect_right([s for s, _ in spans], pos) - 1
        return spans[max(i, 0)]

    def sentence(self, pos: int) -> tuple[int, int]:
        return self._find(self.sentences, pos)

    def clause(self, pos: int) -> tuple[int, int]:
        return self._find(self.clauses, pos)


def _negated(rules: _Rules, seg: _Segments, start: int, end: int) -> bool:
    c_start, c_end = seg.clause(start)
    before = seg.text[c_start:start]
    if rules.neg_before_words.search(before) or rules.neg_before_zh.search(before):
        return True
    after = seg.text[end:max(end, c_end)]
    m = rules.neg_after_words.search(after) or rules.neg_after_zh.search(after)
    # "बुखार नहीं उतर रहा": the negation is about the fever not going down.
    if m and not rules.persist.search(after[: m.end() + 24]):
        return True
    return False


def _not_now(rules: _Rules, seg: _Segments, start: int) -> bool:
    """Told as history or as a hypothesis, with nothing saying it is now."""
    c_start, c_end = seg.clause(start)
    clause = seg.text[c_start:c_end]
    if rules.hypothetical.search(clause):
        return True  # "if he has a fever again": a question, not a report
    if rules.present.search(clause):
        return False
    s_start, s_end = seg.sentence(start)
    return bool(rules.past.search(seg.text[s_start:s_end]))


def _someone_else(rules: _Rules, seg: _Segments, start: int) -> bool:
    """Another person's story: a neighbour, a friend, a patient in the next bed named
    earlier in the same sentence ("our neighbour's son had a fit yesterday")."""
    s_start, _ = seg.sentence(start)
    return bool(rules.others.search(seg.text[s_start:start]))


def _resolved(rules: _Rules, seg: _Segments, end: int) -> bool:
    """The episode is told as over, after it, in its sentence or the next ("... a week in
    hospital, now she is fine")."""
    _, s_end = seg.sentence(end)
    _, next_end = seg.sentence(min(s_end + 1, len(seg.text)))
    return bool(rules.resolved.search(seg.text[end:max(s_end, next_end)]))


def _valid(rules: _Rules, seg: _Segments, guarded: str, start: int, end: int) -> bool:
    if guarded == "none":
        return True
    if _someone_else(rules, seg, start):
        return False
    if guarded == "others":
        return True
    if _negated(rules, seg, start, end):
        return False
    if guarded == "all" and (_not_now(rules, seg, start) or _resolved(rules, seg, end)):
        return False
    return True


def _high_temperatures(rules: _Rules, seg: _Segments) -> list[tuple[int, int]]:
    """Body temperatures of 38 °C (100.4 °F) and above.

    A number counts when a unit follows it ("39.4°", "39度") or a temperature
    word stands in the same clause ("temp 38.5", "حرارته 39.4"); ages, doses,
    cycle counts and numbers asked as alternatives ("38 or 38.5?") do not.
    """
    out = []
    word = rules.concepts["temperature_word"].regex
    for m in _NUMBER.finditer(seg.text):
        value = float(m.group(1) + ("." + m.group(2) if m.group(2) else ""))
        in_c = rules.celsius[0] <= value <= rules.celsius[1]
        in_f = rules.fahrenheit[0] <= value <= rules.fahrenheit[1]
        if not (in_c or in_f):
            continue
        rest = seg.text[m.end(): m.end() + 16]
        if rules.not_temperature.match(rest) or rules.alternatives.match(rest):
            continue
        if rules.alternative_before.search(seg.text[max(0, m.start() - 16): m.start()]):
            continue
        c_start, c_end = seg.clause(m.start())
        if rules.unit_after.match(rest) or word.search(seg.text[c_start:c_end]):
            out.append((m.start(), m.end()))
    return out


def _measured_normal(rules: _Rules, seg: _Segments, start: int) -> bool:
    """The clause gives a body temperature, all of them below fever (35-37.9 °C, 95-100.3 °F)."""
    c_start, c_end = seg.clause(start)
    values = [float(m.group(1) + ("." + m.group(2) if m.group(2) else "")) for m in _NUMBER.finditer(seg.text[c_start:c_end])]
    body = [v for v in values if 35 <= v < rules.celsius[0] or 95 <= v < rules.fahrenheit[0]]
    return bool(body) and len(body) == len([v for v in values if 35 <= v <= 43 or 95 <= v <= 109])


def detect_red_flags(text: str) -> list[str]:
    """Red-flag codes (vocabulary `red_flags`) found in one inbound message.

    Pure and deterministic; an empty list when nothing is found. The order
    follows the vocabulary.
    """
    norm = own_words(text)
    if not norm:
        return []
    rules = _rules()
    seg = _Segments(norm, rules.clause_end)
    found: dict[str, list[tuple[int, int]]] = {}
    for name, concept in rules.concepts.items():
        spans = [m.span() for m in concept.regex.finditer(norm)
                 if m.end() > m.start() and _valid(rules, seg, concept.guarded, *m.span())]
        if spans:
            found[name] = spans
    temps = [s for s in _high_temperatures(rules, seg) if _valid(rules, seg, "all", *s)]
    if temps:
        found["high_temperature"] = temps
    if "fever" in found:
        # A fever word whose own clause measures a normal temperature ("ateş 37.2", "temp
        # 98.6F, no chills") is a reading, not a fever.
        found["fever"] = [s for s in found["fever"] if not _measured_normal(rules, seg, s[0])]
        if not found["fever"]:
            del found["fever"]

    flags = [flag for flag, alternatives in rules.flags.items()
             if any(all(c in found for c in needed) for needed in alternatives)]
    for flag, rule in rules.subsumed.items():
        if flag in flags and rule["by"] in flags:
            others = found.get(rule["overlapping"], [])
            own = [s for c in _concepts_of(rules, flag) for s in found.get(c, [])]
            if own and all(any(a < d and c < b for c, d in others) for a, b in own):
                flags.remove(flag)
    return flags


def _concepts_of(rules: _Rules, flag: str) -> set[str]:
    return {c for alt in rules.flags[flag] for c in alt}
