"""Scripts, word characters and word tokens.

Language detection decides by script first; the lexicon matchers need word
boundaries that hold for Indic vowel signs (not `\\w` in Python) and for
Chinese and Japanese, which put no spaces between words. One definition of
each keeps every reader of a message agreeing on where a word starts.
"""
from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

# Characters that belong inside a word. Python's \w leaves out the vowel
# signs and viramas of Indic scripts (categories Mc/Mn), which would cut
# "छोरालाई" into pieces, so whole Indic blocks and Arabic harakat are added.
WORD_CHARS = "\\w\u0900-\u0DFF\u064B-\u065F\u0670\u200c\u200d"
_TOKEN_RE = re.compile(f"[{WORD_CHARS}'’]+")

_SCRIPT_RANGES: tuple[tuple[int, int, str], ...] = (
    (0x0041, 0x005A, "latin"), (0x0061, 0x007A, "latin"),
    (0x00C0, 0x024F, "latin"), (0x1E00, 0x1EFF, "latin"),
    (0x0370, 0x03FF, "greek"),
    (0x0400, 0x052F, "cyrillic"),
    (0x0590, 0x05FF, "hebrew"),
    (0x0600, 0x06FF, "arabic"), (0x0750, 0x077F, "arabic"),
    (0x08A0, 0x08FF, "arabic"), (0xFB50, 0xFDFF, "arabic"),
    (0xFE70, 0xFEFF, "arabic"),
    (0x0900, 0x097F, "devanagari"),
    (0x0980, 0x09FF, "bengali"),
    (0x0A00, 0x0A7F, "gurmukhi"),
    (0x0A80, 0x0AFF, "gujarati"),
    (0x0B00, 0x0B7F, "oriya"),
    (0x0B80, 0x0BFF, "tamil"),
    (0x0C00, 0x0C7F, "telugu"),
    (0x0C80, 0x0CFF, "kannada"),
    (0x0D00, 0x0D7F, "malayalam"),
    (0x0D80, 0x0DFF, "sinhala"),
    (0x0E00, 0x0E7F, "thai"),
    (0x1200, 0x139F, "ethiopic"),
    (0x3040, 0x30FF, "kana"), (0x31F0, 0x31FF, "kana"),
    (0x3400, 0x4DBF, "han"), (0x4E00, 0x9FFF, "han"),
    (0xF900, 0xFAFF, "han"), (0x20000, 0x2FA1F, "han"),
    (0x1100, 0x11FF, "hangul"), (0xAC00, 0xD7AF, "hangul"),
)


@lru_cache(maxsize=65536)
def script(ch: str) -> str | None:
    """The script of one letter ("latin", "arabic", "han", ...), None for
    digits, punctuation and scripts no supported language uses."""
    o = ord(ch)
    for lo, hi, name in _SCRIPT_RANGES:
        if lo <= o <= hi:
            return name
    return None


def token_script(token: str) -> str | None:
    """The script most of a token's letters are written in."""
    counts: dict[str, int] = {}
    for ch in token:
        if ch.isdigit():
            continue
        s = script(ch)
        if s:
            counts[s] = counts.get(s, 0) + 1
    if not counts:
        return None
    return max(counts, key=counts.__getitem__)


def tokens(text: str) -> list[str]:
    """Word tokens of a raw text, Indic vowel signs kept inside words."""
    return [t.strip("'’") for t in _TOKEN_RE.findall(text) if t.strip("'’")]


@lru_cache(maxsize=65536)
def is_word(ch: str) -> bool:
    """A letter, digit or combining mark: part of a word."""
    return ch.isalnum() or unicodedata.category(ch)[0] == "M"


@lru_cache(maxsize=65536)
def is_cjk(ch: str) -> bool:
    """A Chinese character or kana: a word may start or end at it without a space."""
    o = ord(ch)
    return 0x3400 <= o <= 0x9FFF or 0xF900 <= o <= 0xFAFF or 0x3040 <= o <= 0x30FF or 0x20000 <= o <= 0x2FFFF
