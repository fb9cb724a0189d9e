"""The project's fixed codes (bot/contract/vocabulary.yml), loaded once.

The estimates package validates its own data files against these codes so a
typo in the catalog or the rules is caught at load time, not in a patient's
conversation.
"""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

VOCABULARY_PATH = Path(__file__).resolve().parent.parent / "bot" / "contract" / "vocabulary.yml"


@lru_cache(maxsize=4)
def _load(path: str) -> dict[str, Any]:
    with open(path, encoding="utf-8") as fh:
        data = yaml.safe_load(fh)
    if not isinstance(data, dict):
        raise ValueError(f"{path}: not a mapping")
    return data


def vocabulary(path: Path | None = None) -> dict[str, Any]:
    """The whole vocabulary mapping (cached)."""
    return _load(str(path or VOCABULARY_PATH))


def pathway_codes() -> list[str]:
    return list(vocabulary()["pathways"])


def cancer_types() -> dict[str, dict[str, Any]]:
    return dict(vocabulary()["cancer_types"])


def cancer_groups() -> set[str]:
    return {str(v.get("group")) for v in cancer_types().values()}


def cancer_group(cancer_type: object) -> str | None:
    """The vocabulary group (solid, haematological, unknown) of a cancer type code, or None."""
    if not isinstance(cancer_type, str):
        return None
    entry = cancer_types().get(cancer_type)
    return entry.get("group") if entry else None


def record_kinds() -> list[str]:
    return list(vocabulary()["record_kinds"])


def disease_statuses() -> list[str]:
    return list(vocabulary()["disease_statuses"])


def languages() -> list[str]:
    return list(vocabulary()["languages"])


def red_flags() -> list[str]:
    return list(vocabulary()["red_flags"])
