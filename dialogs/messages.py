"""Bot texts from the per-language catalogs in dialogs/messages/<lang>.yml, through
the one catalog mechanism (estimates.messages.MessageCatalog)."""
from __future__ import annotations

from pathlib import Path
from typing import Any

from estimates.messages import MessageCatalog

CATALOG = MessageCatalog(Path(__file__).with_name("messages"))


def t(key: str, language: str | None, **params: Any) -> str:
    """The text for `key` in `language`, English when that language lacks it."""
    return CATALOG.t(key, language, **params).strip()

