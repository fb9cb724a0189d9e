"""channels/whatsapp/split.py: long texts into Twilio-sized parts."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from channels.base import utf16_len
from channels.whatsapp.split import split_text


SENTENCE_END = set(".!?…؟۔।。！？")


def nonspace(text: str) -> str:
    return "".join(text.split())


class TestSplitText:
    def test_short_text_is_one_part(self):
        assert split_text("  Hello there.  ") == ["Hello there."]

    def test_blank_text_gives_no_parts(self):
        assert split_text("") == [] and split_text(" \n\t ") == []

    def test_splits_at_sentence_boundaries(self):
        text = "First sentence here. Second one is here! Third? Fourth sentence."
        parts = split_text(text, limit=42)
        assert parts == ["First sentence here. Second one is here!", "Third? Fourth sentence."]

    def test_decimal_point_is_not_a_sentence_end(self):
        parts = split_text("Dose is 3.5 mg daily and more words follow here", limit=20)
        assert all(not p.endswith("3.") for p in parts)
        assert " ".join(parts).split() == "Dose is 3.5 mg daily and more words follow here".split()

    def test_prefers_paragraph_then_sentence(self):
        text = "Para one sentence one. Para one sentence two.\n\nPara two."
        assert split_text(text, limit=50) == ["Para one sentence one. Para one sentence two.", "Para two."]

    def test_very_long_sentence_splits_at_words(self):
        text = " ".join(["word"] * 100)
        parts = split_text(text, limit=50)
        assert all(len(p) <= 50 for p in parts)
        assert all(set(p.split()) == {"word"} for p in parts)

    def test_cjk_splits_after_full_stops(self):
        text = "我父亲今年五十六岁。" * 3 + "他住在广州！" + "请帮助我们？"
        parts = split_text(text, limit=25)
        assert all(p[-1] in "。！？" for p in parts)
        assert "".join(parts) == text

    def test_arabic_question_mark_is_a_sentence_end(self):
        text = "هل يمكنكم المساعدة؟ ابني عمره سبع سنوات."
        parts = split_text(text, limit=25)
        assert parts[0] == "هل يمكنكم المساعدة؟"

    def test_hard_split_does_not_break_emoji_sequences(self):
        family = "👨‍👩‍👧"  # 5 code points, 8 UTF-16 units
        text = family * 10
        parts = split_text(text, limit=9)
        assert "".join(parts) == text
        assert all(p == family for p in parts)

    def test_emoji_count_double_in_utf16(self):
        parts = split_text("😀" * 10, limit=4)
        assert parts == ["😀😀"] * 5

    def test_flags_are_not_cut_in_half(self):
        parts = split_text("🇰🇪🇹🇿🇺🇬", limit=5)
        assert parts == ["🇰🇪", "🇹🇿", "🇺🇬"]

    def test_default_limit_is_twilio_1600(self):
        parts = split_text("Sentence number one is here. " * 200)
        assert len(parts) > 1 and all(len(p) <= 1600 for p in parts)

    def test_limit_below_two_is_refused(self):
        with pytest.raises(ValueError):
            split_text("abc", limit=1)

    ALPHABET = st.sampled_from(
        list("abcXYZ019 .,!?\n\t") + ["。", "！", "？", "؟", "…", "😀", "👍", "\U0001F3FD", "\u200d", "🇰", "🇪", "ש", "م", "ক", "\u200f", "é", "\u0301", "中", "\x00"]
    )

    @settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
    @given(text=st.text(alphabet=ALPHABET | st.characters(), max_size=600), limit=st.integers(min_value=2, max_value=120))
    @example(text="a" * 1700, limit=1600)
    @example(text="😀" * 900, limit=1600)
    def test_properties(self, text, limit):
        parts = split_text(text, limit)
        # never exceeding the limit (in code points nor UTF-16 units), no empty parts
        assert all(0 < len(p) <= limit and utf16_len(p) <= limit for p in parts)
        assert all(p == p.strip() and p for p in parts)
        # every non-space character survives, in order
        assert nonspace("".join(parts)) == nonspace(text)
        # blank in, nothing out; fitting text comes back whole
        if not text.strip():
            assert parts == []
        elif utf16_len(text.strip()) <= limit:
            assert parts == [text.strip()]

    @settings(max_examples=200)
    @given(
        words=st.lists(st.text(alphabet=st.sampled_from(list("abcdefשלוםمرحبا😀👍ক")), min_size=1, max_size=12), min_size=1, max_size=80),
        seps=st.lists(st.sampled_from([" ", "\n", "  ", ". ", "! ", "? ", "\n\n"]), min_size=80, max_size=80),
        limit=st.integers(min_value=24, max_value=200),
    )
    def test_words_are_never_cut_when_they_fit(self, words, seps, limit):
        text = "".join(w + s for w, s in zip(words, seps))
        parts = split_text(text, limit)
        assert [w for p in parts for w in p.split()] == text.split()

    @given(st.text(max_size=300), st.integers(min_value=2, max_value=50))
    def test_each_part_is_stable_under_resplitting(self, text, limit):
        for part in split_text(text, limit):
            assert split_text(part, limit) == [part]
