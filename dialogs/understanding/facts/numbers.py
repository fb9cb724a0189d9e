"""Numbers in patient messages, and the small pattern language built on them.

Data files write patterns such as "stage {S}", "{N} years old" or "{ORD} line";
`template()` turns them into regular expressions over the normalised text, with
word boundaries that suit the script. Digits of every script are already ASCII
after normalisation; this module adds Roman numerals, Chinese numerals and the
number words of numbers.yml, and years.
"""
from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from dialogs.understanding.text import PREFIX_LANGUAGES, Text, is_cjk, load_lexicon, normalize_key, normalize_pattern

ROMAN = {"0": "0", "i": "I", "ii": "II", "iii": "III", "iv": "IV"}
STAGES_BY_NUMBER = {0: "0", 1: "I", 2: "II", 3: "III", 4: "IV"}
_CN_DIGITS = {"零": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
_EN_UNITS = "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen seventeen eighteen nineteen".split()
_EN_TENS = "twenty thirty forty fifty sixty seventy eighty ninety".split()
YEAR = re.compile(r"(?<![\d.,])(19[5-9]\d|20[0-4]\d)(?!\d)")


@lru_cache(maxsize=1)
def _marks() -> str:
    """A character class body holding every combining mark (Indic vowel signs are not \\w)."""
    ranges: list[tuple[int, int]] = []
    for cp in range(0x0300, 0x10000):
        if unicodedata.category(chr(cp))[0] == "M":
            if ranges and ranges[-1][1] == cp - 1:
                ranges[-1] = (ranges[-1][0], cp)
            else:
                ranges.append((cp, cp))
    return "".join(f"\\u{a:04x}-\\u{b:04x}" if a != b else f"\\u{a:04x}" for a, b in ranges)


def word_class() -> str:
    return f"[\\w{_marks()}]"


@lru_cache(maxsize=1)
def english_numbers() -> dict[str, int]:
    words = {w: i for i, w in enumerate(_EN_UNITS)}
    for k, tens in enumerate(_EN_TENS):
        words[tens] = 20 + 10 * k
        for unit in range(1, 10):
            words[f"{tens} {_EN_UNITS[unit]}"] = 20 + 10 * k + unit
    return words


def chinese_number(text: str) -> int | None:
    """一 .. 九十九 (and 两)."""
    if not text or any(c not in _CN_DIGITS and c != "十" for c in text):
        return None
    if "十" not in text:
        return _CN_DIGITS[text] if len(text) == 1 else None
    tens, _, units = text.partition("十")
    value = (_CN_DIGITS.get(tens, 0) if tens else 1) * 10
    return value + (_CN_DIGITS.get(units, 0) if units else 0)


def _entry_regex(entry: str) -> str:
    entry = str(entry)
    if entry.startswith("re:"):
        return normalize_pattern(entry[3:]).replace("\\b", "")
    star = entry.endswith("*")
    literal = re.escape(normalize_pattern(entry.rstrip("*").lower())).replace("\\ ", " ")
    return literal + ("\\w*" if star else "")


@lru_cache(maxsize=None)
def word_table(kind: str) -> list[tuple[re.Pattern[str], int, str]]:
    """(regex, value, regex source) of every number word of one kind ("ordinals", "cardinals")."""
    table = []
    for value, block in load_lexicon("facts/numbers.yml")[kind].items():
        for entries in block.values():
            for entry in entries:
                table.append((re.compile(_entry_regex(entry)), int(value), _entry_regex(entry)))
    return table


def words_regex(kind: str) -> str:
    """Alternation of the number words of one kind ("ordinals" or "cardinals")."""
    parts = sorted({src for _, _, src in word_table(kind)}, key=len, reverse=True)
    return "|".join(parts)


def word_value(kind: str, text: str) -> int | None:
    for pattern, value, _ in word_table(kind):
        if pattern.fullmatch(text):
            return value
    return None


MIN_WORD_NUMBER = 11  # smaller number words are also ordinary words ("do", "na", "six" as "six months")


def _composed(spec: dict) -> dict[str, int]:
    """Number words 1-99 of a language that builds them from parts (numbers.yml)."""
    out: dict[str, int] = {}
    units = [str(u) for u in spec.get("units", [])]
    alt = [str(u) for u in spec.get("units_alt", [])]
    joiners = [str(j) for j in spec.get("joiners", [""])]

    def join(head: str, tail: str, joiner: str) -> list[str]:
        if joiner == "glued":
            return [head + tail]
        if joiner == "glued't":
            return [head + "'t " + tail, head + "'t" + tail]
        if joiner == "و":
            return [f"{head} و{tail}", f"{head} و {tail}"]
        return [f"{head} {joiner} {tail}" if joiner else f"{head} {tail}"]

    for i, word in enumerate(units, 1):
        out[word] = i
    for i, word in enumerate(alt, 1):
        out[word] = i
    for i, word in enumerate(spec.get("teens") or [], 10):
        out[str(word)] = i
    for tens, words in (spec.get("tens") or {}).items():
        for word in words:
            out[str(word)] = int(tens)
    heads = {int(k): v for k, v in (spec.get("combining") or spec.get("tens") or {}).items()}
    for tens, words in heads.items():
        for head in words:
            for k, unit in enumerate(units, 1):
                for form in [unit] + ([alt[k - 1]] if alt else []):
                    for joiner in joiners:
                        if spec.get("unit_first"):
                            for tens_word in (spec.get("tens") or {}).get(tens, []):
                                for text in join(form, str(tens_word), joiner):
                                    out[text] = tens + k
                        else:
                            for text in join(str(head), form, joiner):
                                out[text] = tens + k
            if k == 1 and spec.get("one_joiner"):
                for j in spec["one_joiner"]:
                    out[f"{head} {j} {units[0]}"] = tens + 1
    if spec.get("sandhi") == "tamil":
        out.update(_tamil_glued(heads, units))
    for tens, words in (spec.get("teen_tens") or {}).items():
        for head in words:
            for i, teen in enumerate(spec.get("teens") or []):
                out[f"{head} {teen}"] = int(tens) + i
                if i == 1 and spec.get("one_joiner"):
                    out[f"{head} {spec['one_joiner'][0]} {teen}"] = int(tens) + i
    return out


# Tamil joins a tens word ending in -து to a unit starting with a vowel by turning
# that vowel into a vowel sign: அறுபத்து + ஐந்து = அறுபத்தைந்து, எழுபத்து + எட்டு = எழுபத்தெட்டு.
_TAMIL_VOWEL_SIGNS = {"அ": "", "ஆ": "\u0bbe", "இ": "\u0bbf", "ஈ": "\u0bc0", "உ": "\u0bc1", "ஊ": "\u0bc2",
                      "எ": "\u0bc6", "ஏ": "\u0bc7", "ஐ": "\u0bc8", "ஒ": "\u0bca", "ஓ": "\u0bcb"}


def _tamil_glued(heads: dict[int, list[str]], units: list[str]) -> dict[str, int]:
    out: dict[str, int] = {}
    for tens, words in heads.items():
        for head in words:
            head = str(head)
            if not head.endswith("\u0bc1"):
                continue
            stem = head[:-1]
            for k, unit in enumerate(units, 1):
                sign = _TAMIL_VOWEL_SIGNS.get(unit[0])
                out[stem + sign + unit[1:] if sign is not None else head + unit] = tens + k
    return out


@lru_cache(maxsize=1)
def all_number_words() -> dict[str, int]:
    """Normalised number word -> value (1..99), all languages but English."""
    data = load_lexicon("facts/numbers.yml")["number_words"]
    table: dict[str, int] = {}
    for spec in data["compose"].values():
        table.update(_composed(spec))
    for words in data["lists"].values():
        for i, word in enumerate(words, 1):
            table[str(word)] = i
    return {key: value for word, value in table.items() if (key := normalize_key(word))}


@lru_cache(maxsize=1)
def number_words() -> dict[str, int]:
    """The number words {N} reads anywhere: MIN_WORD_NUMBER..99 and not also an ordinary word."""
    skip = {normalize_key(str(w)) for w in load_lexicon("facts/numbers.yml")["number_words"].get("not_numbers") or []}
    return {k: v for k, v in all_number_words().items() if v >= MIN_WORD_NUMBER and k not in skip}


def _trie_regex(words: list[str]) -> str:
    """A compact regex for a set of literals (a trie), far faster than a flat alternation."""
    trie: dict = {}
    for word in words:
        node = trie
        for ch in word:
            node = node.setdefault(ch, {})
        node[""] = {}

    def walk(node: dict) -> str:
        ends = "" in node
        branches = [re.escape(ch) + walk(child) for ch, child in sorted(node.items()) if ch]
        if not branches:
            return ""
        body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
        return f"(?:{body})?" if ends else body

    return walk(trie)


def to_int(token: str) -> int | None:
    """A number token found by a pattern: digits, Chinese numerals or a number word."""
    token = token.strip().lower()
    if token.isdigit():
        return int(token)
    m = re.fullmatch(r"(\d+)\s*(?:st|nd|rd|th|e|er|re|eme|ème|-?[йяю])", token)
    if m:
        return int(m.group(1))
    if (value := chinese_number(token)) is not None:
        return value
    if token in english_numbers():
        return english_numbers()[token]
    if token in all_number_words():
        return all_number_words()[token]
    for kind in ("cardinals", "ordinals"):
        if (value := word_value(kind, token)) is not None:
            return value
    return None


def stage_value(token: str) -> str | None:
    """'IIB' -> 'II', '4a' -> 'IV', 'four' -> 'IV', 'الرابعه' -> 'IV'."""
    token = token.strip().lower()
    m = re.fullmatch(r"(iv|iii|ii|i|0|[0-4])(?:[abc][12]?)?", token)
    if m:
        head = m.group(1)
        return ROMAN.get(head) or STAGES_BY_NUMBER.get(int(head))
    value = to_int(token)
    return STAGES_BY_NUMBER.get(value) if value is not None else None


@lru_cache(maxsize=1)
def _placeholders() -> dict[str, str]:
    en_words = "|".join(sorted(english_numbers(), key=len, reverse=True))
    cn = "[一二三四五六七八九十两]{1,3}"
    stage_words = words_regex("cardinals") + "|" + words_regex("ordinals")
    wc = word_class()
    return {
        "S": rf"(?P<S>(?<![a-z0-9])(?:iv|iii|ii|i|[0-4])(?:[abc][12]?)?(?![a-z0-9])|[一二三四]|(?<!{wc})(?:{stage_words}))",
        "N": rf"(?P<N>(?<![\d.,])\d{{1,3}}(?!\d|[.,]\d)|{cn}|\b(?:{en_words})\b|(?<!{wc})(?:{_trie_regex(list(number_words()))})(?=යි|ක|(?!{wc})))",
        "ORD": rf"(?P<ORD>(?<![\d.,])\d(?:st|nd|rd|th|e|er|re|eme|-?[йяю])?(?![\w])|(?<!{wc})(?:{words_regex('ordinals')}))",
        "CARD": rf"(?P<CARD>(?<![\d.,])\d(?![\d.,]\d)|(?<!{wc})(?:{words_regex('cardinals')})|\b(?:{en_words})\b)",
        "YEAR": r"(?P<YEAR>(?<!\d)(?:19[5-9]\d|20[0-4]\d)(?!\d))",
        # Any number, small number words too: only right before an explicit age word ("பத்து வயது").
        "NW": rf"(?P<N>(?<![\d.,])\d{{1,3}}(?!\d|[.,]\d)|{cn}|\b(?:{en_words})\b|(?<!{wc})(?:{_trie_regex(list(all_number_words()))})(?!{wc}))",
    }


@lru_cache(maxsize=None)
def template(source: str, lang: str = "", bare: bool = False) -> re.Pattern[str]:
    """Compile a data-file pattern with {S}/{N}/{ORD}/{CARD}/{YEAR} placeholders
    (`bare`: no word boundary in front, for patterns matched right after a word)."""
    body = normalize_pattern(source)
    body = body.replace(" ", r"[\s:\-]*")
    for name, regex in _placeholders().items():
        body = body.replace("{" + name + "}", regex, 1)
    wc = word_class()
    first = next((c for c in source if c.isalnum()), "")
    left = "" if bare or source.startswith("{") or (first and is_cjk(first)) else f"(?<!{wc})"
    last = source.rstrip("*")[-1:] if source else ""
    prefix = source.endswith("*") or lang in PREFIX_LANGUAGES
    right = "" if prefix or not last.isalnum() or is_cjk(last) or source.endswith("}") else f"(?!{wc})"
    body = body.rstrip("*")
    try:
        return re.compile(left + body + right)
    except re.error as exc:  # a data-file typo: name it
        raise ValueError(f"bad pattern {source!r}: {exc}") from exc


def templates(block: dict[str, list[str]] | None) -> list[re.Pattern[str]]:
    """All patterns of a {language: [pattern, ...]} block."""
    return [template(str(src), str(lang)) for lang, sources in (block or {}).items() for src in sources or []]



def nearest_year(t: Text, pos: int) -> int | None:
    """The year (1950-2049) nearest `pos` in its sentence ("chemo in 2023", "diagnosed 2019")."""
    s, e = t.sentence(pos)
    years = [(abs(m.start() - pos), int(m.group(1))) for m in YEAR.finditer(t.low, s, e)]
    return min(years)[1] if years else None
