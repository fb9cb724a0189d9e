"""Outbox delivery over the real transports: Twilio (HTTP edge recorded) and SMTP (real local server)."""
from __future__ import annotations

from sqlalchemy import select

from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import requests

from bot import outbox
from handoff.outbound import queue_outbound
from store.models import Case, Contact, Conversation, DeliveryStatus, Message, OutboxItem, OutboxStatus, Ticket, utcnow
from bot.senders import sender_factory
from tests.channels.channel_fakes import RecordingTwilioHttpClient, message_created, message_list, twilio_error


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


def test_whatsapp_send_records_each_part_with_its_own_sid(settings, factory) -> None:
    http = RecordingTwilioHttpClient()
    item = _queue(factory, _conversation(factory), "Hello " * 400)  # 2400 chars: two parts
    result = outbox.deliver(factory, settings, item, sender_factory(settings, http))
    assert result.status == "sent"
    assert len(http.requests) == 2
    assert all(len(r.data["Body"]) <= 1600 for r in http.requests)
    with factory() as session:
        parts = session.get(OutboxItem, item).parts
        assert [p.provider_id for p in parts] == ["SM" + f"{i:032x}" for i in (1, 2)]
        assert session.scalar(select(Message)).provider_id == parts[-1].provider_id
        assert session.get(OutboxItem, item).status == OutboxStatus.sent
        assert session.scalar(select(Message)).delivery_status == DeliveryStatus.sent
    # The status callback URL names the part, so an early callback finds it.
    assert http.requests[0].data["StatusCallback"].endswith(f"?ref={parts[0].id}")


def test_a_delivered_item_is_never_sent_again(settings, factory) -> None:
    http = RecordingTwilioHttpClient()
    item = _queue(factory, _conversation(factory), "hello")
    senders = sender_factory(settings, http)
    assert outbox.deliver(factory, settings, item, senders).status == "sent"
    assert outbox.deliver(factory, settings, item, senders).status == "skipped"
    assert outbox.due_items(factory, lost_after=0) == []
    assert len(http.requests) == 1


def test_transient_failures_back_off_until_due_then_deliver_once(settings, factory, test_clock) -> None:
    http = RecordingTwilioHttpClient([twilio_error(503, 20503) for _ in range(3)])
    settings["outbox"].update({"backoff_base": 60, "backoff_max": 600})
    item = _queue(factory, _conversation(factory), "hello")
    senders = sender_factory(settings, http)
    first = outbox.deliver(factory, settings, item, senders)
    assert first.status == "retry" and 60 <= first.retry_in <= 600
    assert outbox.deliver(factory, settings, item, senders).status == "skipped"  # not due yet
    statuses = []
    for _ in range(6):
        test_clock(600)
        statuses.append(outbox.deliver(factory, settings, item, senders).status)
    assert statuses[:3] == ["retry", "retry", "sent"] and set(statuses[3:]) == {"skipped"}
    assert sum(1 for r in http.requests if r.method == "POST") == 4
    with factory() as session:
        row = session.get(OutboxItem, item)
        assert row.status == OutboxStatus.sent and row.attempts == 4


def test_backoff_is_capped_exponential_with_jitter(settings) -> None:
    settings["outbox"].update({"backoff_base": 2, "backoff_max": 600})
    waits = [outbox.backoff_seconds(n, settings) for n in range(1, 15)]
    assert 2 <= waits[0] <= 4 and all(w <= 600 for w in waits) and waits[-1] == 600
    assert len({round(outbox.backoff_seconds(3, settings), 6) for _ in range(20)}) > 1  # jitter


def test_still_failing_after_the_give_up_time_fails_and_flags_the_ticket(settings, factory, test_clock) -> None:
    http = RecordingTwilioHttpClient([twilio_error(429, 20429, "Too Many Requests") for _ in range(50)])
    item = _queue(factory, _conversation(factory), "hello")
    senders = sender_factory(settings, http)
    assert outbox.deliver(factory, settings, item, senders).status == "retry"
    test_clock(23 * 3600)
    assert outbox.deliver(factory, settings, item, senders).status == "retry"  # 24 hours are not over
    test_clock(2 * 3600)
    assert outbox.deliver(factory, settings, item, senders).status == "failed"
    with factory() as session:
        assert session.get(OutboxItem, item).status == OutboxStatus.failed
        assert session.scalar(select(Message)).delivery_status == DeliveryStatus.failed
        assert session.scalar(select(Ticket)).flagged


def test_twilio_63016_outside_window_fails_permanently_and_flags_ticket(settings, factory) -> None:
    http = RecordingTwilioHttpClient([twilio_error(400, 63016, "outside the allowed window")])
    item = _queue(factory, _conversation(factory), "hello")
    assert outbox.deliver(factory, settings, item, sender_factory(settings, http)).status == "failed"
    with factory() as session:
        msg = session.scalar(select(Message))
        assert msg.delivery_status == DeliveryStatus.failed and msg.error_code == "63016"
        assert session.scalar(select(Ticket)).flagged


def test_a_failure_without_a_ticket_opens_a_delivery_failed_ticket(settings, factory) -> None:
    conversation_id = _conversation(factory)
    with factory() as session, session.begin():
        session.delete(session.scalar(select(Ticket)))
    http = RecordingTwilioHttpClient([twilio_error(400, 21610, "unsubscribed")])
    item = _queue(factory, conversation_id, "hello")
    notified: list[int] = []

    def notify(session, case):  # type: ignore[no-untyped-def]
        notified.append(case.id)
        return []

    assert outbox.deliver(factory, settings, item, sender_factory(settings, http), notify=notify).status == "failed"
    with factory() as session:
        ticket = session.scalar(select(Ticket))
        assert ticket.reason == "delivery_failed" and ticket.flagged
    assert notified


def test_a_retry_of_a_split_message_resumes_at_the_first_unsent_part(settings, factory) -> None:
    http = RecordingTwilioHttpClient([message_created("SMpart1"), twilio_error(503, 20503)])
    item = _queue(factory, _conversation(factory), "A sentence that is long enough to split. " * 60)
    senders = sender_factory(settings, http)
    assert outbox.deliver(factory, settings, item, senders).status == "retry"
    with factory() as session, session.begin():
        session.get(OutboxItem, item).next_attempt_at = utcnow()
    assert outbox.deliver(factory, settings, item, senders).status == "sent"
    bodies = [r.data["Body"] for r in http.requests]
    assert len(bodies) == 3 and bodies[1] == bodies[2] != bodies[0]  # part 1 once, part 2 retried


def test_an_attempt_whose_outcome_was_lost_is_looked_up_not_resent(settings, factory) -> None:
    """A read timeout (or a worker killed after Twilio accepted): ask Twilio first."""
    http = RecordingTwilioHttpClient([requests.exceptions.ReadTimeout("slow")])
    item = _queue(factory, _conversation(factory), "hello there")
    senders = sender_factory(settings, http)
    assert outbox.deliver(factory, settings, item, senders).status == "retry"
    with factory() as session, session.begin():
        session.get(OutboxItem, item).next_attempt_at = utcnow()
        assert session.get(OutboxItem, item).parts[0].status == "attempted"
    http.responses = [message_list({"sid": "SMalready", "body": "hello there", "status": "delivered",
                                    "date_created": "Wed, 02 Dec 2099 10:00:00 +0000"})]
    assert outbox.deliver(factory, settings, item, senders).status == "sent"
    assert [r.method for r in http.requests] == ["POST", "GET"]
    with factory() as session:
        assert session.get(OutboxItem, item).parts[0].provider_id == "SMalready"


def test_an_attempt_twilio_does_not_have_is_sent_again(settings, factory) -> None:
    http = RecordingTwilioHttpClient([requests.exceptions.ReadTimeout("slow"), message_list()])
    item = _queue(factory, _conversation(factory), "hello there")
    senders = sender_factory(settings, http)
    assert outbox.deliver(factory, settings, item, senders).status == "retry"
    with factory() as session, session.begin():
        session.get(OutboxItem, item).next_attempt_at = utcnow()
    assert outbox.deliver(factory, settings, item, senders).status == "sent"
    assert [r.method for r in http.requests] == ["POST", "GET", "POST"]


def test_an_item_held_by_a_live_lease_is_not_taken_and_a_dead_one_is(settings, factory) -> None:
    http = RecordingTwilioHttpClient()
    item = _queue(factory, _conversation(factory), "hello")
    with factory() as session, session.begin():
        row = session.get(OutboxItem, item)
        row.status, row.lease_until = OutboxStatus.sending, utcnow() + timedelta(minutes=1)
    senders = sender_factory(settings, http)
    assert outbox.deliver(factory, settings, item, senders).status == "skipped"
    assert outbox.due_items(factory, lost_after=0) == []
    with factory() as session, session.begin():
        session.get(OutboxItem, item).lease_until = utcnow() - timedelta(seconds=1)  # its worker died
    assert outbox.due_items(factory, lost_after=0) == [item]
    assert outbox.due_items(factory, lost_after=60) == []  # already queued: never twice
    assert outbox.deliver(factory, settings, item, senders).status == "sent"
    assert len(http.requests) == 1


def test_concurrent_deliveries_of_one_item_send_it_once(settings, factory) -> None:
    http = SlowTwilioHttpClient(delay=0.5)
    item = _queue(factory, _conversation(factory), "hello")
    senders = sender_factory(settings, http)
    with ThreadPoolExecutor(4) as pool:
        results = list(pool.map(lambda _: outbox.deliver(factory, settings, item, senders).status, range(4)))
    assert sorted(results) == ["sent", "skipped", "skipped", "skipped"]
    assert len(http.requests) == 1


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


def test_email_resend_keeps_the_message_id_chosen_once(settings, factory, mail_sink) -> None:
    settings["smtp"].update({"host": "127.0.0.1", "port": mail_sink.port})
    item = _queue(factory, _conversation(factory, "email"), "Thank you.", subject="Re: Help")
    assert outbox.deliver(factory, settings, item, sender_factory(settings)).status == "sent"
    with factory() as session:
        chosen = session.get(OutboxItem, item).payload["message_id"]
    assert chosen.endswith("@intake.localhost>")
    with factory() as session, session.begin():  # as if the worker died before recording it
        row = session.get(OutboxItem, item)
        row.status, row.lease_until = OutboxStatus.sending, utcnow() - timedelta(seconds=1)
        row.parts[0].status, row.parts[0].provider_id = "attempted", None
    assert outbox.deliver(factory, settings, item, sender_factory(settings)).status == "sent"
    assert [m["Message-ID"] for m in mail_sink.messages] == [chosen, chosen]


class SlowTwilioHttpClient(RecordingTwilioHttpClient):
    """Twilio answering slowly (a provider taking its time)."""

    def __init__(self, delay: float) -> None:
        super().__init__()
        self.delay = delay

    def request(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        import time

        time.sleep(self.delay)
        return super().request(*args, **kwargs)


def test_a_lost_send_is_not_matched_to_an_earlier_identical_reply(settings, factory) -> None:
    conversation_id = _conversation(factory)
    http = RecordingTwilioHttpClient([message_created("SMfirst"), requests.exceptions.ReadTimeout("slow")])
    senders = sender_factory(settings, http)
    first, second = _queue(factory, conversation_id, "Thank you, noted."), _queue(factory, conversation_id, "Thank you, noted.")
    assert outbox.deliver(factory, settings, first, senders).status == "sent"
    assert outbox.deliver(factory, settings, second, senders).status == "retry"
    with factory() as session, session.begin():
        session.get(OutboxItem, second).next_attempt_at = utcnow()
    http.responses = [message_list({"sid": "SMfirst", "body": "Thank you, noted.", "status": "delivered"})]
    assert outbox.deliver(factory, settings, second, senders).status == "sent"
    with factory() as session:
        assert session.get(OutboxItem, second).parts[0].provider_id not in (None, "SMfirst")
    assert [r.method for r in http.requests] == ["POST", "POST", "GET", "POST"]


def test_a_later_reply_waits_for_an_earlier_unsent_one_of_the_conversation(settings, factory) -> None:
    """The patient reads replies in the order the bot wrote them, even across a failure."""
    conversation_id = _conversation(factory)
    http = RecordingTwilioHttpClient([twilio_error(503, 20503)])
    senders = sender_factory(settings, http)
    first, second = _queue(factory, conversation_id, "first reply"), _queue(factory, conversation_id, "second reply")
    assert outbox.deliver(factory, settings, first, senders).status == "retry"
    assert outbox.deliver(factory, settings, second, senders).status == "waiting"
    with factory() as session, session.begin():
        session.get(OutboxItem, first).next_attempt_at = utcnow()
    result = outbox.deliver(factory, settings, first, senders)
    assert result.status == "sent" and result.next == (second,)
    assert outbox.deliver(factory, settings, second, senders).status == "sent"
    assert [r.data["Body"] for r in http.requests] == ["first reply", "first reply", "second reply"]


def test_a_reply_waiting_on_one_being_sent_is_due_again_soon_not_at_the_end_of_its_lease(settings, factory) -> None:
    """The earlier reply can be sent, and release this one, between this one's read and
    write: were it held until the earlier one's lease ends, it would wait minutes."""
    conversation_id = _conversation(factory)
    senders = sender_factory(settings, RecordingTwilioHttpClient())
    first, second = _queue(factory, conversation_id, "first reply"), _queue(factory, conversation_id, "second reply")
    with factory() as session, session.begin():  # another worker is sending the first, under a 120 s lease
        item = session.get(OutboxItem, first)
        item.status, item.lease_until = OutboxStatus.sending, utcnow() + timedelta(seconds=120)
    assert outbox.deliver(factory, settings, second, senders).status == "waiting"
    recheck = float(settings["outbox"]["wait_recheck_seconds"])
    with factory() as session:
        due = session.get(OutboxItem, second).next_attempt_at
    due = due if due.tzinfo else due.replace(tzinfo=utcnow().tzinfo)
    assert due <= utcnow() + timedelta(seconds=recheck + 1)
    assert settings["outbox"]["lease_seconds"] > recheck + 1  # the lease's end would be later
