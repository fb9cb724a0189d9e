"""handoff.queue: order, filters, due countdowns in business hours, unread marks, updates."""
from __future__ import annotations

import itertools
from datetime import datetime, timedelta, timezone
from typing import Any

import pytest

from handoff import queue as q
from handoff.tickets import business_time_between, due_at
from store.models import AuditEntry, Case, Contact, Conversation, Direction, InboundStatus, Message, Ticket
from store.states import TicketStatus



FRIDAY_4PM = datetime(2026, 12, 4, 16, 0, tzinfo=timezone.utc)  # a Friday
RULES: dict[str, Any] = {"timezone": "UTC", "business_hours": {"start": 9, "end": 17},
                         "business_days": [0, 1, 2, 3, 4], "holidays": [], "urgent_minutes": 60}
_n = itertools.count(1)


def add_ticket(
    session: Any, *, priority: str = "normal", due: datetime, created: datetime | None = None,
    channel: str = "whatsapp", language: str = "en", pathway: str | None = None,
    status: TicketStatus = TicketStatus.open, assignee: str | None = None, name: str | None = "Amina Otieno",
    wrote: list[datetime] | None = None,
) -> str:
    n = next(_n)
    contact = Contact(whatsapp=f"+25471100{n:04d}" if channel == "whatsapp" else None,
                      email=f"family{n}@example.org" if channel == "email" else None, name=name)
    session.add(contact)
    session.flush()
    conversation = Conversation(contact_id=contact.id, channel=channel)
    session.add(conversation)
    session.flush()
    created = created or due - timedelta(days=1)
    for i, at in enumerate(wrote if wrote is not None else [created - timedelta(minutes=5)]):
        session.add(Message(conversation_id=conversation.id, direction=Direction.inbound, channel=channel,
                            provider_id=f"SM{n:04d}{i}", inbound_status=InboundStatus.processed, body="hello",
                            attachments=[], created_at=at))
    data: dict[str, Any] = {"language": language}
    if pathway:
        data["recommendation"] = {"primary": pathway}
    case = Case(public_id=f"C-{n:06d}", conversation_id=conversation.id, data=data)
    session.add(case)
    session.flush()
    ticket = Ticket(public_id=f"T-{n:06d}-1", case_id=case.id, priority=priority, reason="intake_complete",
                    due_at=due, status=status, assignee=assignee, created_at=created)
    session.add(ticket)
    session.flush()
    return ticket.public_id


def ids(page: q.QueuePage) -> list[str]:
    return [row.ticket for row in page.rows]


def test_order_is_priority_then_oldest_due_and_resolved_only_on_request(factory) -> None:  # type: ignore[no-untyped-def]
    now = FRIDAY_4PM
    with factory() as session, session.begin():
        normal_late = add_ticket(session, due=now + timedelta(hours=30))
        normal_soon = add_ticket(session, due=now + timedelta(hours=2))
        urgent = add_ticket(session, priority="urgent", due=now + timedelta(minutes=50))
        high = add_ticket(session, priority="high", due=now + timedelta(hours=40))
        overdue_normal = add_ticket(session, due=now - timedelta(hours=3))
        done = add_ticket(session, priority="urgent", due=now - timedelta(hours=5), status=TicketStatus.resolved)
    with factory() as session:
        assert ids(q.queue(session, q.QueueFilter(), now, RULES)) == [urgent, high, overdue_normal, normal_soon, normal_late]
        assert ids(q.queue(session, q.QueueFilter(status="resolved"), now, RULES)) == [done]
        assert ids(q.queue(session, q.QueueFilter(status="all"), now, RULES))[:2] == [done, urgent]
        resolved = q.queue(session, q.QueueFilter(status="resolved"), now, RULES).rows[0]
        assert not resolved.overdue and resolved.countdown == "resolved"


@pytest.mark.parametrize(
    ("flt", "expected"),
    [
        ({"mine": True, "me": "Coord@Example.org"}, {"mine"}),
        ({"unassigned": True}, {"plain", "urgent", "overdue", "arabic", "email", "trial"}),
        ({"urgent": True}, {"urgent"}),
        ({"overdue": True}, {"overdue"}),
        ({"language": "ar"}, {"arabic"}),
        ({"pathway": "clinical_trial_matching"}, {"trial"}),
        ({"channel": "email"}, {"email"}),
        ({"status": "claimed"}, {"mine", "other"}),
        ({"status": "resolved"}, {"resolved"}),
        ({"urgent": True, "channel": "email"}, set()),
    ],
)
def test_each_filter_narrows_the_queue(factory, flt: dict[str, Any], expected: set[str]) -> None:  # type: ignore[no-untyped-def]
    now = FRIDAY_4PM
    later = now + timedelta(hours=20)
    with factory() as session, session.begin():
        made = {
            "plain": add_ticket(session, due=later),
            "urgent": add_ticket(session, priority="urgent", due=now + timedelta(minutes=30)),
            "overdue": add_ticket(session, due=now - timedelta(minutes=1)),
            "arabic": add_ticket(session, due=later, language="ar"),
            "email": add_ticket(session, due=later, channel="email"),
            "trial": add_ticket(session, due=later, pathway="clinical_trial_matching"),
            "mine": add_ticket(session, due=later, status=TicketStatus.claimed, assignee="coord@example.org"),
            "other": add_ticket(session, due=later, status=TicketStatus.claimed, assignee="someone@example.org"),
            "resolved": add_ticket(session, due=later, status=TicketStatus.resolved),
        }
    with factory() as session:
        shown = set(ids(q.queue(session, q.QueueFilter(**flt), now, RULES)))
    assert shown == {made[key] for key in expected}


@pytest.mark.parametrize(
    "flt",
    [{"status": "closed"}, {"channel": "sms"}, {"language": "xx"}, {"pathway": "magic"}, {"mine": True}],
)
def test_unknown_filter_values_are_refused(flt: dict[str, Any]) -> None:
    with pytest.raises(q.FilterError):
        q.QueueFilter(**flt)


def test_business_time_skips_nights_weekends_and_holidays() -> None:
    # Friday 16:00 to Monday 16:00: one hour on Friday, seven on Monday.
    assert business_time_between(FRIDAY_4PM, FRIDAY_4PM + timedelta(days=3), RULES) == timedelta(hours=8)
    holiday = {**RULES, "holidays": ["2026-12-07"]}
    assert business_time_between(FRIDAY_4PM, FRIDAY_4PM + timedelta(days=4), holiday) == timedelta(hours=8)
    # Another timezone: Nairobi is UTC+3, its 9-17 is 06-14 UTC.
    nairobi = {**RULES, "timezone": "Africa/Nairobi"}
    monday = datetime(2026, 12, 7, 5, 0, tzinfo=timezone.utc)
    assert business_time_between(monday, monday + timedelta(hours=5), nairobi) == timedelta(hours=4)
    assert business_time_between(FRIDAY_4PM, FRIDAY_4PM - timedelta(hours=1), RULES) == timedelta(0)


def test_due_countdown_counts_business_hours_and_marks_overdue(factory) -> None:  # type: ignore[no-untyped-def]
    holiday = {**RULES, "holidays": ["2026-12-07"]}
    opened = FRIDAY_4PM
    due = due_at("normal", opened, holiday)  # the next business day (Tuesday, Monday is a holiday) at 16:00
    assert due == datetime(2026, 12, 8, 16, 0, tzinfo=timezone.utc)
    with factory() as session, session.begin():
        normal = add_ticket(session, due=due, created=opened)
        urgent = add_ticket(session, priority="urgent", due=due_at("urgent", opened, holiday), created=opened)
    with factory() as session:
        rows = {r.ticket: r for r in q.queue(session, q.QueueFilter(), opened + timedelta(minutes=30), holiday).rows}
        assert rows[normal].countdown == "7 h 30 min left" and rows[normal].business_hours and not rows[normal].overdue
        assert rows[urgent].countdown == "30 min left" and not rows[urgent].business_hours
        # Over the weekend and the holiday no business time passes.
        rows = {r.ticket: r for r in q.queue(session, q.QueueFilter(), datetime(2026, 12, 7, 12, tzinfo=timezone.utc), holiday).rows}
        assert rows[normal].countdown == "7 h left"
        assert rows[urgent].overdue and rows[urgent].countdown.startswith("overdue 2 d")
        rows = {r.ticket: r for r in q.queue(session, q.QueueFilter(), due + timedelta(hours=2, minutes=5), holiday).rows}
        assert rows[normal].overdue and rows[normal].countdown == "overdue 2 h 5 min"
        assert rows[normal].seconds_left == -(2 * 3600 + 5 * 60)


def test_unread_when_the_patient_wrote_after_the_last_coordinator_reply(factory) -> None:  # type: ignore[no-untyped-def]
    now = FRIDAY_4PM
    opened = now - timedelta(hours=3)
    with factory() as session, session.begin():
        quiet = add_ticket(session, due=now + timedelta(hours=5), created=opened)
        wrote = add_ticket(session, due=now + timedelta(hours=5), created=opened,
                           wrote=[opened - timedelta(minutes=1), now - timedelta(hours=1)])
        answered = add_ticket(session, due=now + timedelta(hours=5), created=opened,
                              wrote=[opened - timedelta(minutes=1), now - timedelta(hours=1)])
        ticket = session.query(Ticket).filter_by(public_id=answered).one()
        session.add(AuditEntry(actor="coord@example.org", action="reply", case_id=ticket.case_id,
                               ticket_id=ticket.id, at=now - timedelta(minutes=30), detail={}))
    with factory() as session:
        rows = {r.ticket: r for r in q.queue(session, q.QueueFilter(), now, RULES).rows}
    assert not rows[quiet].unread  # the message that opened the ticket was answered by the bot
    assert rows[wrote].unread and rows[wrote].last_patient_at == now - timedelta(hours=1)
    assert not rows[answered].unread


def test_rows_show_the_channel_and_last_digits_not_the_address(factory) -> None:  # type: ignore[no-untyped-def]
    now = FRIDAY_4PM
    with factory() as session, session.begin():
        wa = add_ticket(session, due=now + timedelta(hours=3))
        mail = add_ticket(session, due=now + timedelta(hours=4), channel="email", name=None)
    with factory() as session:
        rows = {r.ticket: r for r in q.queue(session, q.QueueFilter(), now, RULES).rows}
        number = session.query(Contact).join(Conversation).join(Case).join(Ticket).filter(Ticket.public_id == wa).one().whatsapp
    assert rows[wa].contact_hint == "···" + number[-4:] and rows[wa].channel_label == "WhatsApp"
    assert rows[wa].patient == "Amina Otieno" and rows[wa].initials == "AO"
    assert number not in str(rows[wa].as_json())
    assert rows[mail].patient == rows[mail].contact_hint and rows[mail].contact_hint.endswith("···@example.org")
    assert "family" not in rows[mail].contact_hint


def test_updates_name_tickets_and_patient_messages_after_since(factory) -> None:  # type: ignore[no-untyped-def]
    now = FRIDAY_4PM
    since = now - timedelta(minutes=10)
    with factory() as session, session.begin():
        old = add_ticket(session, due=now + timedelta(hours=3), created=now - timedelta(hours=2))
        old_wrote = add_ticket(session, due=now + timedelta(hours=3), created=now - timedelta(hours=2),
                               wrote=[now - timedelta(hours=2, minutes=1), now - timedelta(minutes=2)])
        new = add_ticket(session, due=now + timedelta(hours=3), created=now - timedelta(minutes=1),
                         wrote=[now - timedelta(minutes=1)])
    with factory() as session:
        found = q.updates(session, q.QueueFilter(), since, now, RULES)
    assert found["new_tickets"] == [new]
    assert [m["ticket"] for m in found["new_messages"]] == [old_wrote]
    assert old in ids(found["page"])
