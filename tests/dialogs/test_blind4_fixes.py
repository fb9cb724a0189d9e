"""Understanding fixes from the fourth blind round (tests/corpus/blind4.jsonl):
messy WhatsApp and e-mails answering our numbered questions with short lines."""
from __future__ import annotations

import pytest

from dialogs.understanding.facts import extract_facts
from dialogs.understanding.signals import detect_consent

CONSENT = [
    # a bare YES / EVET on its own line under numbered answers
    ("1. Dhaka\n2. in person second opinion, we can travel to India or Singapore\nYES\n\nRashed", "given"),
    ("1. İzmir\n2. emin değilim\nEVET\n\nAyşe", "given"),
    ("1. Nairobi\n2. not sure\nYES\n\nMary\n\nOn Tue, 3 Nov 2026 at 10:02, CancerFax <intake@example.org> wrote:\n> please reply YES", "given"),
    ("sawa endelea", "given"),
    ("હા ચાલો", "given"),
    # not consent: yes/no words inside sentences about something else
    ("Hello\nShe had surgery.\nNo chemo yet.", None),
    ("1. Yes, she had chemo in 2024\n2. Lagos", None),
]


@pytest.mark.parametrize("text,expected", CONSENT)
def test_consent_on_its_own_line_and_new_words(text: str, expected: str | None) -> None:
    assert detect_consent(text) == expected


SERVICE = [
    ("not sure", "en", None),  # alone it answers nothing (test_facts: bare words)
    ("3. not sure", "en", "unsure"),
    ("1. Nairobi\n2. not sure\nYES", "en", "unsure"),
    ("2. emin değilim", "tr", "unsure"),
    ("2. sijui", "sw", "unsure"),
    ("1. Dhaka\n2. in person second opinion, we can travel to India or Singapore\nYES", "en", "in_person_second_opinion"),
    ("1. Abidjan\n2. avis à distance (deuxième avis)\nOUI, j'accepte", "fr", "remote_second_opinion"),
    # a bare "don't know" inside a longer story is not an answer about services
    ("I dont know when she had the surgery, maybe 2023 at the district hospital", "en", None),
    ("1. She had surgery in 2023 and we do not know the name of the chemo they gave her afterwards", "en", None),
]


@pytest.mark.parametrize("text,language,expected", SERVICE)
def test_short_and_numbered_service_answers(text: str, language: str, expected: str | None) -> None:
    assert extract_facts(text, language).get("request.service") == expected


CANCER = [
    ("والدي عنده ليمفوما لا هودجكين من نوع الخلايا البائية الكبيرة المنتشرة", "ar", "large_b_cell_lymphoma"),
    ("والدي عنده ليمفوما لا هودجكين", "ar", "other"),  # non-Hodgkin is not Hodgkin
    ("عنده ليمفوما هودجكين", "ar", "hodgkin_lymphoma"),
    ("我女儿十二岁，急性B淋巴细胞白血病，今年复发了", "zh-Hans", "b_all"),
]


@pytest.mark.parametrize("text,language,expected", CANCER)
def test_cancer_type_words(text: str, language: str, expected: str) -> None:
    assert extract_facts(text, language).get("diagnosis.cancer_type") == expected


@pytest.mark.parametrize(
    ("text", "language", "key", "value"),
    [
        ("मेरो बुबाको क्यान्सर फेरि फर्केर आयो", "ne", "history.disease_status", "relapsed"),
        ("પપ્પાનું કેન્સર ફરી પાછો આવ્યો છે", "gu", "history.disease_status", "relapsed"),
        ("ڈاکٹر نے کہا مزید کوئی علاج نہیں ہے", "ur", "history.options_exhausted", True),
        ("不确定，请你们建议", "zh-Hans", "request.service", "unsure"),
    ],
)
def test_round4_wordings_left_by_the_helper(text, language, key, value) -> None:
    """blind4-33/35 (relapse), -13 (no more treatment), -15 (unsure) wordings."""
    from dialogs.understanding.facts import extract_facts

    assert extract_facts(text, language).get(key) == value
