"""Build case dicts (shaped like case.schema.json) from dotted facts."""
from __future__ import annotations

from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[2]
CORPUS = REPO.parent / "shared" / "corpus" / "dev.jsonl"
SCHEMA = REPO / "bot" / "contract" / "case.schema.json"


def set_path(target: dict[str, Any], dotted: str, value: Any) -> None:
    parts = dotted.split(".")
    for part in parts[:-1]:
        target = target.setdefault(part, {})
    target[parts[-1]] = value


def make_case(facts: dict[str, Any] | None = None) -> dict[str, Any]:
    """A case with only the given dotted facts set; everything else unknown."""
    case: dict[str, Any] = {
        "id": "test",
        "channel": "whatsapp",
        "language": "en",
        "patient": {"relation": None, "age": None},
        "diagnosis": {"cancer_type": None, "stage": None},
        "history": {"treatments": [], "disease_status": None, "told_inoperable": None},
        "location": {"country": None},
        "request": {"service": None},
        "records": {"received": [], "missing": []},
        "safety": {"emergency": False, "red_flags": []},
    }
    for key, value in (facts or {}).items():
        set_path(case, key, value)
    return case
