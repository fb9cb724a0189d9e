"""Splitting a long reply into Twilio-sized parts at the best boundary
(paragraph, sentence, line, space), never inside a grapheme when avoidable.
"""

from __future__ import annotations

import re

from channels.base import is_grapheme_continuation

# Twilio caps an outbound body at 1600 characters.
TWILIO_BODY_LIMIT = 1600

# Boundary kinds, best first. Each yields candidate cut positions: the part
# ends at the cut (trailing whitespace dropped) and the next part starts after
# the whitespace that follows.
_PARAGRAPH_RE = re.compile(r"\n[ \t]*\n")
# Latin/Cyrillic/Arabic/Devanagari sentence ends need whitespace after them
# ("3.5 mg" is not a boundary); CJK full stops do not.
_SENTENCE_RE = re.compile(r"[.!?…؟۔।][\"'”’»)\]]*(?=\s)|[。！？][」』”’）)]*")
_LINE_RE = re.compile(r"\n")
_SPACE_RE = re.compile(r"\s")


def _window(text: str, limit: int) -> int:
    """Number of leading characters of `text` that fit in `limit` UTF-16 units."""
    units = 0
    for i, ch in enumerate(text):
        units += 2 if ord(ch) > 0xFFFF else 1
        if units > limit:
            return i
    return len(text)


_BOUNDARIES = (
    (_PARAGRAPH_RE, False),  # (pattern, cut after the match instead of before)
    (_SENTENCE_RE, True),
    (_LINE_RE, False),
    (_SPACE_RE, False),
)


def _cut_point(text: str, size: int) -> int:
    """Where to end the next part, given that text[:size] fits (and text is longer)."""
    scan = text[: size + 1]  # one more char so a boundary right after the window counts
    fallback = 0
    for pattern, after in _BOUNDARIES:
        best = 0
        for m in pattern.finditer(scan):
            cut = m.end() if after else m.start()
            if 0 < cut <= size:
                best = cut
        if best:
            # A better kind of boundary wins unless it would leave a tiny part.
            if best * 2 >= size:
                return best
            fallback = fallback or best
    if fallback:
        return fallback
    # Hard split as a last resort, never inside a grapheme cluster if avoidable.
    cut = size
    while cut > 0 and _bad_hard_cut(text, cut):
        cut -= 1
    return cut if cut > 0 else size


def _bad_hard_cut(text: str, cut: int) -> bool:
    return is_grapheme_continuation(text[cut]) or text[cut - 1] == "\u200d" or _inside_flag(text, cut)


def _inside_flag(text: str, cut: int) -> bool:
    """True when `cut` falls between the two regional indicators of a flag."""

    def is_ri(ch: str) -> bool:
        return 0x1F1E6 <= ord(ch) <= 0x1F1FF

    if not (is_ri(text[cut - 1]) and is_ri(text[cut])):
        return False
    run = 0
    i = cut - 1
    while i >= 0 and is_ri(text[i]):
        run += 1
        i -= 1
    return run % 2 == 1


def split_text(text: str, limit: int = TWILIO_BODY_LIMIT) -> list[str]:
    """Split `text` into parts of at most `limit` characters for Twilio.

    Cuts at paragraph or sentence ends first (".", "!", "?", "…", "؟", "۔",
    "।", and the CJK "。！？"), then at line breaks, then at spaces, and only as
    a last resort inside a word (never between an emoji and its modifiers when
    avoidable). Length is counted in UTF-16 code units, which is never less
    than the number of code points, so the limit holds however the provider
    counts. Parts are stripped and never empty; only whitespace at the cuts is
    dropped, so every word survives in order. Blank text gives [].

    Raises:
        ValueError: limit below 2 (an emoji needs 2 UTF-16 units).
    """
    if limit < 2:
        raise ValueError("limit must be at least 2")
    rest = text.strip()
    parts: list[str] = []
    while rest:
        size = _window(rest, limit)
        if size >= len(rest):
            parts.append(rest)
            break
        cut = _cut_point(rest, size)
        part = rest[:cut].rstrip()
        if part:
            parts.append(part)
        rest = rest[cut:].lstrip()
    return parts
