"""What a message asks the bot to do, beyond the intake facts.

- consent (DESIGN 2.1): the answer to "may we share your records with
  specialists?" — given, refused, or not an answer at all;
- a human (2.5), an opt-out (2.7, the STOP keywords carriers honour) and
  erasure of the data (2.7).

All word lists live in lexicon/signals.yml, in the 16 languages.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from dataclasses import dataclass

from dialogs.understanding.text import (
    NEVER,
    WORD_CHARS,
    compile_patterns,
    is_cjk,
    load_lexicon,
    normalize,
    own_words,
    strip_quoted_reply,
)

GIVEN = "given"
REFUSED = "refused"

# "3.", "3)", "(3)", "3 -", "-", "*", "•", "a)" at the start of an answer line.
_LIST_MARKER = re.compile(r"^\s*(?:\(?(\d{1,2})[.)\]:]|(\d{1,2})\s+-|[-*•·]|\(?[a-e][.)])\s*")


@functools.cache
def _emoji_words() -> dict[str, str]:
    """Emoji people answer with, read as the word they stand for (👍 = yes)."""
    table = load_lexicon("signals.yml")["consent"]["emoji"]
    return {emoji: f" {word} " for word, emojis in table.items() for emoji in emojis}


def _clean(text: str) -> str:
    """Normalised text with punctuation and symbols turned into spaces."""
    for emoji, word in _emoji_words().items():
        text = text.replace(emoji, word)
    text = normalize(text)
    out = []
    for ch in text:
        cat = unicodedata.category(ch)
        if ch in "'-" or not (cat.startswith("P") or cat.startswith("S")):
            out.append(ch)
        else:
            out.append(" ")
    return re.sub(r"\s+", " ", "".join(out)).strip(" -'")


@dataclass(frozen=True)
class _ConsentTables:
    phrases: dict[str, str]          # normalised phrase -> kind
    by_first: dict[str, list[str]]   # first character -> phrases, longest first
    given_anywhere: re.Pattern[str]
    refused_anywhere: re.Pattern[str]


def _phrase_regex(phrases: set[str]) -> re.Pattern[str]:
    """Whole phrases anywhere in a cleaned sentence, longest first."""
    parts = []
    for p in sorted(phrases, key=len, reverse=True):
        body = re.escape(p).replace(r"\ ", r"\s+")
        if is_cjk(p[0]):
            parts.append(body)
        else:
            parts.append(f"(?<![{WORD_CHARS}]){body}(?![{WORD_CHARS}])")
    return re.compile("|".join(parts) or NEVER)


@functools.cache
def _consent() -> _ConsentTables:
    lex = load_lexicon("signals.yml")["consent"]
    phrases: dict[str, str] = {}
    # Later kinds win when a phrase is listed twice.
    for kind in ("fillers", "soft_yes", "given", "refused", "unsure", "given_strong", "refused_strong"):
        for items in (lex.get(kind) or {}).values():
            for item in items:
                norm = _clean(str(item))
                if norm:
                    phrases[norm] = kind
    by_first: dict[str, list[str]] = {}
    for p in sorted(phrases, key=len, reverse=True):
        by_first.setdefault(p[0], []).append(p)
    anywhere = lambda kind: {_clean(str(i)) for v in (lex.get(kind) or {}).values() for i in v}  # noqa: E731
    return _ConsentTables(phrases, by_first, _phrase_regex(anywhere("given_anywhere")),
                          _phrase_regex(anywhere("refused_anywhere")))


def _read_answer(sentence: str, tables: _ConsentTables) -> tuple[list[str], str]:
    """Consume known answer phrases from the start; return kinds and the rest."""
    kinds: list[str] = []
    pos, n = 0, len(sentence)
    while pos < n:
        while pos < n and sentence[pos] in " -'":
            pos += 1
        if pos >= n:
            break
        for p in tables.by_first.get(sentence[pos], ()):
            end = pos + len(p)
            if sentence.startswith(p, pos) and (end == n or sentence[end] == " " or is_cjk(p[-1])):
                kinds.append(tables.phrases[p])
                pos = end
                break
        else:
            break
    return kinds, sentence[pos:].strip()


def _decide(kinds: list[str], rest: str) -> tuple[str | None, bool]:
    """(decision, strong) for one sentence read by _read_answer."""
    if "unsure" in kinds:
        return None, False
    strong_given = "given_strong" in kinds
    strong_refused = "refused_strong" in kinds
    if strong_given or strong_refused:
        if strong_given and strong_refused:
            return None, False
        return (GIVEN if strong_given else REFUSED), True
    if rest:
        return None, False  # "Yes, she had chemo in 2024": not an answer
    given = "given" in kinds
    refused = "refused" in kinds
    if given and not refused:
        return GIVEN, False
    if refused and not given:
        return REFUSED, False
    if not given and not refused and "soft_yes" in kinds:
        return GIVEN, False
    return None, False


def _answer_lines(text: str) -> list[tuple[str, bool]]:
    """Lines of the patient's own text, list markers removed, with a flag
    telling whether the line was a numbered answer ("3. YES, I agree")."""
    lines = []
    for line in strip_quoted_reply(text).splitlines():
        m = _LIST_MARKER.match(line)
        numbered = bool(m and (m.group(1) or m.group(2)))
        lines.append((line[m.end():] if m else line, numbered))
    return lines


def detect_consent(text: str) -> str | None:
    """"given", "refused", or None when the message is not a consent answer.

    A short answer ("yes", "ok yes", "haan ji", "نعم", "oo po") counts when
    it is the whole of the first sentence or of a numbered e-mail line; an
    explicit "I agree"/"I do not agree" counts anywhere. "Yes" inside a
    sentence about something else, or a question, is not an answer.
    """
    if not text or not text.strip():
        return None
    tables = _consent()
    decisions: list[tuple[str, bool]] = []
    first = True
    lines = _answer_lines(text)
    several = sum(1 for line, _ in lines if line.strip()) > 1
    for line, numbered in lines:
        for raw in re.split(r"(?<=[.!?。！？؟।])\s*|\n", line):
            if not raw.strip():
                continue
            # A bare "YES" on a line of its own, under numbered answers to our
            # e-mail questions, answers the consent request like a numbered line.
            own_line = several and raw.strip() == line.strip()
            question = raw.rstrip().endswith(("?", "؟", "？"))
            sentence = _clean(raw)
            if not sentence:
                continue
            if not question and tables.refused_anywhere.search(sentence):
                # "আমি রাজি নই": the refusal wins over the "আমি রাজি" inside it.
                decisions.append((REFUSED, True))
                first = False
                continue
            if not question and tables.given_anywhere.search(sentence):
                decisions.append((GIVEN, True))
            kinds, rest = _read_answer(sentence, tables)
            if not question:
                decision, strong = _decide(kinds, rest)
                # A bare "yes" answers us only as the opening words or as a
                # numbered answer line; "I agree" answers us anywhere.
                if decision and (strong or first or numbered or own_line):
                    decisions.append((decision, strong))
            if rest or any(k != "fillers" for k in kinds):
                first = False  # "Hello. Yes." still opens with the answer
    strong = {d for d, s in decisions if s}
    pool = strong or {d for d, _ in decisions}
    return pool.pop() if len(pool) == 1 else None


# --------------------------------------------------------------------------
# Human, STOP, erasure
# --------------------------------------------------------------------------

@functools.cache
def _signal_regex(section: str) -> re.Pattern[str]:
    return compile_patterns(load_lexicon("signals.yml")[section])


@functools.cache
def _stop_words() -> frozenset[str]:
    entries = load_lexicon("signals.yml")["stop"]["whole_message"]
    return frozenset(_clean(str(w)) for words in entries.values() for w in words)


@functools.cache
def _stop_fillers() -> frozenset[str]:
    """Politeness words allowed around a STOP keyword ("STOP now please")."""
    entries = load_lexicon("signals.yml")["stop"]["fillers"]
    return frozenset(_clean(str(w)) for words in entries.values() for w in words)


def wants_human(text: str) -> bool:
    """The patient asks for a person (human, agent, "talk to someone"...)."""
    norm = own_words(text)
    return bool(norm) and bool(_signal_regex("human").search(norm))


def wants_stop(text: str) -> bool:
    """An opt-out: a STOP keyword as the whole message, or "stop messaging me"."""
    text = strip_quoted_reply(text or "")
    if not text.strip():
        return False
    cleaned = _clean(text)
    words = _stop_words()
    if cleaned in words:
        return True
    # "STOP STOP", "stop now please": only keywords and politeness.
    toks = cleaned.split()
    if any(t in words for t in toks) and all(t in words or t in _stop_fillers() for t in toks):
        return True
    return bool(_stop_phrases().search(normalize(text)))


@functools.cache
def _stop_phrases() -> re.Pattern[str]:
    return compile_patterns(load_lexicon("signals.yml")["stop"]["phrases"])


def wants_erasure(text: str) -> bool:
    """A request to delete the contact's data ("delete my data")."""
    norm = own_words(text)
    return bool(norm) and bool(_signal_regex("erasure").search(norm))
