"""One message in the indexed form, with its sentences and clauses.

Facts and places are read from the indexed form, yet quoted in the patient's
own characters, and most rules look only inside one sentence or clause
("not stage 4", "I live in ..."): a Text normalises a message once and
answers both questions for every extractor.
"""
from __future__ import annotations

import bisect
import re

from dialogs.understanding.text.normal import fold_case, normalize_indexed
from dialogs.understanding.text.terms import cue_terms

_SENTENCE_BREAK = re.compile(r"[!?。！？؟।۔\n;]|\.(?!\d)")
_CLAUSE_BREAK = re.compile(r"[,:()\[\]\"]| - ")


class Text:
    """One message, normalised once, with helpers to find sentences and clauses."""

    def __init__(self, original: str):
        self.original = original
        self.cased, self.index = normalize_indexed(original)
        self.low = fold_case(self.cased)
        self.n = len(self.low)
        self._sent = [0] + [m.end() for m in _SENTENCE_BREAK.finditer(self.low)] + [self.n]
        clause = {m.end() for m in _CLAUSE_BREAK.finditer(self.low)}
        # Words that join clauses ("but", "lekin", "但是") come from the lexicon.
        for hit in cue_terms("facts/negation.yml", "clause_breaks").find(self):
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
