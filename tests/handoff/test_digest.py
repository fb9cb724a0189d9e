"""handoff.digest: the daily digest of open and overdue tickets, queued once per day and
sent through the outbox; and the console link in every ticket notification."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from huey import MemoryHuey
from sqlalchemy import func, select

from handoff import digest, verbs
from handoff.tickets import due_at
from store.models import Case, Contact, Conversation, DigestDay, OutboxItem
from store.states import TicketStatus
from tests.handoff.test_queue import FRIDAY_4PM, add_ticket


NINE_AM = datetime(2026, 12, 4, 9, 0, tzinfo=timezone.utc)  # Friday, the digest hour below


@pytest.fixture
def digest_settings(settings):  # type: ignore[no-untyped-def]
    settings["console"]["digest_hour"] = 9
    settings["organisation"]["coordinator_emails"] = ["one@intake.example", "two@intake.example"]
    return settings


def _seed(factory) -> dict[str, str]:  # type: ignore[no-untyped-def]
    with factory() as session, session.begin():
        return {
            "overdue": add_ticket(session, priority="high", due=NINE_AM - timedelta(hours=2), pathway="car_t_eligibility"),
            "open": add_ticket(session, due=NINE_AM + timedelta(hours=5), assignee="coord@example.org",
                               status=TicketStatus.claimed),
            "resolved": add_ticket(session, due=NINE_AM - timedelta(hours=8), status=TicketStatus.resolved),
        }


def test_the_digest_lists_open_and_overdue_tickets_with_links_and_no_patient_data(factory, digest_settings) -> None:  # type: ignore[no-untyped-def]
    made = _seed(factory)
    with factory() as session:
        built = digest.build_digest(session, digest_settings, NINE_AM)
    assert [r.ticket for r in built.overdue] == [made["overdue"]]
    assert [r.ticket for r in built.open] == [made["overdue"], made["open"]]
    assert built.subject == "[CancerFax] Daily digest 2026-12-04: 2 open, 1 overdue"
    overdue_part, open_part = built.text.split("\nOPEN\n")
    assert made["overdue"] in overdue_part and "overdue 2 h," in overdue_part and "car_t_eligibility" in overdue_part
    assert made["open"] in open_part and made["overdue"] not in open_part and "coord@example.org" in open_part
    assert made["resolved"] not in built.text
    assert f"https://intake.example.org/console/tickets/{made['open']}" in built.text
    # Only codes and ids: no names, numbers or addresses of patients.
    assert "Amina" not in built.text and "+2547" not in built.text


def test_an_empty_queue_still_gets_its_digest(factory, digest_settings) -> None:  # type: ignore[no-untyped-def]
    with factory() as session:
        built = digest.build_digest(session, digest_settings, NINE_AM)
    assert "0 open, 0 overdue" in built.subject and "(none)" in built.text


def test_queued_once_per_day_from_the_digest_hour_in_the_tickets_timezone(factory, digest_settings) -> None:  # type: ignore[no-untyped-def]
    _seed(factory)

    def run(now: datetime) -> list[int]:
        with factory() as session, session.begin():
            return digest.queue_digest(session, digest_settings, now)

    assert run(NINE_AM - timedelta(minutes=1)) == []
    first = run(NINE_AM)
    assert len(first) == 2  # one per coordinator address
    assert run(NINE_AM + timedelta(minutes=10)) == [] and run(NINE_AM + timedelta(hours=14, minutes=59)) == []
    assert len(run(NINE_AM + timedelta(days=1))) == 2  # the next day (Saturday) has its own
    with factory() as session:
        items = session.scalars(select(OutboxItem).order_by(OutboxItem.id)).all()
        assert [i.recipient for i in items] == ["one@intake.example", "two@intake.example"] * 2
        assert {i.payload["kind"] for i in items} == {"digest"}
        assert [d.day.isoformat() for d in session.scalars(select(DigestDay).order_by(DigestDay.day))] == ["2026-12-04", "2026-12-05"]
    # In Nairobi (UTC+3) 09:00 is 06:00 UTC: the day there is already the 6th at 21:00 UTC.
    digest_settings["tickets"]["timezone"] = "Africa/Nairobi"
    assert run(datetime(2026, 12, 5, 21, 0, tzinfo=timezone.utc)) == []  # 00:00 on the 6th, before 09:00
    assert len(run(datetime(2026, 12, 6, 6, 0, tzinfo=timezone.utc))) == 2


def _worker(settings, mail_sink):  # type: ignore[no-untyped-def]
    from bot.senders import sender_factory
    from bot.worker import Worker

    settings["smtp"].update({"host": "127.0.0.1", "port": mail_sink.port, "sink": False})
    return Worker(settings, huey=MemoryHuey(f"digest-{id(settings)}", immediate=True), sender_for=sender_factory(settings))


def test_the_worker_sends_the_digest_through_the_outbox_to_smtp_once(factory, digest_settings, mail_sink) -> None:  # type: ignore[no-untyped-def]
    made = _seed(factory)
    worker = _worker(digest_settings, mail_sink)
    assert len(worker.send_digest(NINE_AM + timedelta(minutes=3))) == 2
    # A restart, or a second worker, at the next check: nothing more.
    again = _worker(digest_settings, mail_sink)
    assert again.send_digest(NINE_AM + timedelta(minutes=13)) == []
    assert sorted(m["To"] for m in mail_sink.messages) == ["one@intake.example", "two@intake.example"]
    mail = mail_sink.messages[0]
    assert mail["Subject"] == "[CancerFax] Daily digest 2026-12-04: 2 open, 1 overdue"
    assert made["overdue"] in mail.get_content()
    with factory() as session:
        assert session.scalar(select(func.count()).select_from(OutboxItem).where(OutboxItem.status == "sent")) == 2


def test_a_worker_that_loses_the_race_sends_nothing(factory, digest_settings, mail_sink, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    _seed(factory)
    worker = _worker(digest_settings, mail_sink)
    assert len(worker.send_digest(NINE_AM)) == 2
    # The other worker checked before the first one committed: its insert of the day fails.
    monkeypatch.setattr(digest, "already_queued", lambda _session, _day: False)
    assert worker.send_digest(NINE_AM + timedelta(minutes=1)) == []
    with factory() as session:
        assert session.scalar(select(func.count()).select_from(OutboxItem)) == 2
    assert len(mail_sink.messages) == 2


def test_the_huey_periodic_task_sends_it_at_the_digest_hour(factory, digest_settings, mail_sink, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from bot import clock

    _seed(factory)
    worker = _worker(digest_settings, mail_sink)
    assert [t.name for t in worker.huey._registry.periodic_tasks] == ["daily_digest"]
    # A Friday years ahead: the outbox delivers what is due by business time (clock.now), and an
    # item is due from when it was written (the real time), so business time must not be behind it.
    friday = NINE_AM + timedelta(weeks=520)
    monkeypatch.setattr(clock, "now", lambda: friday - timedelta(hours=1))
    assert worker.daily_digest.call_local() == 0
    monkeypatch.setattr(clock, "now", lambda: friday + timedelta(minutes=10))
    assert worker.daily_digest.call_local() == 2 and worker.daily_digest.call_local() == 0
    assert len(mail_sink.messages) == 2


@pytest.mark.parametrize("priority", ["urgent", "normal"])
def test_every_ticket_notification_links_to_its_console_page_and_goes_after_commit(factory, settings, priority) -> None:  # type: ignore[no-untyped-def]
    delivered: list[int] = []
    with factory() as session, session.begin():
        contact = Contact(whatsapp="+254711000999", name="Amina")
        session.add(contact)
        session.flush()
        conversation = Conversation(contact_id=contact.id, channel="whatsapp")
        session.add(conversation)
        session.flush()
        case = Case(public_id="C-000042", conversation_id=conversation.id, data={"language": "en"})
        session.add(case)
        session.flush()
        ticket, ids = verbs.open_ticket(session, settings, case, "emergency" if priority == "urgent" else "intake_complete",
                                        priority, FRIDAY_4PM, deliver=delivered.append)
        public_id = ticket.public_id
        assert delivered == []
    assert delivered == ids and len(ids) == 1  # at once, as soon as the ticket is committed
    with factory() as session:
        item = session.get(OutboxItem, ids[0])
        assert f"https://intake.example.org/console/tickets/{public_id}" in item.payload["text"]
        assert item.payload["subject"].startswith(f"[CancerFax] {priority.upper()} {public_id}")
        assert "Amina" not in item.payload["text"]
        if priority == "urgent":
            assert due_at("urgent", FRIDAY_4PM, settings["tickets"]).isoformat() in item.payload["text"]
