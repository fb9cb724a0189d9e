"""The immediate reply to a red flag or a doubt (DESIGN 2.2): its own message, sent before
any greeting or consent question, in the family's language, with the emergency number of
the patient's country and, when the writer is elsewhere, of the writer's.

The numbers come from emergency_numbers.yml (every ISO 3166-1 country, with its sources);
an entry its compiler was not sure of names no number until the organisation checks it.
"""
from __future__ import annotations

import functools
from pathlib import Path
from typing import Any

import yaml

from dialogs.messages import org, t
from estimates.messages import country_name

NUMBERS_FILE = Path(__file__).with_name("emergency_numbers.yml")


@functools.cache
def _numbers() -> dict[str, dict[str, Any]]:
    data = yaml.safe_load(NUMBERS_FILE.read_text(encoding="utf-8"))
    return {str(code).upper(): entry for code, entry in data["countries"].items()}


def emergency_number(country: str | None) -> str | None:
    """The number to call for an ambulance in `country` (ISO alpha-2), with the others
    that also reach one ("108 / 112"); None when unknown or not yet checked."""
    entry = _numbers().get((country or "").upper())
    if not entry or entry.get("unsure") or not entry.get("medical"):
        return None
    return " / ".join([str(entry["medical"]), *(str(n) for n in entry.get("also") or [])])


def call_lines(patient_country: str | None, writer_region: str | None, language: str) -> list[str]:
    """"Emergency number in India: 108 / 112", and where the writer is, when elsewhere."""
    lines = []
    if number := emergency_number(patient_country):
        lines.append(t("emergency_call", language, country=country_name(patient_country, language), number=number))
    if writer_region and writer_region != patient_country and (number := emergency_number(writer_region)):
        key = "emergency_call_here" if lines else "emergency_call"
        lines.append(t(key, language, country=country_name(writer_region, language), number=number))
    return lines


def alert_text(flags: list[str], unsure: bool, language: str, patient_country: str | None,
               writer_region: str | None) -> str | None:
    """The message sent at once: the crisis reply for thoughts of self-harm (whoever has
    them), the emergency reply for any other red flag, the careful reply for a doubt."""
    if flags:
        key = "emergency_self_harm" if "self_harm" in flags else "emergency"
    elif unsure:
        key = "safety_doubt"
    else:
        return None
    return "\n".join([t(key, language, **org()), *call_lines(patient_country, writer_region, language)])
