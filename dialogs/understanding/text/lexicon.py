"""Loading the YAML word lists under dialogs/understanding/lexicon/.

Words live in data, not in code: every module of understanding reads its
lists through this one cached loader, so a file is parsed once per process.
"""
from __future__ import annotations

import functools
from pathlib import Path
from typing import Any

import yaml

LEXICON_DIR = Path(__file__).resolve().parent.parent / "lexicon"


@functools.cache
def load_lexicon(name: str) -> Any:
    """One data file, by its path under lexicon/ ("red_flags.yml", "facts/stage.yml")."""
    with (LEXICON_DIR / name).open(encoding="utf-8") as fh:
        return yaml.safe_load(fh) or {}
