"""dialogs/emergency.py: the immediate reply names the emergency number of the patient's
country, and of the writer's when they are elsewhere, from a data file of every country."""
from __future__ import annotations

import re

import pycountry
import pytest
import yaml

from dialogs import emergency
from dialogs.messages import t


def test_the_numbers_file_covers_every_country_with_its_sources() -> None:
    data = yaml.safe_load(emergency.NUMBERS_FILE.read_text(encoding="utf-8"))
    assert {str(code) for code in data["countries"]} == {c.alpha_2 for c in pycountry.countries}
    assert data["source"] and all(entry["url"].startswith("https://") for entry in data["source"])
    for code, entry in data["countries"].items():
        numbers = [entry.get("medical"), entry.get("general"), *(entry.get("also") or [])]
        assert all(n is None or re.fullmatch(r"\d{2,6}", n) for n in numbers), code
        assert entry.get("medical") or entry.get("unsure"), code


@pytest.mark.parametrize("country,number", [("IN", "108 / 112 / 102"), ("KE", "999 / 112"), ("PH", "911"),
                                            ("EG", "123"), ("GB", "999 / 112"), ("PK", "1122 / 115")])
def test_the_medical_number_comes_first_then_the_others_that_reach_an_ambulance(country: str, number: str) -> None:
    assert emergency.emergency_number(country) == number


def test_an_entry_not_yet_checked_names_no_number() -> None:
    assert emergency.emergency_number("NU") is None  # Niue: no verified number
    assert emergency.emergency_number("CD") is None  # marked unsure by its compiler
    assert emergency.emergency_number(None) is None and emergency.emergency_number("XX") is None


def test_the_patient_country_first_and_the_writers_when_elsewhere() -> None:
    lines = emergency.call_lines("PH", "SA", "en")
    assert lines == [t("emergency_call", "en", country="Philippines", number="911"),
                     t("emergency_call_here", "en", country="Saudi Arabia", number="997 / 911")]
    assert emergency.call_lines("PH", "PH", "en") == [t("emergency_call", "en", country="Philippines", number="911")]


def test_until_the_patient_country_is_known_the_writers_number_is_named() -> None:
    assert emergency.call_lines(None, "KE", "sw") == [t("emergency_call", "sw", country="Kenya", number="999 / 112")]


def test_the_country_is_named_in_the_familys_language() -> None:
    (line,) = emergency.call_lines("EG", None, "ar")
    assert "مصر" in line and "123" in line


def test_the_alert_is_the_crisis_reply_for_self_harm_whatever_else_is_flagged() -> None:
    text = emergency.alert_text(["severe_pain", "self_harm"], False, "en", "IN", None)
    assert text.startswith(t("emergency_self_harm", "en", org="CancerFax")) and "108" in text


def test_a_doubt_gets_the_careful_reply_and_no_red_flag_nothing() -> None:
    assert emergency.alert_text([], True, "fr", "FR", None).startswith(t("safety_doubt", "fr"))
    assert emergency.alert_text([], False, "fr", "FR", None) is None
