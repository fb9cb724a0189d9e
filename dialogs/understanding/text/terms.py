"""Lexicon matching over the indexed form: a trie of entries, walked once per message.

A big regex alternation of thousands of words in 16 languages is far too slow
in Python's re, so the fact extractors and the place finder put their
entries in a trie and walk it from every word start. Entry syntax (the YAML
files under lexicon/facts/, see its README):
  plain      literal phrase, case-insensitive, spaces and hyphens interchangeable
  =ALL       case-sensitive (acronyms that are also common words)
  stem*      prefix: the word may continue (inflected forms)
  word$      whole word even in a language matched by prefix by default
  ?ama       only when the message's language is this block's language
  re:...     a regular expression over the normalised lower-case text
  =re:...    the same over the normalised text with its case kept
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING, Any, Iterable

from dialogs.understanding.text.lexicon import load_lexicon
from dialogs.understanding.text.normal import normalize_indexed, normalize_key, normalize_pattern
from dialogs.understanding.text.scripts import is_cjk, is_word, script

if TYPE_CHECKING:
    from dialogs.understanding.text.message import Text

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


@dataclass(frozen=True)
class Hit:
    """One match: a span of the indexed form (lower case) and the entry's value."""

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
                pattern = re.compile(normalize_pattern(entry.split(":", 1)[1]))
            except re.error as exc:  # a data-file typo: name it
                raise ValueError(f"bad lexicon pattern {entry!r} ({lang}): {exc}") from exc
            self._regexes.append((pattern, value, lang, gated, cased))
            return
        cased = entry.startswith("=")
        entry = entry.lstrip("=")
        prefix = entry.endswith("*")
        exact = entry.endswith("$")
        entry = entry.rstrip("*$")
        key = normalize_key(entry)
        if not key:
            return
        if not exact and (prefix or lang in PREFIX_LANGUAGES) and key.endswith(TAMIL_VIRAMA) and len(key) > 4:
            # Tamil case endings change a final consonant: யாழ்ப்பாணம் -> யாழ்ப்பாணத்தில், நுரையீரல் -> நுரையீரலில்
            key = key[:-2] if key.endswith("ம" + TAMIL_VIRAMA) else key[:-1]
            prefix = True
        first = key[0]
        if not prefix and not exact:
            prefix = lang in PREFIX_LANGUAGES or script(key[-1]) == "cyrillic"
            if prefix and script(key[0]) == "arabic" and sum(c.isalpha() for c in key) <= 3:
                prefix = False  # short Arabic roots start many other words: مري/مريض, رحم/رحمه, خد/خدمه
        spec = _Spec(
            value=value,
            lang=lang,
            cased=normalize_indexed(entry)[0].strip() if cased else None,
            prefix=prefix,
            gated=gated,
            proclitic=script(first) == "arabic" and lang in ("ar", "ur"),
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
            if script(low[i]) == "arabic":
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


@lru_cache(maxsize=None)
def cue_terms(name: str, *path: str) -> Terms:
    """The entries of one {language: [entries]} block of a lexicon file (its
    path under lexicon/, then the keys down to the block); every hit's value is True."""
    data = load_lexicon(name)
    for key in path:
        data = data[key]
    terms = Terms()
    terms.add_block(data, True)
    return terms


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
