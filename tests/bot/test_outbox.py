"""Outbox delivery over the real transports: Twilio (HTTP edge recorded) and SMTP (real local server)."""
from __future__ import annotations

from sqlalchemy import select

from bot import outbox
from bot.conversations import queue_outbound
from bot.models import Case, Contact, Conversation, Message, MessageStatus, OutboxItem, OutboxStatus, Ticket, utcnow
from bot.senders import sender_factory
from tests.channels.channel_fakes import RecordingTwilioHttpClient, twilio_error


def _conversation(factory, channel: str = "whatsapp") -> int:  # type: ignore[no-untyped-def]
    with factory() as session, session.begin():
        contact = Contact(whatsapp="+254711000101", email="amina@example.org")
        session.add(contact)
        session.flush()
        conversation = Conversation(contact_id=contact.id, channel=channel, thread_key="<t1@example.org>", subject="Help")
        session.add(conversation)
        session.flush()
        case = Case(public_id="C-000001", conversation_id=conversation.id, data={})
        session.add(case)
        session.flush()
        session.add(Ticket(public_id="T-1", case_id=case.id, priority="normal", reason="intake_complete", due_at=utcnow()))
        return conversation.id


def _queue(factory, conversation_id: int, text: str, **extra) -> int:  # type: ignore[no-untyped-def]
    with factory() as session, session.begin():
        return queue_outbound(session, session.get(Conversation, conversation_id), text, extra)


def test_whatsapp_send_records_twilio_request_and_provider_id(settings, factory) -> None:
    http = RecordingTwilioHttpClient()
    item = _queue(factory, _conversation(factory), "Hello " * 400)  # 2400 chars: two parts
    result = outbox.deliver(factory, settings, item, sender_factory(settings, http))
    assert result.status == "sent"
    assert len(http.requests) == 2
    assert all(len(r.data["Body"]) <= 1600 for r in http.requests)
    with factory() as session:
        msg = session.scalar(select(Message))
        assert msg.provider_id and msg.provider_id.startswith("SM")
        assert session.get(OutboxItem, item).status == OutboxStatus.sent


def test_twilio_429_is_retried_with_backoff_then_fails(settings, factory) -> None:
    http = RecordingTwilioHttpClient([twilio_error(429, 20429, "Too Many Requests") for _ in range(20)])
    item = _queue(factory, _conversation(factory), "hello")
    senders = sender_factory(settings, http)
    first = outbox.deliver(factory, settings, item, senders)
    assert first.status == "retry" and first.retry_in > 0
    with factory() as session:
        row = session.get(OutboxItem, item)
        assert row.attempts == 1 and row.status == OutboxStatus.pending
    statuses = [outbox.deliver(factory, settings, item, senders).status for _ in range(settings["outbox"]["max_attempts"])]
    assert statuses[-1] == "skipped" and "failed" in statuses
    with factory() as session:
        assert session.get(OutboxItem, item).status == OutboxStatus.failed
        assert session.scalar(select(Ticket)).flagged


def test_twilio_63016_outside_window_fails_permanently_and_flags_ticket(settings, factory) -> None:
    http = RecordingTwilioHttpClient([twilio_error(400, 63016, "outside the allowed window")])
    item = _queue(factory, _conversation(factory), "hello")
    assert outbox.deliver(factory, settings, item, sender_factory(settings, http)).status == "failed"
    with factory() as session:
        msg = session.scalar(select(Message))
        assert msg.status == MessageStatus.failed and msg.error_code == "63016"
        assert session.scalar(select(Ticket)).flagged


def test_email_reply_goes_over_smtp_threaded(settings, factory, mail_sink) -> None:
    settings["smtp"].update({"host": "127.0.0.1", "port": mail_sink.port})
    conversation_id = _conversation(factory, "email")
    item = _queue(factory, conversation_id, "Thank you for writing.", subject="Re: Help",
                  in_reply_to="<m2@example.org>", references=["<t1@example.org>", "<m2@example.org>"])
    assert outbox.deliver(factory, settings, item, sender_factory(settings)).status == "sent"
    [mail] = mail_sink.messages
    assert mail["To"] == "amina@example.org"
    assert mail["In-Reply-To"] == "<m2@example.org>"
    assert "<t1@example.org>" in mail["References"]
    assert mail["Auto-Submitted"] == "auto-replied"
    assert "Thank you for writing." in mail.get_body(("plain",)).get_content()
