"""Cancer type (dialogs/understanding/facts/diagnosis.py): cancer of unknown primary
versus the organ where a metastasis was found, and words that are an organ in one
language and something else in another ("pet" is the stomach in Hinglish, a PET scan in English)."""
from __future__ import annotations

import pytest

from dialogs.understanding.facts import extract_facts


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("A CT showed spots in his liver and nodes. The biopsy says metastatic adenocarcinoma but they cannot find where it started.", "en"),
        ("Liver metastases, the primary has not been found yet", "en"),
        ("Il a des métastases au foie mais les médecins ne trouvent pas l'origine", "fr"),
        ("肝脏有转移灶，但找不到原发", "zh-Hans"),
        ("Ini ya ugonjwa imeenea, lakini hawajui ilipoanzia", "sw"),
    ],
)
def test_unknown_primary_wins_over_the_organ_of_a_metastasis(text: str, language: str) -> None:
    assert extract_facts(text, language).get("diagnosis.cancer_type") == "unknown_primary"


def test_a_pet_scan_is_not_the_stomach() -> None:
    assert extract_facts("He had a PET scan and a CT, tumour markers were normal", "en").get("diagnosis.cancer_type") != "gastric"
    assert extract_facts("mere papa ke pet me cancer hai", "hi").get("diagnosis.cancer_type") == "gastric"


def test_arabic_spread_to_the_liver_is_a_metastasis_site() -> None:
    text = "عنده سرطان في القولون وانتشر للكبد، اكتشفوه في شهر مارس"
    assert extract_facts(text, "ar").get("diagnosis.cancer_type") == "colorectal"


def _fact(text: str, language: str, key: str):
    return extract_facts(text, language).get(key)


# ---------------------------------------------------------------- cancer type: a head word inside another name

@pytest.mark.parametrize(
    ("text", "language", "code"),
    [
        ("Mama ana saratani ya tezi ya koo (thyroid cancer).", "sw", "thyroid"),
        ("Mama ana saratani ya tezi ya koo.", "sw", "thyroid"),
        ("Baba ana saratani ya koo.", "sw", "head_and_neck"),
        ("என் அம்மாவுக்கு கண்ணில் மெலனோமா (uveal melanoma - choroidal).", "ta", "uveal_melanoma"),
        ("He has small cell lung cancer.", "en", "lung_sclc"),
    ],
)
def test_cancer_type_head_word_belongs_to_the_longer_name(text: str, language: str, code: str) -> None:
    assert _fact(text, language, "diagnosis.cancer_type") == code


# ---------------------------------------------------------------- cancer type

@pytest.mark.parametrize(
    ("text", "language", "code"),
    [
        ("بنتي اتشخصت بساركوما يوينج في عضمة الرجل", "ar", "bone_sarcoma"),
        ("ابني عنده ساركوما ايوينج", "ar", "bone_sarcoma"),
        ("elle a un cancer du sein métastatique (os et foie) diagnostiqué en 2023", "fr", "breast"),
        ("cancer du sein métastatique aux os", "fr", "breast"),
        ("she has breast cancer metastatic (bones, liver)", "en", "breast"),
    ],
)
def test_cancer_type_wordings(text: str, language: str, code: str) -> None:
    assert _fact(text, language, "diagnosis.cancer_type") == code


# ---------------------------------------------------------------- test_cancer_type_words

CANCER = [
    ("والدي عنده ليمفوما لا هودجكين من نوع الخلايا البائية الكبيرة المنتشرة", "ar", "large_b_cell_lymphoma"),
    ("والدي عنده ليمفوما لا هودجكين", "ar", "other"),  # non-Hodgkin is not Hodgkin
    ("عنده ليمفوما هودجكين", "ar", "hodgkin_lymphoma"),
    ("我女儿十二岁，急性B淋巴细胞白血病，今年复发了", "zh-Hans", "b_all"),
]


@pytest.mark.parametrize("text,language,expected", CANCER)
def test_cancer_type_words(text: str, language: str, expected: str) -> None:
    assert extract_facts(text, language).get("diagnosis.cancer_type") == expected
