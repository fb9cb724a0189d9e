"""dialogs/understanding/text/: the text engine every reader of a message shares
(normalising, scripts, quoted replies, lexicon loading and matching)."""

from __future__ import annotations

import pytest
import yaml

from dialogs.understanding.text import (
    LEXICON_DIR,
    Terms,
    Text,
    cue_terms,
    is_cjk,
    normalize,
    normalize_indexed,
    normalize_key,
    own_words,
    script,
    strip_quoted_reply,
    tokens,
)


@pytest.mark.parametrize("raw,folded", [
    ("Fièvre", "fievre"),
    ("ATEŞİ", "atesi"),
    ("ateşı", "atesi"),
    ("٣٩٫٤", "39.4"),
    ("३९", "39"),
    ("৩৯", "39"),
    ("حرارة أعلى", "حراره اعلي"),
    ("کیمو", "كيمو"),
    ("हाँ", "हा"),
    ("ශ්\u200dරී", "ශ්රී"),
    ("don’t", "don't"),
    ("  a\n\tb  ", "a b"),
])
def test_normalize_folds_what_people_type_inconsistently(raw, folded):
    assert normalize(raw) == folded


def _strings(node, path=""):
    if isinstance(node, dict):
        for k, v in node.items():
            yield from _strings(v, f"{path}/{k}")
    elif isinstance(node, list):
        for i, v in enumerate(node):
            yield from _strings(v, f"{path}[{i}]")
    else:
        yield path, node


@pytest.mark.parametrize("name", ["language.yml", "red_flags.yml", "signals.yml"])
def test_lexicon_entries_are_all_strings(name):
    """YAML turns bare yes/no/on into booleans; every entry must stay a word."""
    data = yaml.safe_load((LEXICON_DIR / name).read_text(encoding="utf-8"))
    bad = [(p, v) for p, v in _strings(data) if not isinstance(v, (str, int, float)) or isinstance(v, bool)]
    assert bad == []



@pytest.mark.parametrize(
    "header",
    [
        "Noong Lun, Nob 2, 2026 nang 9:15 AM, CancerFax <intake@cancerfax.example> ay sumulat:",
        "2 Kas 2026 Pzt 09:14 tarihinde CancerFax <intake@cancerfax.example> şunu yazdı:",
        "2 нояб. 2026 г., в 09:14, CancerFax <intake@cancerfax.example> написал:",
        "在 2026年11月2日 09:14，CancerFax <intake@cancerfax.example> 写道：",
        "في الاثنين، 2 نوفمبر 2026 كتب CancerFax <intake@cancerfax.example>:",
    ],
)
def test_quoted_thread_below_a_localised_wrote_header_is_not_the_writers(header: str) -> None:
    reply = f"YES\n\n1. Lahore, Pakistan\n\n{header}\nWhich service would you like: remote second opinion, CAR-T ..."
    own = strip_quoted_reply(reply)
    assert "Lahore" in own and "CAR-T" not in own


def test_indexed_form_keeps_the_patients_characters_behind_each_position() -> None:
    form, index = normalize_indexed("Fièvre ٣٩")
    assert form == "Fievre 39"
    t = Text("Mon père a un cancer du poumon.")
    assert t.orig(4, 8) == "père"
    assert len(index) == len(form)


def test_indexed_form_joins_hyphenated_words_and_hard_wrapped_lines() -> None:
    assert normalize_indexed("diffuse large B-cell\nlymphoma")[0] == "diffuse large B cell lymphoma"
    assert normalize_indexed("HER2-")[0] == "HER2-"


def test_indexed_form_writes_traditional_chinese_as_simplified() -> None:
    assert normalize_key("腫瘤") == normalize_key("肿瘤") == "肿瘤"


def test_sentences_and_clauses() -> None:
    t = Text("Mon père a un cancer du poumon. Il a 70 ans, mais il va bien")
    assert t.sentences() == [(0, 31), (31, 60)]
    assert t.clause(40) == (31, 44)


@pytest.mark.parametrize(
    ("entry", "lang", "text", "language", "found"),
    [
        ("سرطان", "ar", "عنده بالسرطان", None, "سرطان"),  # after the proclitics bi- and al-
        ("=HER", "en", "her HER", None, "her"),  # case-sensitive: only the acronym
        ("chemo*", "en", "chemotherapy", None, "chemo"),  # prefix
        ("chemo", "en", "chemotherapy", None, None),  # whole word
        ("?ama", "tl", "si ama", "tl", "ama"),  # gated: only in the block's language
        ("?ama", "tl", "si ama", "sw", None),
    ],
)
def test_trie_entries(entry: str, lang: str, text: str, language: str | None, found: str | None) -> None:
    terms = Terms()
    terms.add(entry, lang, "value")
    t = Text(text)
    hits = terms.find(t, language)
    assert [t.low[h.start:h.end] for h in hits] == ([found] if found else [])


def test_cue_terms_read_one_block_of_a_lexicon_file() -> None:
    hits = cue_terms("facts/negation.yml", "clause_breaks").find(Text("fever but no cough"))
    assert [h.value for h in hits] == [True]


def test_scripts_and_tokens() -> None:
    assert script("ক") == "bengali" and script("中") == "han" and script("7") is None
    assert is_cjk("中") and is_cjk("の") and not is_cjk("a")
    assert tokens("छोरालाई क्यान्सर") == ["छोरालाई", "क्यान्सर"]  # vowel signs stay inside the word


def test_own_words_are_the_writers_lines_in_the_match_form() -> None:
    reply = "YES, I agree\n\nOn Mon, 2 Nov 2026, CancerFax wrote:\n> reply YES"
    assert own_words(reply) == "yes, i agree"
    assert strip_quoted_reply("fine\n> quoted\nthanks") == "fine\nthanks"
