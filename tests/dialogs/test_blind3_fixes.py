"""Understanding fixes found by replaying the third blind corpus
(tests/corpus/blind3.jsonl).

Each table holds the wording the extractors missed, in the language where the
gap was found, plus neighbouring forms the same general fix covers, and guards
that the fix does not over-reach.
"""
from __future__ import annotations

import pytest

from dialogs.understanding.facts import extract_facts


def _fact(text: str, language: str, key: str):
    return extract_facts(text, language).get(key)


# ------------------------------------------- words that look negative but are not

@pytest.mark.parametrize(
    ("text", "language", "key", "value"),
    [
        # Arabic "ما زال / لا يزال" is "still", not a negation of what follows
        ("أخذت ثلاث جرعات كيماوي وما زالت تتعالج.", "ar", "history.disease_status", "on_treatment"),
        ("والدي ما زال يأخذ العلاج الكيماوي", "ar", "history.disease_status", "on_treatment"),
        ("ابني لا يزال يتلقى العلاج الكيماوي", "ar", "history.disease_status", "on_treatment"),
        # Chinese A-not-A questions ("is there a trial") are not negations
        ("我们想了解有没有适合父亲的临床试验，希望你们能帮忙匹配。", "zh", "request.service", "clinical_trial_matching"),
        ("想问一下有没有适合的临床试验？", "zh", "request.service", "clinical_trial_matching"),
    ],
)
def test_not_negators(text: str, language: str, key: str, value: str) -> None:
    assert _fact(text, language, key) == value


@pytest.mark.parametrize(
    ("text", "language", "key"),
    [
        ("لم يأخذ العلاج الكيماوي", "ar", "history.treatments"),  # a real negation still negates
        ("他没有做化疗", "zh", "history.treatments"),
        ("我们不想要临床试验", "zh", "request.service"),
    ],
)
def test_real_negations_still_count(text: str, language: str, key: str) -> None:
    assert _fact(text, language, key) in (None, [])


# ---------------------------------------------------------------- no treatment yet

@pytest.mark.parametrize(
    "text",
    [
        "لم يتلقَّ والدي أي علاج حتى الآن.",
        "لم تتلق والدتي اي علاج",
        "لم يخضع أبي لأي علاج بعد",
        "ما أخذ والدي أي علاج",
    ],
)
def test_arabic_no_treatment_with_the_subject_in_between(text: str) -> None:
    assert _fact(text, "ar", "history.no_treatment_yet") is True


# ---------------------------------------------------------------- on treatment

@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("அம்மாவுக்கு அறுவை சிகிச்சை முடிந்தது, இப்போது கீமோதெரபி நடக்கிறது.", "ta"),
        ("அப்பாவுக்கு சிகிச்சை நடந்து வருகிறது", "ta"),
        ("அம்மாவுக்கு ரேடியேஷன் தொடர்கிறது", "ta"),
    ],
)
def test_tamil_treatment_going_on(text: str, language: str) -> None:
    assert _fact(text, language, "history.disease_status") == "on_treatment"


# ---------------------------------------------------------------- inoperable

@pytest.mark.parametrize(
    "text",
    [
        "Sabi po ng surgeon hindi na raw kayang operahan kasi nakadikit na sa malaking ugat.",
        "hindi na daw po kaya operahan si papa",
        "hindi raw puwedeng operahan ang bukol",
        "hindi maaaring operahan sabi ng doktor",
    ],
)
def test_tagalog_inoperable(text: str) -> None:
    assert _fact(text, "tl", "history.told_inoperable") is True


def test_tagalog_operated_is_not_inoperable() -> None:
    assert _fact("naoperahan na po si nanay noong 2025", "tl", "history.told_inoperable") is None


# ---------------------------------------------------------------- options exhausted

@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("L'oncologue dit qu'il n'y a plus d'options de traitement standard.", "fr"),
        ("il n'y a plus de traitement pour elle", "fr"),
        ("le médecin dit qu'il n'y a pas d'autre traitement", "fr"),
        ("主治医生说已经没有其他标准治疗方案了。", "zh"),
        ("醫生說沒有別的治療選擇了", "zh"),
        ("医生说没有标准治疗方案", "zh"),
    ],
)
def test_options_exhausted_wordings(text: str, language: str) -> None:
    assert _fact(text, language, "history.options_exhausted") is True


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("il n'a plus de fièvre", "fr"),
        ("还没有治疗", "zh"),
        ("目前没有其他症状", "zh"),
    ],
)
def test_options_exhausted_not_over_matched(text: str, language: str) -> None:
    assert _fact(text, language, "history.options_exhausted") is None


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
def test_age_wordings(text: str, language: str, age: int) -> None:
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
