"""What the writer asks for: a pathway code, or "unsure" when they ask to be advised."""
from __future__ import annotations

import re
from functools import lru_cache

from dialogs.understanding.facts.negation import Negation
from dialogs.understanding.facts.numbers import chinese_number, to_int, word_class, word_table
from dialogs.understanding.text import Terms, Text, cue_terms, is_cjk, load_lexicon, longest

MAX_TEXT = 300
# A numbered answer line of an e-mail ("2. not sure", "3) in person second opinion").
NUMBERED = re.compile(r"(?:^|\n)[ \t]*\(?\d{1,2}[.):][ \t]*([^\n]*)")
BARE_WORDS = 6
# A generic service word made specific by another in the same sentence.
REFINED_BY = {"remote_second_opinion": ("in_person_second_opinion",)}


@lru_cache(maxsize=1)
def _terms() -> tuple[Terms, Terms, Terms, Terms]:
    data = load_lexicon("facts/request.yml")
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


def request(t: Text, language: str | None = None, answering: bool = False) -> dict[str, str]:
    """{"request.service": ..., "request.text": ...} or {}: a service named in a
    sentence that asks for something wins over "unsure". `answering`: the message
    answers "how can we help?", so any service it names (not negated) is the wish."""
    services, cues, unsure, bare = _terms()
    negated = Negation(t, language)
    cue_hits = cues.find(t, language)
    answers = _answer_spans(t)
    hits = longest(services.find(t, language))
    # Answering "how can we help?", a service named in passing counts, unless the family
    # also says they do not know which ("protons were mentioned, but we are not sure").
    bare_hits = bare.find(t, language)
    doubt = bool(unsure.find(t, language) or bare_hits)
    for hit in hits:
        if negated(hit.start, hit.end):
            continue
        s, e = t.sentence(hit.start)
        if any(hit.end <= u.start < e for u in bare_hits):
            # "we read about protons but don't know which service is right": not a wish yet
            # ("not sure, but we would like a second opinion" still is one).
            continue
        answered = answering and not doubt
        if answered or t.is_short() or any(s <= c.start < e for c in cue_hits) or any(a <= hit.start < b for a, b, _ in answers):
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


MENU_SIZE = 8
MENU_MAX_WORDS = 5
_MENU_TOKEN = re.compile(r"[^\s,.!?;:()\"'#\-]+|#")


def _numeral(token: str) -> int | None:
    """One token as a number: digits of any script (already ASCII), "6th", "六", "第六"."""
    token = token.strip("第个项号")
    if not token:
        return None
    if all(c in "零一二三四五六七八九十两" for c in token):
        return chinese_number(token)
    # Digits ("6", "6th", "6e"); number words come from the menu's own tables (_number_words).
    return to_int(token) if token[0].isdigit() else None


def menu_number_in(text: str, language: str | None = None) -> int | None:
    """A numbered menu answer as the whole message or as one of its sentences
    ("...cannot operate here. The third one please.")."""
    whole = menu_number(text, language)
    if whole is not None:
        return whole
    t = Text(text)
    found = {n for a, b in t.sentences() if (n := menu_number(t.orig(a, b), language, strict=True)) is not None}
    return found.pop() if len(found) == 1 else None


def menu_number(text: str, language: str | None = None, strict: bool = False) -> int | None:
    """A numbered answer to the service menu: a short message holding one number
    1-8 (any script's digits, Chinese numerals, number words and ordinals of the
    16 languages, "number 4", "the sixth"), and nothing else but menu words (and
    one other word, unless `strict`: "stage 3." inside a story is no menu answer)."""
    t = Text(text)
    low = t.low.strip()
    if not low or len(low) > 60:
        return None
    # Multi-word number words first ("ikaapat na", "pang apat"), then single tokens.
    values: list[int] = []
    rest = " " + low + " "
    for kind in ("ordinals", "cardinals"):
        found = _number_words(kind, rest)
        if found and kind == "ordinals":
            values += [v for v, _ in found]
            for _, span in found:
                rest = rest.replace(span, " ")
            rest = re.sub(r"(?<!\S)(?:one|ones)(?!\S)", " ", rest)  # "the second one"
        elif found and not values:
            values += [v for v, _ in found]
            for _, span in found:
                rest = rest.replace(span, " ")
    menu_hits = cue_terms("facts/request.yml", "menu_words").find(Text(rest.strip()), language)
    leftover = Text(rest.strip())
    covered = [False] * leftover.n
    for hit in menu_hits:
        for i in range(hit.start, hit.end):
            covered[i] = True
    tokens = [m for m in _MENU_TOKEN.finditer(leftover.low)]
    others = 0
    for m in tokens:
        value = _numeral(m.group(0))
        if value is not None:
            values.append(value)
        elif not all(covered[m.start():m.end()]):
            if any(not c.isascii() and c.isalpha() and is_cjk(c) for c in m.group(0)):
                chars = [c for i, c in enumerate(m.group(0)) if not covered[m.start() + i]]
                parsed = _numeral("".join(chars))
                if parsed is not None:
                    values.append(parsed)
                    continue
            others += 1
    if others > (0 if strict else 1) or len(tokens) > MENU_MAX_WORDS + 1 or len(set(values)) != 1:
        return None
    value = values[0]
    return value if 1 <= value <= MENU_SIZE else None


def _number_words(kind: str, text: str) -> list[tuple[int, str]]:
    """(value, matched words) of the number words of one kind in a padded text."""
    wc = word_class()
    found: list[tuple[int, str]] = []
    for pattern, value, source in sorted(word_table(kind), key=lambda row: -len(row[2])):
        if all(is_cjk(c) for c in source if c.isalpha()) and source:
            continue  # Chinese numerals are read by _numeral, also glued to 第/个
        for m in re.finditer(rf"(?<!{wc})(?:{source})(?!{wc})", text):
            if m.group(0).strip() and not any(m.group(0) in span for _, span in found):
                found.append((value, m.group(0)))
    return found


def asks_something(text: str, language: str | None = None) -> bool:
    """The message is a question: a question mark or an interrogative word (request.yml)."""
    if not (text and text.strip()):
        return False
    return bool(cue_terms("facts/request.yml", "question_cues").find(Text(text), language))
