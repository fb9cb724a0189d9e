"""Bot texts from the per-language catalogs in dialogs/messages/<lang>.yml."""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml
from jinja2 import Environment, StrictUndefined, Template

CATALOG_DIR = Path(__file__).with_name("messages")
DEFAULT_LANGUAGE = "en"
_env = Environment(undefined=StrictUndefined, autoescape=False)


@lru_cache(maxsize=None)
def catalog(language: str) -> dict[str, str]:
    path = CATALOG_DIR / f"{language}.yml"
    if not path.exists():
        return {}
    with open(path, encoding="utf-8") as fh:
        return yaml.safe_load(fh) or {}


@lru_cache(maxsize=None)
def _template(language: str, key: str) -> Template:
    source = catalog(language).get(key) or catalog(DEFAULT_LANGUAGE)[key]
    return _env.from_string(source)


def t(key: str, language: str | None, **params: Any) -> str:
    """The text for `key` in `language`, English when that language lacks it."""
    return _template(language or DEFAULT_LANGUAGE, key).render(**params).strip()


def languages() -> list[str]:
    return sorted(p.stem for p in CATALOG_DIR.glob("*.yml"))
