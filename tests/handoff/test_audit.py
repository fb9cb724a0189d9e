"""handoff.audit: entries written in the action's transaction, filters, newest first, pages."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from handoff import audit, users
from store.models import AuditEntry, Case, Contact, Conversation, Ticket, utcnow
from store.states import Role

DAY = datetime(2026, 3, 2, tzinfo=timezone.utc)


@pytest.fixture
def seeded(factory):  # type: ignore[no-untyped-def]
    """Two users, two cases with a ticket each, and entries spread over three days."""
    with factory() as session, session.begin():
        ada, _ = users.create_user(session, "ada@example.org", Role.admin)
        bo, _ = users.create_user(session, "bo_x@example.org", Role.coordinator)
        tickets = []
        for n in (1, 2):
            contact = Contact(whatsapp=f"+25471100000{n}")
            session.add(contact)
            session.flush()
            conversation = Conversation(contact_id=contact.id, channel="whatsapp")
            session.add(conversation)
            session.flush()
            case = Case(public_id=f"C-00000{n}", conversation_id=conversation.id, data={})
            session.add(case)
            session.flush()
            ticket = Ticket(public_id=f"T-00000{n}-1", case_id=case.id, priority="normal", reason="intake_complete",
                            due_at=utcnow())
            session.add(ticket)
            session.flush()
            tickets.append(ticket)
        plan = [
            (ada, "view_case", tickets[0], DAY),
            (bo, "view_case", tickets[0], DAY + timedelta(days=1)),
            (bo, "claim", tickets[1], DAY + timedelta(days=1, hours=2)),
            (bo, "reply", tickets[1], DAY + timedelta(days=2)),
            (None, "sign_in_refused", None, DAY + timedelta(days=2, hours=1)),
        ]
        for user, action, ticket, at in plan:
            entry = audit.record(session, user, action, ticket=ticket, detail={"n": action})
            entry.at = at
    return factory


def _actions(factory, flt: audit.AuditFilter, **kw) -> list[str]:  # type: ignore[no-untyped-def]
    with factory() as session:
        return [entry.action for entry, _, _ in audit.entries(session, flt, **kw)]


def test_newest_first_with_case_and_ticket_ids(seeded) -> None:
    with seeded() as session:
        rows = audit.entries(session, audit.AuditFilter())
    assert [e.action for e, _, _ in rows] == ["sign_in_refused", "reply", "claim", "view_case", "view_case"]
    entry, case_id, ticket_id = rows[1]
    assert (entry.actor, case_id, ticket_id) == ("bo_x@example.org", "C-000002", "T-000002-1")
    assert rows[0][0].actor == "system" and rows[0][1:] == (None, None)


@pytest.mark.parametrize(
    ("flt", "expected"),
    [
        (audit.AuditFilter(actor="ADA@example.org"), ["view_case"]),
        (audit.AuditFilter(actor="bo_"), ["reply", "claim", "view_case"]),  # part of the address
        (audit.AuditFilter(actor="o%x"), []),  # LIKE wildcards are taken literally
        (audit.AuditFilter(action="view_case"), ["view_case", "view_case"]),
        (audit.AuditFilter(case_public_id=" c-000001 "), ["view_case", "view_case"]),
        (audit.AuditFilter(case_public_id="T-000002-1"), ["reply", "claim"]),  # a ticket id finds its entries
        (audit.AuditFilter(since=DAY + timedelta(days=1), until=DAY + timedelta(days=2)), ["claim", "view_case"]),
        (audit.AuditFilter(actor="bo", action="view_case", case_public_id="C-000001"), ["view_case"]),
    ],
)
def test_filters(seeded, flt: audit.AuditFilter, expected: list[str]) -> None:
    assert _actions(seeded, flt) == expected


def test_pages(seeded) -> None:
    assert _actions(seeded, audit.AuditFilter(), limit=2) == ["sign_in_refused", "reply"]
    assert _actions(seeded, audit.AuditFilter(), limit=2, offset=2) == ["claim", "view_case"]
    assert _actions(seeded, audit.AuditFilter(), limit=2, offset=4) == ["view_case"]


def test_an_entry_rolls_back_with_its_action(factory) -> None:
    with factory() as session:
        session.begin()
        audit.record(session, None, "sign_in")
        session.rollback()
    with factory() as session:
        assert session.query(AuditEntry).count() == 0


def test_every_console_action_name_is_listed() -> None:
    assert len(set(audit.ACTIONS)) == len(audit.ACTIONS) == 24  # with the system's recommendation_changed
    assert {"view_case", "view_audit", "user_add", "user_update", "password_reset"} <= set(audit.ACTIONS)
