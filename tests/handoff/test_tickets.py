"""Ticket priority, due times and the one-open-ticket rule."""
from __future__ import annotations

from datetime import datetime, timezone

import pytest
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from store.models import Case, Contact, Conversation, Ticket, TicketStatus
from handoff import tickets

RULES = {"timezone": "UTC", "business_hours": {"start": 9, "end": 17}, "business_days": [0, 1, 2, 3, 4],
         "holidays": ["2026-12-25"], "urgent_minutes": 60}


@pytest.mark.parametrize(
    ("case", "priority"),
    [
        ({"safety": {"emergency": True, "red_flags": ["bleeding"]}}, "urgent"),
        ({"safety": {"emergency": False, "red_flags": [], "review": True}}, "urgent"),  # a doubt: a person looks now
        ({"safety": {"emergency": False, "red_flags": []}, "history": {"disease_status": "relapsed"}}, "high"),
        ({"history": {"disease_status": "refractory"}}, "high"),
        ({"history": {"disease_status": "progressing"}}, "normal"),
        ({}, "normal"),
    ],
)
def test_priority(case, priority) -> None:
    assert tickets.priority_for(case) == priority


@pytest.mark.parametrize(
    ("now", "priority", "due"),
    [
        ("2026-11-27T10:00:00+00:00", "urgent", "2026-11-27T11:00:00+00:00"),  # Friday
        ("2026-11-27T10:00:00+00:00", "normal", "2026-11-30T10:00:00+00:00"),  # Friday -> Monday
        ("2026-11-28T12:00:00+00:00", "high", "2026-12-01T09:00:00+00:00"),  # Saturday: counts from Monday 9:00
        ("2026-11-26T20:00:00+00:00", "normal", "2026-11-30T09:00:00+00:00"),  # after hours Thursday
        ("2026-12-24T10:00:00+00:00", "normal", "2026-12-28T10:00:00+00:00"),  # holiday skipped
    ],
)
def test_due_at(now, priority, due) -> None:
    assert tickets.due_at(priority, datetime.fromisoformat(now), RULES) == datetime.fromisoformat(due)


def test_unknown_reason_is_refused() -> None:
    with pytest.raises(ValueError):
        tickets.ticket_request({}, "because")


def _case(session) -> Case:  # type: ignore[no-untyped-def]
    contact = Contact(whatsapp="+10000000001")
    session.add(contact)
    session.flush()
    conversation = Conversation(contact_id=contact.id, channel="whatsapp")
    session.add(conversation)
    session.flush()
    case = Case(public_id=f"C-{conversation.id:06d}", conversation_id=conversation.id, data={})
    session.add(case)
    session.flush()
    return case


def test_open_then_escalate_keeps_one_ticket(factory) -> None:
    now = datetime(2026, 11, 27, 10, tzinfo=timezone.utc)
    with factory() as session, session.begin():
        case = _case(session)
        first, created = tickets.open_ticket(session, case, "intake_complete", "normal", RULES, now)
        assert created
        again, changed = tickets.open_ticket(session, case, "intake_complete", "normal", RULES, now)
        assert again.id == first.id and not changed
        urgent, escalated = tickets.open_ticket(session, case, "emergency", "urgent", RULES, now)
        assert urgent.id == first.id and escalated
        assert urgent.priority == "urgent" and urgent.reason == "emergency"
    with factory() as session:
        assert len(session.scalars(select(Ticket)).all()) == 1


def test_database_refuses_a_second_open_ticket(factory) -> None:
    now = datetime(2026, 11, 27, 10, tzinfo=timezone.utc)
    with factory() as session:
        with session.begin():
            case = _case(session)
            case_id = case.id
            session.add(Ticket(public_id="T-a", case_id=case_id, priority="normal", reason="intake_complete", due_at=now))
        with pytest.raises(IntegrityError):
            with session.begin():
                session.add(Ticket(public_id="T-b", case_id=case_id, priority="normal", reason="patient_request", due_at=now))
    with factory() as session, session.begin():
        session.scalar(select(Ticket)).status = TicketStatus.resolved
        session.add(Ticket(public_id="T-c", case_id=case_id, priority="normal", reason="patient_request", due_at=now))
    with factory() as session:
        assert len(session.scalars(select(Ticket)).all()) == 2


def test_a_doubt_makes_the_open_ticket_urgent_and_an_emergency_then_names_it(factory) -> None:
    now = datetime(2026, 11, 27, 10, tzinfo=timezone.utc)
    with factory() as session, session.begin():
        case = _case(session)
        ticket, _ = tickets.open_ticket(session, case, "intake_complete", "normal", RULES, now)
        _, changed = tickets.open_ticket(session, case, "safety_review", "urgent", RULES, now)
        assert changed and (ticket.priority, ticket.reason) == ("urgent", "safety_review")
        _, changed = tickets.open_ticket(session, case, "emergency", "urgent", RULES, now)
        assert changed and (ticket.priority, ticket.reason) == ("urgent", "emergency")
        _, changed = tickets.open_ticket(session, case, "safety_review", "urgent", RULES, now)
        assert not changed and ticket.reason == "emergency"  # a later doubt does not rename an emergency


def test_the_recommendation_so_far_is_what_the_known_facts_support() -> None:
    pending = {"primary": None, "secondary": [], "reasons": ["pending: intake incomplete (location)"]}
    relapsed = {"diagnosis": {"cancer_type": "multiple_myeloma"}, "history": {"disease_status": "refractory"},
                "recommendation": pending}
    so_far = tickets.recommendation_so_far(relapsed)
    assert so_far["primary"] == "car_t_eligibility" and so_far["reasons"][-1] == pending["reasons"][0]
    assert tickets.recommendation_so_far({"recommendation": pending}) == pending  # nothing known: still pending
    asked = {"request": {"service": "proton_therapy"}, "recommendation": pending}
    assert tickets.recommendation_so_far(asked)["primary"] == "proton_therapy"  # rule 2 needs no more facts


def test_a_bot_change_of_the_recommendation_is_in_the_history_and_flags_the_ticket(factory) -> None:
    from handoff import verbs
    from store.models import AuditEntry

    now = datetime(2026, 11, 27, 10, tzinfo=timezone.utc)
    with factory() as session, session.begin():
        case = _case(session)
        ticket, _ = tickets.open_ticket(session, case, "intake_complete", "normal", RULES, now)
        assert verbs.recommendation_changed(session, case, "remote_second_opinion", "remote_second_opinion", 1) is None
        assert verbs.recommendation_changed(session, case, "remote_second_opinion", "proton_therapy", 7) is ticket
    with factory() as session:
        [entry] = session.scalars(select(AuditEntry)).all()
        assert (entry.action, entry.actor) == ("recommendation_changed", "system")
        assert entry.detail == {"from": "remote_second_opinion", "to": "proton_therapy", "message_id": 7}
        assert session.scalar(select(Ticket)).flagged
