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
        ("first FOLFOX, then FOLFIRI, now regorafenib", "en", 3),
        ("First R-CHOP, 6 cycles. Then R-ICE, but the PET still showed disease.", "en", 2),
        ("She got sunitinib for a year, then nivolumab after it progressed", "en", 2),
        ("J'ai reçu d'abord du FOLFOX, puis du FOLFIRI avec bévacizumab.", "fr", 2),
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
    ],
)
def test_one_regimen_is_one_line(text: str) -> None:
    assert (extract_facts(text, "en").get("history.lines_of_therapy") or 1) == 1
