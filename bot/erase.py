"""`intake erase`: remove a contact's messages, files, cases and dialogue history (DESIGN 2.7).

A coordinator runs it after confirming an erasure request; the contact row is
deleted too, so nothing that identifies the family is left.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import bindparam, inspect, select, text
from sqlalchemy.orm import Session, sessionmaker

from bot.conversations import files_dir
from bot.rasa_runtime import tracker_store
from handoff import verbs
from store.config import Settings
from store.db import get_engine
from store.models import Case


@dataclass(frozen=True)
class Erased:
    contact_id: int
    conversations: int
    messages: int
    files: int
    dialogue_events: int


class EraseError(LookupError):
    pass


def erase_case(
    factory: sessionmaker[Session], settings: Settings, case_id: str, tracker_settings: Settings | None = None
) -> Erased:
    """Erase everything of the contact behind `case_id`, on every channel conversation."""
    with factory() as session, session.begin():
        case = session.scalar(select(Case).where(Case.public_id == case_id))
        if case is None:
            raise EraseError(f"no case {case_id!r}")
        contact_id, keys, messages, files = verbs.erase(session, case, files_dir(settings))
    return Erased(contact_id, len(keys), messages, files, _forget_dialogues(tracker_settings or settings, keys))


def _forget_dialogues(settings: Settings, senders: list[str]) -> int:
    """Delete the conversations' events from Rasa's SQL tracker store (the words the family typed)."""
    store = tracker_store(settings)
    url = f"sqlite:///{store['db']}" if store["dialect"] == "sqlite" else settings.database_url
    if store["dialect"] == "sqlite" and not Path(str(store["db"])).exists():
        return 0
    engine = get_engine(url)
    if "events" not in inspect(engine).get_table_names():
        return 0
    with engine.begin() as conn:
        result = conn.execute(text("DELETE FROM events WHERE sender_id IN :senders").bindparams(bindparam("senders", expanding=True)), {"senders": senders})
    return int(result.rowcount or 0)
