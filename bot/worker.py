"""Background jobs on huey: per-conversation processing and outbox delivery.

The store is SQLite in the data folder by default and Redis when REDIS_URL is
set. A conversation is processed by one worker at a time (a huey lock), its
messages oldest first; while Rasa is down the job is retried until it answers.
"""
from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any

from huey import Huey, RedisHuey, SqliteHuey, crontab
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from bot import conversations, outbox
from bot.config import Settings
from bot.db import session_factory
from bot.dialogue import DialogueUnavailable, RasaClient
from bot.models import Direction, Message, MessageStatus, utcnow
from bot.senders import sender_factory

log = logging.getLogger(__name__)

# A message waits at most this long for its job before the sweep re-queues it.
STALE_AFTER = timedelta(seconds=30)
FOREVER = 10**9


def make_huey(settings: Settings, name: str = "intake") -> Huey:
    if settings.get("redis_url"):
        return RedisHuey(name, url=settings["redis_url"])
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    return SqliteHuey(name, filename=str(settings.data_dir / "huey.db"))


class Worker:
    """Huey instance plus the jobs bound to one configuration."""

    def __init__(
        self,
        settings: Settings,
        huey: Huey | None = None,
        dialogue: RasaClient | None = None,
        sender_for: outbox.SenderFactory | None = None,
    ) -> None:
        self.settings = settings
        self.huey = huey or make_huey(settings)
        self.factory: sessionmaker[Session] = session_factory(settings.database_url)
        self.dialogue = dialogue or RasaClient(settings.get_path("rasa.url"), settings.get_path("rasa.timeout", 30))
        self.sender_for = sender_for or sender_factory(settings)
        retry_delay = float(settings.get_path("rasa.retry_delay", 2))
        h = self.huey

        @h.task(retries=FOREVER, retry_delay=retry_delay, name="process_conversation")
        def process_conversation(conversation_id: int) -> int:
            # One worker per conversation at a time; a locked or failed job is retried by huey.
            try:
                with h.lock_task(f"conversation-{conversation_id}"):
                    ids = conversations.process_conversation(
                        self.factory, self.settings, self.dialogue, conversation_id, deliver=deliver_outbox
                    )
            except DialogueUnavailable as exc:
                log.warning("conversation %s waits for Rasa: %s", conversation_id, exc)
                raise
            return len(ids)

        @h.task(name="deliver_outbox")
        def deliver_outbox(outbox_id: int) -> str:
            result = outbox.deliver(self.factory, self.settings, outbox_id, self.sender_for)
            if result.status == "retry":
                deliver_outbox.schedule((outbox_id,), delay=result.retry_in)
            return result.status

        @h.periodic_task(crontab(minute="*"), name="sweep")
        def sweep() -> None:
            for conversation_id in self.stale_conversations():
                process_conversation(conversation_id)
            for outbox_id in outbox.due_items(self.factory):
                deliver_outbox(outbox_id)

        self.process_conversation = process_conversation
        self.deliver_outbox = deliver_outbox
        self.sweep = sweep

    def enqueue(self, conversation_id: int) -> None:
        self.process_conversation(conversation_id)

    def stale_conversations(self) -> list[int]:
        with self.factory() as session:
            rows = session.scalars(
                select(Message.conversation_id)
                .where(
                    Message.direction == Direction.inbound,
                    Message.status == MessageStatus.received,
                    Message.created_at <= utcnow() - STALE_AFTER,
                )
                .distinct()
            )
            return list(rows)

    def consumer(self, workers: int = 2, **options: Any):  # type: ignore[no-untyped-def]
        return self.huey.create_consumer(workers=workers, worker_type="thread", periodic=True, **options)
