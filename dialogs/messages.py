"""Bot texts from the per-language catalogs in dialogs/messages/<lang>.yml, through
the one catalog mechanism (estimates.messages.MessageCatalog)."""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any

from estimates.messages import MessageCatalog
from store.config import load_settings

CATALOG = MessageCatalog(Path(__file__).with_name("messages"))


def t(key: str, language: str | None, **params: Any) -> str:
    """The text for `key` in `language`, English when that language lacks it."""
    return CATALOG.t(key, language, **params).strip()


@lru_cache(maxsize=1)
def org() -> dict[str, str]:
    """The organisation's name, privacy page and e-mail address, for the messages that name them."""
    organisation = load_settings()["organisation"]
    return {"org": organisation["name"], "privacy_url": organisation["privacy_url"],
            "email": organisation["email_from"]}
