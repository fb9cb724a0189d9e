"""Normalising a message so that a lexicon lists one spelling of each word.

Patients type the same word many ways: with or without diacritics, in
Arabic-Indic, Bengali or Devanagari digits, with Urdu or Arabic letter forms,
in Traditional or Simplified characters, with or without joiners and hyphens.
Both the message and every lexicon entry go through the same step, in one of
two forms:

- the *match form* (`normalize`): a flat, case-folded string for the regular
  expression lexicons (red flags, signals, language markers); nasal marks are
  dropped ("हाँ" = "हां" = "हा"), white space collapsed;
- the *indexed form* (`normalize_indexed`): case kept, each character mapped
  back to the patient's own text (the facts quote the patient's words), for
  the trie lexicons of the facts and places; candrabindu becomes anusvara,
  Traditional Chinese becomes Simplified, "B-cell" becomes "B cell".

The two forms share their tables below; where they differ, the lexicons
written against each rely on it.
"""
from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from dialogs.understanding.text.lexicon import load_lexicon
from dialogs.understanding.text.scripts import is_word

# -------------------------------------------------------------- shared tables

_ZERO_WIDTH = "\u200b\u200c\u200d\u200e\u200f\u2060\ufeff\u00ad"
_HARAKAT = {chr(c) for c in range(0x064B, 0x0660)} | {"\u0670"}  # and the dagger alef
_NUKTA = "\u093c\u09bc\u0abc"  # often omitted by patients
_CANDRABINDU = "\u0901\u0981\u0a81"  # Devanagari, Bengali, Gujarati
_ANUSVARA = "\u0902\u0982\u0a82"
# Arabic-script letter variants folded together so one entry serves Arabic
# typed on any keyboard and Urdu: hamza seats, alef maqsura, Farsi yeh/kaf,
# Urdu heh forms, teh marbuta.
_ARABIC_LETTERS = {
    "أ": "ا", "إ": "ا", "آ": "ا", "ٱ": "ا", "ى": "ي", "ی": "ي", "ې": "ي", "ئ": "ي", "ؤ": "و",
    "ک": "ك", "ة": "ه", "ۃ": "ه", "ہ": "ه", "ھ": "ه", "ۀ": "ه",
}
_LATIN_LETTERS = {"ı": "i", "ø": "o", "æ": "ae", "œ": "oe", "đ": "d", "ł": "l"}
_APOSTROPHES = dict.fromkeys("\u2019\u2018\u02bc`\u00b4", "'")
_QUOTES = dict.fromkeys("\u201c\u201d", '"')
_DASHES = dict.fromkeys("\u2011\u2013\u2014\u2212", "-")


def _ascii_digit(ch: str) -> str:
    """A digit of any script as its ASCII digit (٣ = ३ = 3)."""
    d = unicodedata.decimal(ch, None)
    return str(d) if d is not None else ch


# ------------------------------------------------------------------ match form

# Invisible characters, variation selectors and bidirectional controls.
INVISIBLE = dict.fromkeys(
    map(ord, _ZERO_WIDTH + "\ufe0e\ufe0f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"), None)
_MATCH_DROP = _HARAKAT | set(_NUKTA + "\u0b3c" + _CANDRABINDU + _ANUSVARA)
_MATCH_FOLD = str.maketrans({
    **_ARABIC_LETTERS, "٫": ".", "،": ",", "؛": ";", "؟": "?", "ـ": None,
    **_LATIN_LETTERS, "ð": "d", "þ": "th",
    **_APOSTROPHES, **_DASHES, **_QUOTES, "«": '"', "»": '"',
})


def _is_latin_letter(ch: str) -> bool:
    o = ord(ch)
    return (0x41 <= o <= 0x7A) or (0xC0 <= o <= 0x24F) or (0x1E00 <= o <= 0x1EFF)


def visible_nfc(text: str) -> str:
    """The raw text in NFC without invisible joiners and direction marks (for script counts)."""
    return unicodedata.normalize("NFC", text).translate(INVISIBLE)


def normalize(text: str, *, lower: bool = True) -> str:
    """The match form: case, Latin diacritics ("fièvre" = "fievre", "ateş" = "ates"),
    digits of every script (٣٩ = ३९ = 39), Arabic letter variants, Indic nasal and
    nukta marks and invisible joiners folded, white space collapsed."""
    if not text:
        return ""
    text = unicodedata.normalize("NFKC", text).translate(INVISIBLE)
    if lower:
        text = text.casefold()
    out: list[str] = []
    for ch in text:
        if ch.isdigit() and not ch.isascii():
            out.append(_ascii_digit(ch))
        elif ch in _MATCH_DROP:
            continue
        elif ord(ch) > 0x7F and _is_latin_letter(ch):
            out.append(unicodedata.normalize("NFD", ch)[0])
        elif 0x300 <= ord(ch) <= 0x36F:
            continue  # stray combining accent (e.g. from casefolded "İ")
        else:
            out.append(ch)
    return re.sub(r"\s+", " ", "".join(out).translate(_MATCH_FOLD)).strip()


# ---------------------------------------------------------------- indexed form

_INDEXED_DROP = set(_ZERO_WIDTH) | {"\u0640"} | _HARAKAT | set(_NUKTA)
_INDEXED_MAP = {
    **_ARABIC_LETTERS, "ۍ": "ي", "ڪ": "ك",
    **dict(zip(_CANDRABINDU, _ANUSVARA)),
    **_LATIN_LETTERS, "İ": "I", "ß": "ss", "Œ": "OE", "Ø": "O", "ё": "е", "Ё": "Е",
    **_APOSTROPHES, **_QUOTES, **_DASHES, "\u2010": "-", "\u2012": "-",
    "\u00a0": " ", "\u3000": " ", "\t": " ", "\r": "\n", "\u060c": ",", "\u061b": ";", "\uff0c": ",",
    "\u3001": ",", "\uff08": "(", "\uff09": ")", "\uff1a": ":", "\uff1b": ";",
}
_LIST_ITEM = re.compile(r"[ \t]*(?:\d{1,2}[.)]|[-*•>])")


@lru_cache(maxsize=None)
def _t2s() -> dict[str, str]:
    pairs = "".join(load_lexicon("facts/chinese.yml")["traditional_simplified"].split())
    if len(pairs) % 2:
        raise ValueError("chinese.yml: traditional_simplified must hold character pairs")
    return {pairs[i]: pairs[i + 1] for i in range(0, len(pairs), 2) if pairs[i] != pairs[i + 1]}


@lru_cache(maxsize=65536)
def _norm_char(ch: str) -> str:
    """One input character -> its indexed-form characters (possibly none or several)."""
    if ch in _INDEXED_DROP:
        return ""
    if ch in _INDEXED_MAP:
        return _INDEXED_MAP[ch]
    out = []
    for c in unicodedata.normalize("NFKC", ch):
        if c in _INDEXED_DROP:
            continue
        c = _INDEXED_MAP.get(c, c)
        if c.isdigit() and not c.isascii():
            c = _ascii_digit(c)
        elif "\u00c0" <= c <= "\u024f":
            base = unicodedata.normalize("NFD", c)[0]
            c = base if base.isascii() else c
        elif c in _t2s():
            c = _t2s()[c]
        out.append(c)
    return "".join(out)


def _lower(ch: str) -> str:
    low = ch.lower()
    return low if len(low) == 1 else ch


def fold_case(text: str) -> str:
    """Lower case, one character for one (so indexes into the text still hold)."""
    return "".join(_lower(c) for c in text)


def _soft_wrap(text: str, start: int) -> bool:
    """The next line continues the sentence (not a blank line, list item or quote)."""
    return start < len(text) and text[start] not in "\r\n" and not _LIST_ITEM.match(text, start)


def normalize_indexed(text: str) -> tuple[str, list[int]]:
    """The indexed form (case kept) and, for each of its characters, the index in `text`."""
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


def normalize_key(text: str) -> str:
    """Indexed form, lower case, of a lexicon word or pattern literal."""
    return fold_case(normalize_indexed(text)[0]).strip()


def normalize_pattern(source: str) -> str:
    """A regular expression written against the indexed form: only its non-ASCII
    characters are normalised, so escapes like \\D or \\S keep their meaning."""
    return "".join(c if c.isascii() else fold_case(_norm_char(c)) for c in source)
