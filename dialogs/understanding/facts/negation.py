"""Is a fact negated in its clause ("not stage 4", "hindi stage 4", "स्टेज 4 नहीं")?

A stage, a treatment or a service named with a negation is not a fact about
the patient; every extractor asks the same question of the same negation
words (negation.yml), so it is answered here once per message.
"""
from __future__ import annotations

import re
from functools import lru_cache

from dialogs.understanding.text import Hit, Terms, Text, load_lexicon


class Negation:
    """The negation cues of one message, callable on a span: negated or not."""

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
    data = load_lexicon("facts/negation.yml")
    before, after, exceptions = Terms(), Terms(), Terms()
    before.add_block(data["before"], True)
    after.add_block(data["after"], True)
    exceptions.add_block(data.get("not_negators", {}), True)
    return before, after, exceptions


_TOKEN = re.compile(r"[^\s,.;:!?،؛。，、！？]+")
# How many words next to a negator a correction takes back ("not 74", "not in Karachi").
CORRECTED_WORDS = 3
# Verb-final languages put the negator after what it takes back ("Karachi nahi, Lahore").
NEGATOR_AFTER = {"hi", "ur", "bn", "ne", "si", "ta", "gu"}


def drop_negated(text: str, language: str | None = None) -> str:
    """A correction without what it takes back: "she is 47 not 74" -> "she is 47",
    "not stomach, the oesophagus" -> "the oesophagus", "Karachi nahi, Lahore" -> "Lahore".
    The words a negator negates, within its clause (at most CORRECTED_WORDS), are blanked
    in the original text."""
    t = Text(text)
    negation = Negation(t, language)
    out = list(text)
    for hit in negation.before:
        lo, hi = t.clause(hit.start)
        if language in NEGATOR_AFTER:
            tokens = list(_TOKEN.finditer(t.low, lo, hit.start))[-CORRECTED_WORDS:]
            tokens = [m for m in tokens if not t.low[m.end():hit.start].strip(" ")] or tokens[-1:]
        else:
            tokens = []
            for token in _TOKEN.finditer(t.low, hit.end, hi):
                if len(tokens) == CORRECTED_WORDS or t.low[(tokens[-1].end() if tokens else hit.end):token.start()].strip(" "):
                    break  # punctuation between: the clause went on to something else
                tokens.append(token)
        if tokens:  # the negator goes too: "she is 47 not" would negate what is left
            first, last = min(tokens[0].start(), hit.start), max(tokens[-1].end(), hit.end)
            start, end = t.index[first], t.index[last - 1] + 1
            out[start:end] = " " * (end - start)
    return "".join(out)
