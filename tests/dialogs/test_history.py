"""Treatment history (dialogs/understanding/fx_history.py): lines of therapy counted
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
