"""dialogs.understanding: the requested service (a service named, a menu number, not sure)."""
from __future__ import annotations

import pytest
from dialogs.understanding.facts import extract_facts


def _fact(text: str, language: str, key: str):
    return extract_facts(text, language).get(key)


# ---------------------------------------------------------------- inoperable, unsure (Chinese)

@pytest.mark.parametrize(
    "text",
    ["醫生說腫瘤太大，無法開刀。", "医生说不能开刀了。", "外科说开不了刀。", "医生说没办法手术。", "他们说不能动手术。"],
)
def test_chinese_cannot_operate_is_inoperable(text: str) -> None:
    assert _fact(text, "zh-Hans", "history.told_inoperable") is True


@pytest.mark.parametrize(
    "text",
    ["不確定需要哪一種服務，請幫我們建議。", "我们不知道需要哪种服务。", "请帮我们提供一些建议。", "不太确定该选哪个。"],
)
def test_chinese_unsure_which_service(text: str) -> None:
    assert _fact(text, "zh-Hans", "request.service") == "unsure"


# ---------------------------------------------------------------- requested service

@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("पता नहीं कौन सी सर्विस लें, आप ही बताइए", "hi"),
        ("हमें समझ नहीं आता कौनसी सर्विस सही है", "hi"),
        ("مش عارفين محتاجين انهي خدمة، انتو شوفولنا الاحسن ليها", "ar"),
        ("kon service lagbe bujhte parchi na, apnara bolen", "bn"),
        ("enna service venum nu theriyala, neenga sollunga", "ta"),
    ],
)
def test_unsure_wordings(text: str, language: str) -> None:
    assert _fact(text, language, "request.service") == "unsure"


@pytest.mark.parametrize(
    ("text", "language", "service"),
    [
        ("મારે મુંબઈ જઈને કોઈ મોટા કેન્સર નિષ્ણાતને રૂબરૂ મળીને બીજો અભિપ્રાય (in-person second opinion) લેવો છે.", "gu", "in_person_second_opinion"),
        ("We would like a second opinion, in person if possible.", "en", "in_person_second_opinion"),
        ("We want a remote second opinion, not in person.", "en", "remote_second_opinion"),
        ("We want a second opinion on her reports.", "en", "remote_second_opinion"),
    ],
)
def test_in_person_refines_second_opinion(text: str, language: str, service: str) -> None:
    assert _fact(text, language, "request.service") == service


# ---------------------------------------------------------------- test_short_and_numbered_service_answers

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


# ---------------------------------------------------------------- test_round4_wordings_left_by_the_helper

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
