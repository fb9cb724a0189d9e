"""dialogs.understanding: the patient (age, relation to the writer)."""
from __future__ import annotations

import pytest
from dialogs.understanding.facts import extract_facts, merge_facts


def _fact(text: str, language: str, key: str):
    return extract_facts(text, language).get(key)


# ---------------------------------------------------------------- age after a named relative

@pytest.mark.parametrize(
    ("text", "age"),
    [
        ("My husband Kwame is 63 and has small cell lung cancer.", 63),
        ("My mother Mary Achieng, 70, has breast cancer.", 70),
        ("My son Ali (7) has leukaemia.", 7),
        ("My father is 58 and has prostate cancer.", 58),  # no name: unchanged
    ],
)
def test_age_after_the_patients_name(text: str, age: int) -> None:
    assert _fact(text, "en", "patient.age") == age


# ---------------------------------------------------------------- ages

@pytest.mark.parametrize(
    ("text", "language", "age"),
    [
        ("my sister has thyroid cancer, papilary type they said. shes 44", "en", 44),
        ("my grandfather has gallbladder cancer. he is 78 btw", "en", 78),
        ("my mother has breast cancer, she's 61 this year", "en", 61),
        ("Hi po, para sa lola ko. 74 na po siya, may colon cancer", "tl", 74),
        ("para sa tatay ko, 66 na siya, may prostate cancer", "tl", 66),
        ("السلام عليكم، بنتي عندها ١٢ سنة وعندها ساركوما", "ar", 12),
        ("ابني عنده ٩ سنين وعنده لوكيميا", "ar", 9),
        ("amar abbur colon cancer. abbur boyosh 60", "bn", 60),
        ("en amma ku cervix cancer, amma ku 52 vayasu", "ta", 52),
        ("હું ૫૮ વર્ષની છું, મને સ્તન કેન્સર છે", "gu", 58),
        ("你好，我爸爸今年65岁，套细胞淋巴瘤", "zh", 65),
    ],
)
def test_age_wordings(text: str, language: str, age: int) -> None:
    assert _fact(text, language, "patient.age") == age


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("2023年做了6个疗程化疗，后来一直吃伊布替尼。今年9月复查又复发了", "zh"),  # a month, not an age
        ("he is 78kg now and eating well", "en"),
    ],
)
def test_no_age_from_months_or_weights(text: str, language: str) -> None:
    assert _fact(text, language, "patient.age") is None


@pytest.mark.parametrize(
    ("text", "language", "age"),
    [
        ("माफ गर्नुहोस्, श्रीमतीको उमेर ४१ होइन ४३ वर्ष हो।", "ne", 43),
        ("माफ़ कीजिए, पापा की उम्र 64 नहीं 68 साल है", "hi", 68),
        ("pardon, babam 70 değil 72 yaşında", "tr", 72),
        ("sorry, my mother is 45, not 54", "en", 45),  # English "not" negates what follows
    ],
)
def test_corrected_age_takes_the_right_number(text: str, language: str, age: int) -> None:
    assert _fact(text, language, "patient.age") == age


def test_corrected_age_replaces_the_earlier_one() -> None:
    facts = merge_facts({}, extract_facts("मेरो श्रीमतीलाई स्तन क्यान्सर छ, उमेर ४१ वर्ष", "ne"))
    facts = merge_facts(facts, extract_facts("माफ गर्नुहोस्, श्रीमतीको उमेर ४१ होइन ४३ वर्ष हो।", "ne"))
    assert facts["patient.age"] == 43


# ---------------------------------------------------------------- relation and the writer as patient

@pytest.mark.parametrize(
    ("text", "language", "relation"),
    [
        ("assalamualaikum. amar abbur colon cancer, 2024 e dhora porse", "bn", "parent"),
        ("amar ammur breast cancer dhora porse", "bn", "parent"),
        ("vanakkam. en amma ku cervix cancer nu sonnanga", "ta", "parent"),
        ("en appavuku lung cancer iruku", "ta", "parent"),
        ("ગયા મહિને મને સ્તન કેન્સર (breast cancer) નું નિદાન થયું.", "gu", "self"),
    ],
)
def test_relation_wordings(text: str, language: str, relation: str) -> None:
    assert _fact(text, language, "patient.relation") == relation


# ---------------------------------------------------------------- ages

@pytest.mark.parametrize(
    ("text", "language", "age"),
    [
        ("بنتي عمرها سنتين، والأطباء قالوا عندها ورم في العين", "ar", 2),
        ("ابني عمره سنتان وعنده ورم ويلمز", "ar", 2),
        ("Her father, my father-in-law, is 71 and has follicular lymphoma.", "en", 71),
        ("My uncle, is 66 and has bladder cancer", "en", 66),
    ],
)
def test_age_wordings_more(text: str, language: str, age: int) -> None:
    assert _fact(text, language, "patient.age") == age


def test_two_years_ago_is_no_age() -> None:
    assert _fact("أبي تشخص بسرطان الرئة قبل سنتين", "ar", "patient.age") is None


# ---------------------------------------------------------------- relation

@pytest.mark.parametrize(
    ("text", "language", "relation"),
    [
        ("My wife asked me to write. Her father, my father-in-law, is 71 and has follicular lymphoma.", "en", "other_family"),
        ("His mother, my grandmother, has colon cancer", "en", "other_family"),
        ("Son père, mon beau-père, a 71 ans et un lymphome.", "fr", "other_family"),
        # a lone "her father" still counts, and "my" relations are untouched
        ("Her father has lung cancer, he is 70", "en", "parent"),
        ("My mother has breast cancer and her sister had it too", "en", "parent"),
        ("Mon père a un cancer du poumon", "fr", "parent"),
    ],
)
def test_relation_from_the_writers_side(text: str, language: str, relation: str) -> None:
    assert _fact(text, language, "patient.relation") == relation
