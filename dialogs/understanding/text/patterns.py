"""The pattern language of the regular-expression lexicons (red_flags.yml, signals.yml).

Entries are short patterns written in the match form (see normal.normalize),
one list per language: a space allows spaces and hyphens, `{gap}` up to two
words, `{tl}` Tagalog particles, `{>}` a word end; every entry starts at a
word start (Chinese excepted) and Arabic entries also after a proclitic.
Red flags and signals read one language of patterns, so they compile it here.
"""
from __future__ import annotations

import re

from dialogs.understanding.text.normal import normalize
from dialogs.understanding.text.scripts import WORD_CHARS

WORD_START = f"(?<![{WORD_CHARS}])"
WORD_END = f"(?![{WORD_CHARS}])"
SPACE = r"[\s\-]*"
NEVER = r"(?!x)x"
# Arabic proclitics: wa-, fa-, bi-, li-, ka- and the article, e.g. وبالحرارة.
_AR_PREFIX = "(?:[وف]?[بلك]?(?:ال)?)"
_MACROS = {
    "{>}": WORD_END,
    "{gap}": r"(?:[^\s.!?;,]+[\s\-]+){0,2}",
    # Tagalog particles that sit between verb and subject ("hindi po makaihi").
    "{tl}": r"(?:(?:po|pong|ho|hong|na|nang|siya|siyang|pa|din|rin|daw|raw|ni|si|nang)[\s\-]+)*",
}
_UPPER_ESCAPE = re.compile(r"\\[A-Z]")


def expand_plain(pattern: str) -> str:
    """Normalise and expand spaces and macros, without the word-start boundary."""
    p = normalize(pattern).replace(" ", SPACE)
    for macro, regex in _MACROS.items():
        p = p.replace(macro, regex)
    return p


def _expand(pattern: str, lang: str) -> str:
    """Turn one lexicon entry into a regex on normalised text."""
    if _UPPER_ESCAPE.search(pattern):
        raise ValueError(f"upper-case escape in lexicon pattern {pattern!r}: normalisation would break it")
    p = expand_plain(pattern)
    if lang == "zh":
        return p
    if lang == "ar":
        return WORD_START + _AR_PREFIX + f"(?:{p})"
    return WORD_START + f"(?:{p})"


def compile_patterns(entries: dict[str, list[str]] | None) -> re.Pattern[str]:
    """One regex for lexicon patterns of all languages (see red_flags.yml header)."""
    parts = [f"(?:{_expand(p, lang)})" for lang, pats in (entries or {}).items() for p in pats]
    return re.compile("|".join(parts) if parts else NEVER)
