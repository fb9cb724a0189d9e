"""Cancer type (dialogs/understanding/fx_diagnosis.py): cancer of unknown primary
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
