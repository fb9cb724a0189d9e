"""The text engine of understanding: every module reads a message through it.

Language detection, red flags, signals, places and the fact extractors all
need the same few things from a message, and when each did them its own way
they disagreed on what a word, a script or a quoted reply was:

- lexicon.py   loading the YAML word lists under lexicon/ (cached);
- scripts.py   scripts, word characters, CJK, word tokens;
- normal.py    the two normalised forms (match form, indexed form);
- quotes.py    the writer's own lines of an e-mail reply (and what of a message is read);
- patterns.py  the regex pattern language of red_flags.yml and signals.yml;
- terms.py     the trie lexicons of the facts and places (Terms, Hit);
- message.py   a message in the indexed form, with sentences and clauses (Text).

Import from here, not from the modules.
"""
from dialogs.understanding.text.lexicon import LEXICON_DIR, load_lexicon
from dialogs.understanding.text.message import Text
from dialogs.understanding.text.normal import normalize, normalize_indexed, normalize_key, normalize_pattern, visible_nfc
from dialogs.understanding.text.patterns import NEVER, SPACE, WORD_END, WORD_START, compile_patterns, expand_plain
from dialogs.understanding.text.quotes import own_words, readable_text, strip_quoted_reply
from dialogs.understanding.text.scripts import WORD_CHARS, is_cjk, script, token_script, tokens
from dialogs.understanding.text.terms import PREFIX_LANGUAGES, Hit, Terms, cue_terms, longest, undominated

__all__ = [
    "LEXICON_DIR", "NEVER", "PREFIX_LANGUAGES", "SPACE", "WORD_CHARS", "WORD_END", "WORD_START",
    "Hit", "Terms", "Text",
    "compile_patterns", "cue_terms", "expand_plain", "is_cjk", "load_lexicon",
    "longest", "normalize", "normalize_indexed", "normalize_key", "normalize_pattern", "own_words",
    "readable_text", "script", "strip_quoted_reply", "token_script", "tokens", "undominated", "visible_nfc",
]
