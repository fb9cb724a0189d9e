"""What the writer asks for: a pathway code, or "unsure" when they ask to be advised."""
from __future__ import annotations

import re
from functools import lru_cache

from dialogs.understanding.fx_text import Negation, Terms, Text, load, longest

MAX_TEXT = 300
# A numbered answer line of an e-mail ("2. not sure", "3) in person second opinion").
NUMBERED = re.compile(r"(?:^|\n)[ \t]*\(?\d{1,2}[.):][ \t]*([^\n]*)")
BARE_WORDS = 6
# A generic service word made specific by another in the same sentence.
REFINED_BY = {"remote_second_opinion": ("in_person_second_opinion",)}


@lru_cache(maxsize=1)
def _terms() -> tuple[Terms, Terms, Terms, Terms]:
    data = load("request.yml")
    services, cues, unsure, bare = Terms(), Terms(), Terms(), Terms()
    for code, block in data["services"].items():
        services.add_block(block, code)
    cues.add_block(data["request_cues"], True)
    unsure.add_block(data["unsure"], True)
    bare.add_block(data["unsure_bare"], True)
    return services, cues, unsure, bare


def _answer_spans(t: Text) -> list[tuple[int, int, bool]]:
    """Numbered e-mail answer lines as (start, end, bare): each answers one of
    our questions, as a short WhatsApp reply does; `bare` when it is a few words."""
    spans = []
    for m in NUMBERED.finditer(t.low):
        body = m.group(1)
        spans.append((m.start(1), m.end(1), len(body.split()) <= BARE_WORDS))
    return spans


def request(t: Text, language: str | None = None) -> dict[str, str]:
    """{"request.service": ..., "request.text": ...} or {}: a service named in a
    sentence that asks for something wins over "unsure"."""
    services, cues, unsure, bare = _terms()
    negated = Negation(t, language)
    cue_hits = cues.find(t, language)
    answers = _answer_spans(t)
    hits = longest(services.find(t, language))
    for hit in hits:
        if negated(hit.start, hit.end):
            continue
        s, e = t.sentence(hit.start)
        if t.is_short() or any(s <= c.start < e for c in cue_hits) or any(a <= hit.start < b for a, b, _ in answers):
            value = hit.value
            if value in REFINED_BY:
                # "બીજો અભિપ્રાય (in-person second opinion)": "second opinion" made specific
                same = {h.value for h in hits if s <= h.start < e and not negated(h.start, h.end)}
                value = next((v for v in REFINED_BY[value] if v in same), value)
            return {"request.service": value, "request.text": _sentence_text(t, s, e)}
    for hit in longest(unsure.find(t, language)):
        s, e = t.sentence(hit.start)
        return {"request.service": "unsure", "request.text": _sentence_text(t, s, e)}
    # "not sure", "emin değilim", "sijui": an answer only as a short numbered
    # e-mail line ("2. not sure"); a bare "Not sure" message answers nothing on
    # its own (the dialogue knows which question it answers), nor inside a story.
    for hit in longest(bare.find(t, language)):
        inside = [(a, b) for a, b, short in answers if short and a <= hit.start < b]
        if inside:
            s, e = inside[0]
            return {"request.service": "unsure", "request.text": _sentence_text(t, s, e)}
    return {}


def _sentence_text(t: Text, start: int, end: int) -> str:
    return t.orig(start, end).strip()[:MAX_TEXT]
