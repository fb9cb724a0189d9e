"""Red flags (DESIGN 2.2, 6.4): two independent readers of every inbound message, combined
for recall, because a missed red flag is the worst failure this product can have.

- patterns.py: the lexicon reader (patterns in 16 languages, with negation, history,
  hypotheses and other people's stories);
- learned.py: the trained classifier (a multilingual sentence encoder and n-grams), which
  reads the message with the family's previous one.

Either reader firing is a red flag. The kind comes from the more specific reader: the
patterns, which name the symptom they found, when they fire, except that "severe pain"
(what a spinal cord compression, a crisis or a chest pain also is) yields to another kind
the classifier found, and thoughts of self-harm the classifier read are never dropped (the
crisis reply depends on them). A message neither places but the classifier cannot call
safe is `unsure`: a person looks at it at once.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass

from dialogs.understanding.safety import learned
from dialogs.understanding.safety.patterns import detect_red_flags

log = logging.getLogger(__name__)

# The kind that yields when the readers disagree: pain is part of most other red flags.
GENERIC = "severe_pain"
# The kind never dropped: its reply (a crisis line) is not the others'.
CRISIS = "self_harm"

__all__ = ["SafetyReading", "detect_red_flags", "read_safety"]


@dataclass(frozen=True)
class SafetyReading:
    flags: list[str]  # red-flag codes, in the contract vocabulary's order
    unsure: bool  # no red flag placed, but a person should look now
    by_patterns: list[str]
    by_classifier: str | None

    @property
    def alarm(self) -> bool:
        """Whether a person must look now (a red flag or a doubt)."""
        return bool(self.flags) or self.unsure


def combine(by_patterns: list[str], reading: learned.LearnedReading | None) -> SafetyReading:
    """Either reader firing flags; the kind comes from the more specific reader."""
    by_classifier = reading.kind if reading else None
    flags = list(by_patterns)
    if by_classifier and by_classifier not in flags:
        if GENERIC in flags:
            flags[flags.index(GENERIC)] = by_classifier  # pain was a symptom of something more specific
        elif not flags or by_classifier == CRISIS:
            flags.append(by_classifier)
    order = {kind: rank for rank, kind in enumerate(learned.RED_FLAGS)}
    flags.sort(key=lambda kind: order.get(kind, len(order)))
    unsure = not flags and bool(reading and reading.unsure)
    return SafetyReading(flags, unsure, list(by_patterns), by_classifier)


def read_safety(text: str, context: str | None = None) -> SafetyReading:
    """Both readers on one message (`context`: the family's previous message, if any).

    The patterns never fail; if the classifier does (a broken model file), the patterns'
    reading stands and the failure is logged, so a message is never held back by it.
    """
    by_patterns = detect_red_flags(text)
    try:
        reading = learned.read(text, context)
    except Exception:  # noqa: BLE001 - the lexicon reader still stands between the family and a miss
        log.exception("the learned red-flag reader failed; the patterns' reading stands")
        reading = None
    return combine(by_patterns, reading)
