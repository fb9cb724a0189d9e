"""The worker's queue on Redis (REDIS_URL) as at scale; skipped when no Redis URL is given."""
from __future__ import annotations

import os
import uuid

import pytest
from huey import RedisHuey
from sqlalchemy import select

from bot.worker import Worker, make_huey
from tests.helpers import wait_for

REDIS = os.environ.get("REDIS_URL_TEST")


def test_make_huey_uses_redis_when_configured(settings) -> None:
    settings["redis_url"] = "redis://127.0.0.1:6379/15"
    assert isinstance(make_huey(settings), RedisHuey)
    settings["redis_url"] = None
    assert type(make_huey(settings)).__name__ == "SqliteHuey"


@pytest.mark.skipif(not REDIS, reason="REDIS_URL_TEST not set")
def test_outbox_job_runs_through_redis(settings, factory, twilio_http) -> None:
    from handoff.outbound import queue_outbound
    from store.models import Contact, Conversation, DeliveryStatus, Message
    from bot.senders import sender_factory

    huey = RedisHuey(f"intake-test-{uuid.uuid4().hex[:8]}", url=REDIS)
    worker = Worker(settings, huey=huey, sender_for=sender_factory(settings, twilio_http))
    with factory() as session, session.begin():
        contact = Contact(whatsapp="+254700000001")
        session.add(contact)
        session.flush()
        conversation = Conversation(contact_id=contact.id, channel="whatsapp")
        session.add(conversation)
        session.flush()
        item = queue_outbound(session, conversation, "hello from redis", {})
    consumer = worker.consumer(workers=1)
    consumer.start()
    try:
        worker.deliver_outbox(item)
        wait_for(lambda: twilio_http.requests, timeout=30)

        def sent() -> bool:
            with factory() as session:
                return session.scalar(select(Message)).delivery_status == DeliveryStatus.sent

        wait_for(sent, timeout=30)
    finally:
        consumer.stop(graceful=False)
        huey.flush()


@pytest.mark.skipif(not REDIS, reason="REDIS_URL_TEST not set")
def test_conversations_are_processed_through_redis_under_their_lease(settings, factory) -> None:
    """The same lease and claim logic on Redis as on SQLite: three tasks for one
    conversation, two workers, each message answered once, in order."""
    from bot.conversations import receive
    from store.models import Direction, InboundStatus, Message
    from channels.base import InboundMessage
    from tests.bot.test_turns import EdgeRasa
    from tests.channels.channel_fakes import RecordingSender

    rasa = EdgeRasa()
    huey = RedisHuey(f"intake-test-{uuid.uuid4().hex[:8]}", url=REDIS)
    sender = RecordingSender("simulator")
    worker = Worker(settings, huey=huey, dialogue=rasa.client(), sender_for=lambda _channel: sender)
    consumer = worker.consumer(workers=2)
    consumer.start()
    try:
        for n, text in enumerate(["hello", "yes", "my father has lung cancer"]):
            received = receive(factory, InboundMessage(channel="simulator", sender="sim-redis", text=text, provider_id=f"r-{n}"))
            worker.enqueue(received.conversation_id)

        def done() -> bool:
            with factory() as session:
                rows = session.scalars(select(Message).where(Message.direction == Direction.inbound)).all()
                return len(rows) == 3 and all(m.inbound_status == InboundStatus.processed for m in rows)

        def replies() -> list[str]:
            # The consumer also runs the periodic daily digest, an e-mail that can fall in this window.
            return [m.text for m in sender.sent if m.channel == "simulator"]

        wait_for(done, timeout=30)
        wait_for(lambda: len(replies()) == 3, timeout=30)
        assert replies() == ["you said hello", "you said yes", "you said my father has lung cancer"]
    finally:
        consumer.stop(graceful=False)
        huey.flush()
        rasa.server.shutdown()
