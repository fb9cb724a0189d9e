"""Treatment history (dialogs/understanding/facts/history.py): lines of therapy counted
from a sequence of regimens ("first X, then Y, now Z"), in several languages, and
what must not count (one regimen and its maintenance, surgery or radiotherapy, adjuvant
hormone therapy)."""
from __future__ import annotations

import pytest

from dialogs.understanding.facts import extract_facts


@pytest.mark.parametrize(
    ("text", "language", "lines"),
    [
        ("first FOLFOX, then FOLFIRI when it progressed, now regorafenib", "en", 3),
        ("First R-CHOP, 6 cycles. Then R-ICE, but the lymphoma did not respond.", "en", 2),
        ("She got sunitinib for a year, then nivolumab after it progressed", "en", 2),
        ("First R-CHOP, then R-ICE. It did not respond.", "en", 2),
        ("J'ai reçu d'abord du FOLFOX, puis, quand la maladie a progressé, du FOLFIRI avec bévacizumab.", "fr", 2),
        ("Сначала карбоплатин с паклитакселом, потом болезнь прогрессировала, дали карбоплатин с доксорубицином, потом топотекан.", "ru", 3),
        ("先用了FOLFOX，后来进展了，改用FOLFIRI", "zh-Hans", 2),
    ],
)
def test_lines_of_therapy_from_a_sequence_of_regimens(text: str, language: str, lines: int) -> None:
    assert extract_facts(text, language).get("history.lines_of_therapy") == lines


@pytest.mark.parametrize(
    "text",
    [
        "She had chemo with cisplatin and 5FU, then radiotherapy",
        "radiotherapy with temozolomide for 6 weeks, now temozolomide alone",
        "carboplatin and paclitaxel",
        "mastectomy and chemo with AC, then tamoxifen",
        "they plan FOLFOX first and then maybe FOLFIRI",
        "Chemo chal rahi hai, 4 cycle AC ho gaye ab weekly paclitaxel start hua hai",
        "first FOLFOX, then FOLFIRI",
    ],
)
def test_one_regimen_is_one_line(text: str) -> None:
    assert (extract_facts(text, "en").get("history.lines_of_therapy") or 1) == 1


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("He had the operation in September. Now getting chemo FOLFOX, 4th cycle done out of 12", "en"),
        ("জুলাই থেকে উনি gefitinib খাচ্ছেন, দিনে একটা করে ট্যাবলেট।", "bn"),
        ("Şimdi BEP kemoterapisi alıyorum, 3. kürdeyim.", "tr"),
        ("Anapata chemo hospitali ya KCMC, dozi ya mwisho ilikuwa Jumatano.", "sw"),
        ("હવે એક વર્ષથી ibrutinib ની ગોળી ચાલે છે", "gu"),
    ],
)
def test_a_treatment_going_on_now_is_on_treatment(text: str, language: str) -> None:
    assert extract_facts(text, language).get("history.disease_status") == "on_treatment"


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("Ab wohi jagah pe phir se gilti ban gayi hai, biopsy me cancer wapis aa gaya hai.", "ur"),
        ("तर अहिले PET स्क्यानमा रोग फेरि फर्किएको देखियो।", "ne"),
    ],
)
def test_relapse_wordings(text: str, language: str) -> None:
    assert extract_facts(text, language).get("history.disease_status") == "relapsed"


def test_no_further_standard_treatment_is_options_exhausted() -> None:
    text = "Now they say nothing works and there is no further standard treatment they can offer me here."
    assert extract_facts(text, "en").get("history.options_exhausted") is True


def test_numbered_lines_beat_the_sequence_count_and_maintenance_is_no_new_line() -> None:
    summary = ("> 1st line: VRd x 6 followed by autologous stem cell transplant (2022), lenalidomide maintenance.\n"
               "> 2nd line (2023, relapse): daratumumab-pomalidomide-dexamethasone.\n"
               "> 3rd line (2025, relapse): carfilzomib-dexamethasone.")
    assert extract_facts(summary, "en").get("history.lines_of_therapy") == 3
    assert extract_facts("First VRd, then lenalidomide maintenance. It relapsed, then dara-pom.", "en").get(
        "history.lines_of_therapy") == 2


@pytest.mark.parametrize(
    ("text", "language", "status"),
    [
        ("my sister had surgery in January. Now she takes letrozole tablets every day.", "en", "on_treatment"),
        ("做完了同步化放療，現在追蹤中，醫生說目前沒有看到腫瘤", "zh-Hant", "remission"),
    ],
)
def test_more_status_wordings(text: str, language: str, status: str) -> None:
    assert extract_facts(text, language).get("history.disease_status") == status


def test_chinese_re_irradiation_in_the_previously_irradiated_place() -> None:
    text = "MRI發現鼻咽癌復發，位置就在以前電療過的地方。醫生提過可能要再做一次電療"
    assert extract_facts(text, "zh-Hant").get("history.reirradiation") is True


def _fact(text: str, language: str, key: str):
    return extract_facts(text, language).get(key)


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


# ---------------------------------------------------------------- disease status and treatment history

@pytest.mark.parametrize(
    ("text", "language", "status"),
    [
        ("હવે કીમો ચાલે છે પણ ડોક્ટર કહે છે કે રોગ વધી રહ્યો છે", "gu", "progressing"),
        ("ગાંઠ વધી ગયો છે", "gu", "progressing"),
        ("ekhon CT scan e dekhache cancer aro barche", "bn", "progressing"),
        ("bere geche abar", "bn", "progressing"),
        ("بتاخد كيماوي دلوقتي، خلصت ٦ جلسات", "ar", "on_treatment"),
        ("بياخد العلاج الكيماوي في المستشفى", "ar", "on_treatment"),
        ("Лечения пока не было, урологи предлагают операцию.", "ru", "newly_diagnosed"),
        ("innum treatment start pannala. next week chemo radiation start panna porom", "ta", "newly_diagnosed"),
    ],
)
def test_status_wordings(text: str, language: str, status: str) -> None:
    assert _fact(text, language, "history.disease_status") == status


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("innum treatment start pannala. next week chemo radiation start panna porom", "ta"),
        ("Лечения пока не было", "ru"),
    ],
)
def test_no_treatment_yet_more(text: str, language: str) -> None:
    facts = extract_facts(text, language)
    assert facts.get("history.no_treatment_yet") is True
    assert not facts.get("history.treatments")  # planned chemo/radiation is not received


def test_next_week_treatment_is_planned_in_english_too() -> None:
    facts = extract_facts("No treatment yet. Next week chemo starts.", "en")
    assert facts.get("history.no_treatment_yet") is True
    assert not facts.get("history.treatments")


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
