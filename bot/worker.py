"""Background jobs on huey: per-conversation processing and outbox delivery.

The queue is SQLite in the data folder by default and Redis when REDIS_URL is
set. Correctness never depends on the queue: a conversation is processed under a
lease in the database (bot/leases.py) and an outbox item is claimed before it is
sent (bot/outbox.py), so a lost, repeated or concurrent task is harmless. The
sweeper (a thread of the consumer process, every `worker.sweep_seconds`) queues
what a killed worker left behind, due retries, and the periodic intake checks.
"""
from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from datetime import datetime
from typing import Any

from huey import Huey, RedisHuey, SqliteHuey, crontab
from huey.consumer import Consumer
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from bot import clock, outbox, stalled, turns
from handoff import digest, verbs
from store.config import Settings
from handoff.outbound import notify_coordinators
from store.db import session_factory
from bot.dialogue import RasaClient
from bot.rasa_runtime import dialogue_client
from bot.senders import sender_factory

log = logging.getLogger(__name__)


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
        self.dialogue = dialogue or dialogue_client(settings)
        self.sender_for = sender_for or sender_factory(settings)
        # Periodic checks run by the sweep; each returns outbox ids to deliver.
        self.periodic: list[Callable[[], list[int]]] = [
            lambda: stalled.check_stalled(self.factory, self.settings), self.raise_overdue]
        h = self.huey

        @h.task(name="process_conversation")
        def process_conversation(conversation_id: int) -> str:
            # A busy conversation is being drained by its lease holder; a retry is
            # picked up by the sweeper when due. Neither needs huey's retries.
            # Each turn's replies go out as soon as it commits, from this task, in order.
            outcome = turns.process_conversation(
                self.factory, self.settings, self.dialogue, conversation_id, deliver=self.deliver_now
            )
            return outcome.status

        @h.task(name="deliver_outbox")
        def deliver_outbox(outbox_id: int) -> str:
            return self.deliver_now(outbox_id)

        @h.periodic_task(crontab(minute="*/10"), name="daily_digest")
        def daily_digest() -> int:
            # Every ten minutes; queue_digest sends only from `console.digest_hour` (tickets'
            # timezone) and once per day, so a restart or a second worker sends nothing more.
            return len(self.send_digest())

        self.process_conversation = process_conversation
        self.deliver_outbox = deliver_outbox
        self.daily_digest = daily_digest

    def deliver_now(self, outbox_id: int) -> str:
        result = outbox.deliver(
            self.factory, self.settings, outbox_id, self.sender_for,
            notify=lambda session, case: notify_coordinators(session, self.settings, case),
        )
        for notification in result.notifications:
            self.deliver_outbox(notification)
        for later in result.next:
            self.deliver_now(later)
        return result.status

    def send_digest(self, now: datetime | None = None) -> list[int]:
        """Queue and deliver today's coordinator digest if it is due and not yet sent."""
        try:
            with self.factory() as session, session.begin():
                ids = digest.queue_digest(session, self.settings, now or clock.now())
        except IntegrityError:
            return []  # another worker recorded today's digest first
        for outbox_id in ids:
            self.deliver_outbox(outbox_id)
        return ids

    def raise_overdue(self, now: datetime | None = None) -> list[int]:
        """Overdue normal tickets become high (handoff.verbs.raise_overdue); nothing to send."""
        with self.factory() as session, session.begin():
            raised = verbs.raise_overdue(session, now or clock.now())
            if raised:
                log.info("raised %d overdue tickets to high: %s", len(raised), ", ".join(t.public_id for t in raised))
        return []

    def enqueue(self, conversation_id: int) -> None:
        self.process_conversation(conversation_id)

    def sweep(self) -> None:
        """Queue stranded conversations, due outbox items and periodic checks; idempotent."""
        for conversation_id in turns.conversations_to_sweep(self.factory, self.settings):
            self.process_conversation(conversation_id)
        lost_after = float(self.settings.get_path("worker.requeue_lost_after_seconds", 60))
        for outbox_id in outbox.due_items(self.factory, lost_after):
            self.deliver_outbox(outbox_id)
        for check in self.periodic:
            for outbox_id in check():
                self.deliver_outbox(outbox_id)

    def _sweep_forever(self, stop: threading.Event) -> None:
        interval = float(self.settings.get_path("worker.sweep_seconds", 5))
        while not stop.wait(interval):
            try:
                self.sweep()
            except Exception:  # noqa: BLE001 - the sweeper must outlive any failure, or nothing is retried again
                log.exception("sweep failed; trying again in %.0f s", interval)

    def consumer(self, workers: int = 2, **options: Any) -> "SweepingConsumer":
        """The huey consumer with the sweeper thread; `start()`/`stop()` or `run()`."""
        return SweepingConsumer(self.huey, self._sweep_forever, workers=workers, worker_type="thread", periodic=True, **options)


class SweepingConsumer(Consumer):
    """huey's consumer plus the sweeper thread, started and stopped with it."""

    def __init__(self, huey: Huey, sweep: Callable[[threading.Event], None], **options: Any) -> None:
        super().__init__(huey, **options)
        self._sweep_stop = threading.Event()
        self._sweeper = threading.Thread(target=sweep, args=(self._sweep_stop,), name="sweeper", daemon=True)

    def start(self) -> None:
        super().start()
        self._sweeper.start()

    def stop(self, graceful: bool = False) -> None:
        self._sweep_stop.set()
        super().stop(graceful=graceful)
