"""The whole path on real components: signed webhook -> queue -> real Rasa model and
action server -> outbox -> Twilio REST request (recorded at the HTTP edge)."""
from __future__ import annotations

import time

import pytest
from huey import MemoryHuey, SqliteHuey
from sqlalchemy import select

from bot.app import create_app
from bot.dialogue import RasaClient
from store.models import Case, Conversation, DeliveryStatus, Direction, InboundStatus, Message, Owner
from bot.senders import sender_factory
from bot.worker import Worker
from tests.helpers import TcpSwitch, post_signed, twilio_form, wait_for

pytestmark = pytest.mark.rasa

TWILIO_MESSAGES = "https://api.twilio.com/2010-04-01/Accounts/AC11111111111111111111111111111111/Messages.json"


def _immediate_worker(settings, twilio_http, rasa_url: str) -> Worker:  # type: ignore[no-untyped-def]
    huey = MemoryHuey("test", immediate=True)
    return Worker(settings, huey=huey, dialogue=RasaClient(rasa_url), sender_for=sender_factory(settings, twilio_http))


def test_signed_webhook_goes_through_rasa_to_a_twilio_request(rasa_servers, settings, factory, twilio_http) -> None:
    worker = _immediate_worker(settings, twilio_http, rasa_servers.get_path("rasa.url"))
    client = create_app(settings, enqueue=worker.enqueue).test_client()
    sender = "+254711000999"
    first = twilio_form("SM" + "1" * 32, sender=sender,
                        body="Hello, my mum is 52 and has breast cancer stage 2, diagnosed in Nairobi, Kenya. No treatment yet.")
    assert post_signed(client, first).status_code == 200
    assert twilio_http.requests, "the first message must be answered"
    request = twilio_http.requests[0]
    assert request.method == "POST" and request.uri == TWILIO_MESSAGES
    assert request.data["To"] == f"whatsapp:{sender}"
    assert request.data["From"] == "whatsapp:+14155238886"
    assert "YES" in request.data["Body"]  # the consent question
    before = len(twilio_http.requests)
    assert post_signed(client, twilio_form("SM" + "2" * 32, sender=sender, body="yes")).status_code == 200
    assert len(twilio_http.requests) > before  # consent given: the next question
    assert post_signed(client, twilio_form("SM" + "3" * 32, sender=sender, body="We are not sure, please advise")).status_code == 200
    with factory() as session:
        case = session.scalar(select(Case))
        assert case.data["diagnosis"]["cancer_type"] == "breast"
        assert case.data["consent"] == "given"
        assert case.data["recommendation"]["primary"] == "remote_second_opinion"
        assert case.data["estimate"]["total_low"] > 0
        assert case.tickets and case.tickets[0].reason == "intake_complete"
        outbound = session.scalars(select(Message).where(Message.direction == Direction.outbound)).all()
        assert all(m.delivery_status == DeliveryStatus.queued or m.provider_id for m in outbound)
        assert {m.delivery_status for m in outbound} <= {DeliveryStatus.queued, DeliveryStatus.sent}
    bodies = " ".join(r.data["Body"] for r in twilio_http.requests)
    assert "indicative" in bodies.lower()


def test_duplicate_sid_gets_one_reply(rasa_servers, settings, factory, twilio_http) -> None:
    worker = _immediate_worker(settings, twilio_http, rasa_servers.get_path("rasa.url"))
    client = create_app(settings, enqueue=worker.enqueue).test_client()
    form = twilio_form("SM" + "4" * 32, sender="+254711000998", body="Hello")
    for _ in range(5):
        assert post_signed(client, form).status_code == 200
    with factory() as session:
        inbound = session.scalars(select(Message).where(Message.direction == Direction.inbound)).all()
        outbound = session.scalars(select(Message).where(Message.direction == Direction.outbound)).all()
    assert len(inbound) == 1
    assert len(outbound) == 1
    assert len(twilio_http.requests) == 1


def test_media_only_message_is_answered(rasa_servers, settings, factory, twilio_http) -> None:
    worker = _immediate_worker(settings, twilio_http, rasa_servers.get_path("rasa.url"))
    client = create_app(settings, enqueue=worker.enqueue).test_client()
    form = twilio_form("SM" + "5" * 32, sender="+254711000997", body="", NumMedia="1",
                       MediaUrl0="https://api.twilio.com/media/ME1/pathology_report.pdf", MediaContentType0="application/pdf")
    del form["Body"]
    assert post_signed(client, form).status_code == 200
    assert twilio_http.requests
    with factory() as session:
        msg = session.scalar(select(Message).where(Message.direction == Direction.inbound))
        assert msg.inbound_status == InboundStatus.processed


def test_human_request_hands_off_and_bot_goes_silent(rasa_servers, settings, factory, twilio_http) -> None:
    worker = _immediate_worker(settings, twilio_http, rasa_servers.get_path("rasa.url"))
    client = create_app(settings, enqueue=worker.enqueue).test_client()
    sender = "+254711000996"
    post_signed(client, twilio_form("SM" + "6" * 32, sender=sender, body="My father has lung cancer"))
    post_signed(client, twilio_form("SM" + "7" * 32, sender=sender, body="I want to talk to a human please"))
    sent = len(twilio_http.requests)
    post_signed(client, twilio_form("SM" + "8" * 32, sender=sender, body="Hello? are you there"))
    assert len(twilio_http.requests) == sent  # silent after handoff
    with factory() as session:
        conversation = session.scalar(select(Conversation))
        assert conversation.owner == Owner.waiting
        last = session.scalars(select(Message).where(Message.direction == Direction.inbound).order_by(Message.id)).all()[-1]
        assert last.inbound_status == InboundStatus.routed_to_ticket
        ticket = session.scalar(select(Case)).tickets[0]
        assert ticket.reason == "patient_request"


def test_rasa_down_message_is_accepted_and_answered_when_rasa_returns(rasa_servers, settings, factory, twilio_http, tmp_path) -> None:
    rasa_port = int(rasa_servers.get_path("rasa.url").rsplit(":", 1)[1])
    switch = TcpSwitch(rasa_port)  # closed: Rasa is unreachable
    huey = SqliteHuey("test-down", filename=str(tmp_path / "huey.db"))
    worker = Worker(settings, huey=huey, dialogue=RasaClient(f"http://127.0.0.1:{switch.port}", timeout=10),
                    sender_for=sender_factory(settings, twilio_http))
    consumer = worker.consumer(workers=2)
    consumer.start()
    try:
        client = create_app(settings, enqueue=worker.enqueue).test_client()
        started = time.perf_counter()
        resp = post_signed(client, twilio_form("SM" + "9" * 32, sender="+254711000995", body="Hello, my son has leukaemia"))
        elapsed = time.perf_counter() - started
        print(f"webhook answered in {elapsed * 1000:.1f} ms with Rasa down")
        assert resp.status_code == 200
        time.sleep(1.0)  # the worker has tried and failed at least once
        with factory() as session:
            assert session.scalar(select(Message)).inbound_status == InboundStatus.received
        assert twilio_http.requests == []
        switch.start()  # Rasa is back
        wait_for(lambda: twilio_http.requests, timeout=60)
        with factory() as session:
            assert session.scalar(select(Message).where(Message.direction == Direction.inbound)).inbound_status == InboundStatus.processed
    finally:
        switch.stop()
        consumer.stop(graceful=False)


def test_messages_of_one_conversation_are_answered_in_order(rasa_servers, settings, factory, twilio_http, tmp_path) -> None:
    huey = SqliteHuey("test-order", filename=str(tmp_path / "huey.db"))
    worker = Worker(settings, huey=huey, dialogue=RasaClient(rasa_servers.get_path("rasa.url")),
                    sender_for=sender_factory(settings, twilio_http))
    consumer = worker.consumer(workers=3)
    consumer.start()
    try:
        client = create_app(settings, enqueue=worker.enqueue).test_client()
        sender = "+254711000994"
        bodies = ["Hello", "yes", "My wife has ovarian cancer", "She had surgery and chemo", "We live in Dhaka, Bangladesh"]
        for i, body in enumerate(bodies):
            form = twilio_form(f"SM{i:032d}", sender=sender, body=body)
            post_signed(client, form)
        wait_for(lambda: _all_processed(factory, len(bodies)), timeout=90)
        with factory() as session:
            inbound = session.scalars(select(Message).where(Message.direction == Direction.inbound).order_by(Message.id)).all()
            processed_order = sorted(inbound, key=lambda m: m.processed_at)
            assert [m.body for m in processed_order] == bodies
            assert session.scalar(select(Case)).data["consent"] == "given"
    finally:
        consumer.stop(graceful=False)


def _all_processed(factory, n: int) -> bool:  # type: ignore[no-untyped-def]
    with factory() as session:
        rows = session.scalars(select(Message).where(Message.direction == Direction.inbound)).all()
        return len(rows) == n and all(m.inbound_status == InboundStatus.processed for m in rows)



def test_no_to_a_later_question_is_not_a_consent_refusal(rasa_servers, settings, factory, twilio_http) -> None:
    """Regression: a bare "no" answering "what treatment so far?" once erased the conversation."""
    worker = _immediate_worker(settings, twilio_http, rasa_servers.get_path("rasa.url"))
    client = create_app(settings, enqueue=worker.enqueue).test_client()
    sender = "+254711000993"
    for i, body in enumerate(["My mother has breast cancer", "yes", "no"]):
        post_signed(client, twilio_form(f"SMn{i:031d}", sender=sender, body=body))
    with factory() as session:
        case = session.scalar(select(Case))
        assert case.data["consent"] == "given"
        assert case.data["diagnosis"]["cancer_type"] == "breast"
        assert session.scalar(select(Conversation)).owner == Owner.bot
        inbound = session.scalars(select(Message).where(Message.direction == Direction.inbound)).all()
        assert [m.body for m in inbound] == ["My mother has breast cancer", "yes", "no"]


def test_no_to_consent_ends_politely_and_erases(rasa_servers, settings, factory, twilio_http) -> None:
    worker = _immediate_worker(settings, twilio_http, rasa_servers.get_path("rasa.url"))
    client = create_app(settings, enqueue=worker.enqueue).test_client()
    sender = "+254711000992"
    post_signed(client, twilio_form("SMr" + "0" * 31, sender=sender, body="My husband has colon cancer, he is 60"))
    post_signed(client, twilio_form("SMr" + "1" * 31, sender=sender, body="no"))
    with factory() as session:
        conversation = session.scalar(select(Conversation))
        assert conversation.owner == Owner.closed
        assert session.scalar(select(Case)).data.get("consent") == "refused"
        inbound = session.scalars(select(Message).where(Message.direction == Direction.inbound)).all()
        assert all(m.body == "" for m in inbound)  # nothing the family said is kept
    assert len(twilio_http.requests) == 2  # the consent question and the polite goodbye
