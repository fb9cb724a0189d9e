"""What the writer asks for: a pathway code, or "unsure" when they ask to be advised."""
from __future__ import annotations

from functools import lru_cache

from dialogs.understanding.fx_text import Negation, Terms, Text, load, longest

MAX_TEXT = 300


@lru_cache(maxsize=1)
def _terms() -> tuple[Terms, Terms, Terms]:
    data = load("request.yml")
    services, cues, unsure = Terms(), Terms(), Terms()
    for code, block in data["services"].items():
        services.add_block(block, code)
    cues.add_block(data["request_cues"], True)
    unsure.add_block(data["unsure"], True)
    return services, cues, unsure


def request(t: Text, language: str | None = None) -> dict[str, str]:
    """{"request.service": ..., "request.text": ...} or {}: a service named in a
    sentence that asks for something wins over "unsure"."""
    services, cues, unsure = _terms()
    negated = Negation(t, language)
    cue_hits = cues.find(t, language)
    for hit in longest(services.find(t, language)):
        if negated(hit.start, hit.end):
            continue
        s, e = t.sentence(hit.start)
        if t.is_short() or any(s <= c.start < e for c in cue_hits):
            return {"request.service": hit.value, "request.text": _sentence_text(t, s, e)}
    for hit in longest(unsure.find(t, language)):
        s, e = t.sentence(hit.start)
        return {"request.service": "unsure", "request.text": _sentence_text(t, s, e)}
    return {}


def _sentence_text(t: Text, start: int, end: int) -> str:
    return t.orig(start, end).strip()[:MAX_TEXT]
