"""Understanding fixes found by replaying new conversations (tests/corpus/probe.jsonl).

Each table holds realistic patient wordings the extractors missed before, in
the language where the gap was found, plus the neighbouring forms the same
general fix covers (plural/feminine verb forms, intensifiers, word order), and
guards that the fixes do not over-reach.
"""
from __future__ import annotations

import pytest

from dialogs.understanding.facts import extract_facts, merge_facts
from dialogs.understanding.location import find_location
from dialogs.understanding.safety import detect_red_flags
from dialogs.understanding.signals import detect_consent


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


# ---------------------------------------------------------------- disease status "on treatment"

@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("बेटी की कीमोथेरेपी अक्टूबर 2026 से चल रही है।", "hi"),
        ("पापा का इलाज अभी भी चल रहा है।", "hi"),
        ("उनकी कीमो के सायकल चल रहे हैं।", "hi"),
        ("Abhi temozolomide ke cycles chal rahe hain.", "hi"),
        ("Mummy ki chemo chal rahi hai.", "hi"),
        ("අම්මාට සැත්කම කළා, දැන් විකිරණ ප්‍රතිකාර (radiotherapy) කරනවා.", "si"),
        ("තාත්තාට දැන් කීමෝතෙරපි කරනවා.", "si"),
        ("Elle reçoit gemcitabine et nab-paclitaxel en deuxième ligne depuis juin 2026.", "fr"),
        ("Il est sous hormonothérapie depuis 2025.", "fr"),
    ],
)
def test_ongoing_treatment_is_on_treatment(text: str, language: str) -> None:
    assert _fact(text, language, "history.disease_status") == "on_treatment"


# ---------------------------------------------------------------- no treatment yet

@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("Лечение ещё не начинал.", "ru"),
        ("Лечение еще не начинала.", "ru"),
        ("Мама ещё не лечилась.", "ru"),
        ("爸爸目前還沒有接受任何治療。", "zh-Hant"),
        ("妈妈还没有做过任何治疗。", "zh-Hans"),
        ("他尚未接受治疗。", "zh-Hans"),
    ],
)
def test_no_treatment_yet(text: str, language: str) -> None:
    facts = extract_facts(text, language)
    assert facts.get("history.no_treatment_yet") is True
    assert facts.get("history.disease_status") == "newly_diagnosed"


def test_no_treatment_options_is_not_no_treatment_yet() -> None:
    facts = extract_facts("医生说没有治疗方案了。", "zh-Hans")
    assert facts.get("history.options_exhausted") is True
    assert not facts.get("history.no_treatment_yet")


# ---------------------------------------------------------------- surgery in Russian

@pytest.mark.parametrize(
    "text",
    ["В сентябре ему удалили опухоль мозжечка.", "Маме удалили грудь в 2025 году.", "Опухоль удалила хирург в Бишкеке."],
)
def test_russian_removed_is_surgery(text: str) -> None:
    kinds = {t["type"] for t in extract_facts(text, "ru").get("history.treatments", [])}
    assert "surgery" in kinds


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


# ---------------------------------------------------------------- the writer's place is not the patient's

@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("مرحبا، أنا مقيم في ألمانيا وأكتب عن والدي، عمره ٦٢ سنة، عنده ورم نقوي متعدد.", "ar"),
        ("你好，我在新加坡工作，想咨询我妈妈的情况。她患有乳腺癌。", "zh-Hans"),
        ("வணக்கம். நான் சிங்கப்பூரில் வேலை செய்கிறேன். என் அப்பாவுக்கு கல்லீரல் புற்றுநோய்.", "ta"),
        ("I work in Dubai. My mother has breast cancer.", "en"),
    ],
)
def test_writers_own_place_is_not_the_patients_location(text: str, language: str) -> None:
    assert extract_facts(text, language).get("location.country") is None


def test_writers_own_place_counts_when_the_writer_is_the_patient() -> None:
    assert _fact("I live in Nairobi, Kenya. I was diagnosed with breast cancer.", "en", "location.country") == "KE"


def test_writers_place_in_a_later_message_does_not_move_the_patient() -> None:
    facts = merge_facts({}, extract_facts("My father has liver cancer.", "en"))
    facts = merge_facts(facts, extract_facts("I live in Toronto, Canada.", "en"))
    assert facts.get("location.country") is None
    facts = merge_facts(facts, extract_facts("He lives in Kochi, India.", "en"))
    assert facts.get("location.country") == "IN"


def test_patients_place_beside_the_writers_place_wins() -> None:
    assert find_location("I live in Toronto; my father (67) lives in Kochi, Kerala, India.")[0] == "IN"


# ---------------------------------------------------------------- consent (Urdu)

@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("3. YES، میں رپورٹس شیئر کرنے پر راضی ہوں۔", "given"),
        ("ہم رپورٹس بھیجنے پر رضامند ہیں۔", "given"),
        ("میں رپورٹس شیئر کرنے پر راضی نہیں ہوں۔", "refused"),
    ],
)
def test_urdu_consent_phrases(text: str, expected: str) -> None:
    assert detect_consent(text) == expected


# ---------------------------------------------------------------- red flags with intensifiers

@pytest.mark.parametrize(
    "text",
    [
        "අද උදේ ඉඳන් තාත්තාට හුස්ම ගන්න හරිම අමාරුයි.",
        "শ্বাস নিতে খুব কষ্ট হচ্ছে",
        "அப்பாவுக்கு மூச்சு விட ரொம்ப சிரமமாக இருக்கிறது",
        "પપ્પાને શ્વાસ લેવામાં બહુ તકલીફ થાય છે",
        "elle a beaucoup de mal à respirer",
        "nefes almakta çok zorlanıyor",
        "anapata shida sana kupumua",
        "يتنفس بصعوبة شديدة",
    ],
)
def test_breathing_difficulty_with_intensifiers(text: str) -> None:
    assert detect_red_flags(text) == ["breathing_difficulty"]


@pytest.mark.parametrize(
    "text",
    ["শ্বাস নিতে কোনো কষ্ট নেই", "he had difficulty breathing in 2023", "elle n'a aucun mal à respirer"],
)
def test_breathing_negated_or_past_does_not_flag(text: str) -> None:
    assert detect_red_flags(text) == []
