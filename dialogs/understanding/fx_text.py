"""Text normalisation and lexicon matching shared by the fact extractors.

Patients type the same word many ways: with or without diacritics, in
Arabic-Indic, Bengali or Devanagari digits, with Urdu or Arabic letter forms,
in Traditional or Simplified characters, with or without hyphens. Every
message and every lexicon entry goes through the same `normalise` step, so the
lexicons can list one spelling and the matching stays a plain trie walk
(a big regex alternation is far too slow in Python's re).

Lexicon entry syntax (the YAML files under lexicon/facts/, see its README):
  plain      literal phrase, case-insensitive, spaces and hyphens interchangeable
  =ALL       case-sensitive (acronyms that are also common words)
  stem*      prefix: the word may continue (inflected forms)
  word$      whole word even in a language matched by prefix by default
  ?ama       only when the message's language is this block's language
  re:...     a regular expression over the normalised lower-case text
  =re:...    the same over the normalised text with its case kept
"""
from __future__ import annotations

import bisect
import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, Iterable

import yaml

LEXICON_DIR = Path(__file__).resolve().parent / "lexicon" / "facts"

# Agglutinative languages (and all Cyrillic entries): a lexicon word matches
# the start of a longer word ("இந்தியாவில்", "नेपालमा", "Türkiye'de", "рецидива").
PREFIX_LANGUAGES = frozenset({"tr", "ru", "ar", "bn", "ta", "si", "ne", "gu"})
# Arabic proclitics (wa-, fa-, bi-, li-, ka-, al-) glued to the next word: "باللوكيميا".
_PROCLITICS = sorted(
    {a + b + c for a in ("", "و", "ف") for b in ("", "ب", "ل", "ك") for c in ("", "ال")} - {""} | {"لل", "ولل"},
    key=len,
    reverse=True,
)

TAMIL_VIRAMA = "\u0bcd"
_DROP = {"\u200b", "\u200c", "\u200d", "\u200e", "\u200f", "\ufeff", "\u2060", "\u00ad", "\u0640", "\u0670"}
_DROP |= {chr(c) for c in range(0x064B, 0x0660)}  # Arabic harakat
_DROP |= {"\u093c", "\u09bc", "\u0abc"}  # nukta: often omitted by patients
_CHAR_MAP = {
    # Arabic and Urdu letter variants -> one form
    "أ": "ا", "إ": "ا", "آ": "ا", "ٱ": "ا", "ى": "ي", "ی": "ي", "ې": "ي", "ۍ": "ي", "ئ": "ي",
    "ک": "ك", "ڪ": "ك", "ہ": "ه", "ھ": "ه", "ۀ": "ه", "ۃ": "ه", "ة": "ه", "ؤ": "و",
    # candrabindu -> anusvara (Devanagari, Bengali, Gujarati)
    "\u0901": "\u0902", "\u0981": "\u0982", "\u0a81": "\u0a82",
    # Latin oddities
    "ı": "i", "İ": "I", "ß": "ss", "œ": "oe", "Œ": "OE", "æ": "ae", "ø": "o", "Ø": "O", "ł": "l", "đ": "d",
    "ё": "е", "Ё": "Е",
    # punctuation variants
    "\u2019": "'", "\u2018": "'", "\u02bc": "'", "`": "'", "´": "'", "\u201c": '"', "\u201d": '"',
    "\u2010": "-", "\u2011": "-", "\u2012": "-", "\u2013": "-", "\u2014": "-", "\u2212": "-",
    "\u00a0": " ", "\u3000": " ", "\t": " ", "\r": "\n", "\u060c": ",", "\u061b": ";", "\uff0c": ",",
    "\u3001": ",", "\uff08": "(", "\uff09": ")", "\uff1a": ":", "\uff1b": ";",
}
_SENTENCE_BREAK = re.compile(r"[!?。！？؟।۔\n;]|\.(?!\d)")
_CLAUSE_BREAK = re.compile(r"[,:()\[\]\"]| - ")


@lru_cache(maxsize=None)
def _t2s() -> dict[str, str]:
    pairs = "".join(load("chinese.yml")["traditional_simplified"].split())
    if len(pairs) % 2:
        raise ValueError("chinese.yml: traditional_simplified must hold character pairs")
    return {pairs[i]: pairs[i + 1] for i in range(0, len(pairs), 2) if pairs[i] != pairs[i + 1]}


@lru_cache(maxsize=None)
def load(name: str) -> Any:
    """One YAML data file of lexicon/facts (cached)."""
    with open(LEXICON_DIR / name, encoding="utf-8") as fh:
        return yaml.safe_load(fh)


@lru_cache(maxsize=65536)
def _norm_char(ch: str) -> str:
    """One input character -> its normalised form (possibly empty or several characters)."""
    if ch in _DROP:
        return ""
    if ch in _CHAR_MAP:
        return _CHAR_MAP[ch]
    out = []
    for c in unicodedata.normalize("NFKC", ch):
        if c in _DROP:
            continue
        c = _CHAR_MAP.get(c, c)
        if c.isdigit() and not c.isascii():
            try:
                c = str(unicodedata.decimal(c))
            except ValueError:
                pass
        elif "\u00c0" <= c <= "\u024f":
            base = unicodedata.normalize("NFD", c)[0]
            c = base if base.isascii() else c
        elif c in _t2s():
            c = _t2s()[c]
        out.append(c)
    return "".join(out)


@lru_cache(maxsize=65536)
def is_word(ch: str) -> bool:
    return ch.isalnum() or unicodedata.category(ch)[0] == "M"


@lru_cache(maxsize=65536)
def is_cjk(ch: str) -> bool:
    o = ord(ch)
    return 0x3400 <= o <= 0x9FFF or 0xF900 <= o <= 0xFAFF or 0x3040 <= o <= 0x30FF or 0x20000 <= o <= 0x2FFFF


def _script(ch: str) -> str:
    o = ord(ch)
    if is_cjk(ch):
        return "cjk"
    if 0x0600 <= o <= 0x06FF or 0x0750 <= o <= 0x077F:
        return "arabic"
    if 0x0400 <= o <= 0x04FF:
        return "cyrillic"
    if o < 0x0250:
        return "latin"
    return "other"


def _lower(ch: str) -> str:
    low = ch.lower()
    return low if len(low) == 1 else ch


_LIST_ITEM = re.compile(r"[ \t]*(?:\d{1,2}[.)]|[-*•>])")


def _soft_wrap(text: str, start: int) -> bool:
    """The next line continues the sentence (not a blank line, list item or quote)."""
    return start < len(text) and text[start] not in "\r\n" and not _LIST_ITEM.match(text, start)


def normalise(text: str) -> tuple[str, list[int]]:
    """Normalised text (case kept) and, for each of its characters, the index in `text`."""
    chars: list[str] = []
    index: list[int] = []
    for i, ch in enumerate(text):
        for c in _norm_char(ch):
            if c == "-" and chars and i + 1 < len(text) and is_word(chars[-1]) and is_word(text[i + 1]):
                c = " "  # "B-cell" == "B cell", "R-CHOP" == "R CHOP"; a trailing "HER2-" keeps its sign
            if c == "\n" and chars and is_word(chars[-1]) and _soft_wrap(text, i + 1):
                c = " "  # a hard-wrapped e-mail line: "diffuse large B-cell\nlymphoma"
            if c == " " and chars and chars[-1] in " \n":
                continue
            chars.append(c)
            index.append(i)
    return "".join(chars), index


def normalise_key(text: str) -> str:
    """Normalised lower-case form of a lexicon word or pattern literal."""
    return "".join(_lower(c) for c in normalise(text)[0]).strip()


def normalise_pattern(source: str) -> str:
    """A regular expression written against the normalised text: only its non-ASCII
    characters are normalised, so escapes like \\D or \\S keep their meaning."""
    return "".join(c if c.isascii() else "".join(_lower(x) for x in _norm_char(c)) for c in source)


class Text:
    """One message, normalised once, with helpers to find sentences and clauses."""

    def __init__(self, original: str):
        self.original = original
        self.cased, self.index = normalise(original)
        self.low = "".join(_lower(c) for c in self.cased)
        self.n = len(self.low)
        self._sent = [0] + [m.end() for m in _SENTENCE_BREAK.finditer(self.low)] + [self.n]
        clause = {m.end() for m in _CLAUSE_BREAK.finditer(self.low)}
        for hit in clause_breaks().find(self):
            clause.add(hit.start)
        self._clause = sorted(set(self._sent) | clause)

    def is_short(self) -> bool:
        """A bare answer ("breast", "second opinion", "Nairobi"): a few words at most."""
        return len(self.low.split()) <= 4 and len(self.low.strip()) <= 40

    def orig(self, start: int, end: int) -> str:
        """The patient's own characters behind low[start:end]."""
        if start >= end or start >= self.n:
            return ""
        return self.original[self.index[start]: self.index[end - 1] + 1]

    def _span(self, marks: list[int], pos: int) -> tuple[int, int]:
        k = bisect.bisect_right(marks, pos) - 1
        start = marks[max(k, 0)]
        end = marks[k + 1] if k + 1 < len(marks) else self.n
        return start, end

    def sentence(self, pos: int) -> tuple[int, int]:
        return self._span(self._sent, pos)

    def clause(self, pos: int) -> tuple[int, int]:
        return self._span(self._clause, pos)

    def sentences(self) -> list[tuple[int, int]]:
        return [(a, b) for a, b in zip(self._sent, self._sent[1:]) if b > a]

    def same_sentence(self, a: int, b: int) -> bool:
        return self.sentence(a) == self.sentence(b)


@dataclass(frozen=True)
class Hit:
    start: int
    end: int
    value: Any
    lang: str = ""

    def covers(self, other: "Hit") -> bool:
        return self.start <= other.start and other.end <= self.end and (self.end - self.start) > (other.end - other.start)


@dataclass(frozen=True)
class _Spec:
    value: Any
    lang: str
    cased: str | None  # case-sensitive form, or None
    prefix: bool
    gated: bool
    proclitic: bool
    end_is_word: bool


class Terms:
    """A set of lexicon entries with values, found in a Text by a trie walk."""

    def __init__(self) -> None:
        self._trie: dict[str, Any] = {}
        self._regexes: list[tuple[re.Pattern[str], Any, str, bool, bool]] = []

    def add(self, entry: str, lang: str, value: Any) -> None:
        entry = str(entry).strip()
        gated = entry.startswith("?")
        entry = entry.lstrip("?")
        if entry.startswith(("re:", "=re:")):
            cased = entry.startswith("=")
            try:
                pattern = re.compile(normalise_pattern(entry.split(":", 1)[1]))
            except re.error as exc:  # a data-file typo: name it
                raise ValueError(f"bad lexicon pattern {entry!r} ({lang}): {exc}") from exc
            self._regexes.append((pattern, value, lang, gated, cased))
            return
        cased = entry.startswith("=")
        entry = entry.lstrip("=")
        prefix = entry.endswith("*")
        exact = entry.endswith("$")
        entry = entry.rstrip("*$")
        key = normalise_key(entry)
        if not key:
            return
        if not exact and (prefix or lang in PREFIX_LANGUAGES) and key.endswith(TAMIL_VIRAMA) and len(key) > 4:
            # Tamil case endings change a final consonant: யாழ்ப்பாணம் -> யாழ்ப்பாணத்தில், நுரையீரல் -> நுரையீரலில்
            key = key[:-2] if key.endswith("ம" + TAMIL_VIRAMA) else key[:-1]
            prefix = True
        first = key[0]
        if not prefix and not exact:
            prefix = lang in PREFIX_LANGUAGES or _script(key[-1]) == "cyrillic"
            if prefix and _script(key[0]) == "arabic" and sum(c.isalpha() for c in key) <= 3:
                prefix = False  # short Arabic roots start many other words: مري/مريض, رحم/رحمه, خد/خدمه
        spec = _Spec(
            value=value,
            lang=lang,
            cased=normalise(entry)[0].strip() if cased else None,
            prefix=prefix,
            gated=gated,
            proclitic=_script(first) == "arabic" and lang in ("ar", "ur"),
            end_is_word=is_word(key[-1]) and not is_cjk(key[-1]),
        )
        node = self._trie
        for ch in key:
            node = node.setdefault(ch, {})
        node.setdefault(None, []).append(spec)

    def add_block(self, block: dict[str, Iterable[str]] | Iterable[str] | None, value: Any, lang: str = "") -> None:
        """Add a {language: [entries]} mapping (or a bare list) under one value."""
        if not block:
            return
        if isinstance(block, dict):
            for language, entries in block.items():
                for entry in entries or []:
                    self.add(entry, str(language), value)
        else:
            for entry in block:
                self.add(entry, lang, value)

    def find(self, t: Text, language: str | None = None) -> list[Hit]:
        """Every match (all lengths), in text order."""
        low, n = t.low, t.n
        hits: list[Hit] = []
        for i in range(n):
            prev = low[i - 1] if i else " "
            if not (i == 0 or not is_word(prev) or is_cjk(prev) or is_cjk(low[i])):
                continue
            starts = [(i, False)]
            if _script(low[i]) == "arabic":
                starts += [(i + len(p), True) for p in _PROCLITICS if low.startswith(p, i) and i + len(p) < n]
            for s, via_proclitic in starts:
                node, j = self._trie, s
                while j < n and low[j] in node:
                    node = node[low[j]]
                    j += 1
                    for spec in node.get(None, ()):
                        if self._accept(spec, t, s, j, via_proclitic, language):
                            hits.append(Hit(s, j, spec.value, spec.lang))
        for pattern, value, lang, gated, cased in self._regexes:
            if gated and lang != language:
                continue
            for m in pattern.finditer(t.cased if cased else low):
                if m.end() > m.start():
                    hits.append(Hit(m.start(), m.end(), value, lang))
        hits.sort(key=lambda h: (h.start, -h.end))
        return hits

    @staticmethod
    def _accept(spec: _Spec, t: Text, s: int, j: int, via_proclitic: bool, language: str | None) -> bool:
        if via_proclitic and not spec.proclitic:
            return False
        if spec.gated and spec.lang != language:
            return False
        if spec.cased is not None and t.cased[s:j] != spec.cased:
            return False
        if spec.prefix or not spec.end_is_word or j >= t.n:
            return True
        nxt = t.low[j]
        return not is_word(nxt) or is_cjk(nxt)


def longest(hits: list[Hit]) -> list[Hit]:
    """Leftmost-longest, non-overlapping selection of hits."""
    out: list[Hit] = []
    for h in sorted(hits, key=lambda h: (h.start, -(h.end - h.start))):
        if out and h.start < out[-1].end:
            continue
        out.append(h)
    return out


def undominated(hits: list[Hit]) -> list[Hit]:
    """Drop hits lying strictly inside a longer hit (the more specific wording wins)."""
    return [h for h in hits if not any(o.covers(h) for o in hits)]


@lru_cache(maxsize=None)
def clause_breaks() -> Terms:
    terms = Terms()
    terms.add_block(load("negation.yml")["clause_breaks"], True)
    return terms


@lru_cache(maxsize=None)
def terms_from(file: str, *path: str) -> Terms:
    """Terms built from a {value: {lang: [entries]}} mapping inside a data file."""
    data = load(file)
    for key in path:
        data = data[key]
    terms = Terms()
    for value, block in data.items():
        terms.add_block(block, value)
    return terms


class Negation:
    """Is a hit negated in its clause ("not stage 4", "hindi stage 4", "स्टेज 4 नहीं")?"""

    def __init__(self, t: Text, language: str | None = None):
        data = _negators()
        self.t = t
        exceptions = data[2].find(t, language)

        def real(h: Hit) -> bool:
            return not any(x.start <= h.start and h.end <= x.end for x in exceptions)

        self.before = [h for h in data[0].find(t, language) if real(h)]
        self.after = [h for h in data[1].find(t, language) if real(h)]

    def __call__(self, start: int, end: int, window: int = 30, after_window: int = 16) -> bool:
        c_start, c_end = self.t.clause(start)
        c_end = max(c_end, self.t.clause(max(end - 1, start))[1])
        lo = max(c_start, start - window)
        if any(lo <= h.start and h.end <= start for h in self.before):
            return True
        hi = min(c_end, end + after_window)
        return any(end <= h.start and h.end <= hi for h in self.after)


@lru_cache(maxsize=None)
def _negators() -> tuple[Terms, Terms, Terms]:
    data = load("negation.yml")
    before, after, exceptions = Terms(), Terms(), Terms()
    before.add_block(data["before"], True)
    after.add_block(data["after"], True)
    exceptions.add_block(data.get("not_negators", {}), True)
    return before, after, exceptions
