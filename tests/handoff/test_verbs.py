"""handoff.verbs: each verb's allowed and refused transitions, and side effects only after commit."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from handoff import verbs
from store.models import Case, Contact, Conversation, Direction, InboundStatus, Message, Note, OutboxItem, Ticket, utcnow
from store.states import IllegalTransition, Owner, TicketStatus


@pytest.fixture
def ticket_id(factory) -> int:  # type: ignore[no-untyped-def]
    """An e-mail conversation whose intake is complete: the bot still owns it, the ticket is open."""
    with factory() as session, session.begin():
        contact = Contact(email="amina@example.org")
        session.add(contact)
        session.flush()
        conversation = Conversation(contact_id=contact.id, channel="email", subject="My father", thread_key="<t1@x>")
        session.add(conversation)
        session.flush()
        session.add(Message(conversation_id=conversation.id, direction=Direction.inbound, channel="email",
                            provider_id="<m1@x>", inbound_status=InboundStatus.processed, body="hello", attachments=[]))
        case = Case(public_id="C-000001", conversation_id=conversation.id, data={"language": "en"})
        session.add(case)
        session.flush()
        ticket = Ticket(public_id="T-000001-1", case_id=case.id, priority="normal", reason="intake_complete", due_at=utcnow())
        session.add(ticket)
        session.flush()
        return ticket.id


def _run(factory, ticket_id: int, verb, *args):  # type: ignore[no-untyped-def]
    with factory() as session, session.begin():
        ticket = session.get(Ticket, ticket_id)
        return verb(session, ticket, *args)


def _state(factory, ticket_id: int) -> tuple[TicketStatus, Owner]:  # type: ignore[no-untyped-def]
    with factory() as session:
        ticket = session.get(Ticket, ticket_id)
        return ticket.status, ticket.case.conversation.owner


def test_claim_reply_wait_patient_writes_resolve_reopen(factory, ticket_id) -> None:
    delivered: list[int] = []
    _run(factory, ticket_id, verbs.claim, "coord@example.org")
    assert _state(factory, ticket_id) == (TicketStatus.claimed, Owner.coordinator)
    with factory() as session:
        session.begin()
        outbox_id = verbs.reply(session, session.get(Ticket, ticket_id), "We have your father's reports.", delivered.append)
        assert delivered == []  # nothing is sent before the commit
        session.commit()
    assert delivered == [outbox_id]
    with factory() as session:
        item = session.get(OutboxItem, outbox_id)
        assert item.recipient == "amina@example.org" and item.payload["in_reply_to"] == "<m1@x>"
        assert item.payload["subject"] == "Re: My father"
    _run(factory, ticket_id, verbs.wait_on_patient)
    with factory() as session, session.begin():
        verbs.patient_wrote(session, session.get(Ticket, ticket_id).case.conversation)
    assert _state(factory, ticket_id)[0] == TicketStatus.claimed
    _run(factory, ticket_id, verbs.resolve)
    _run(factory, ticket_id, verbs.reopen)
    assert _state(factory, ticket_id)[0] == TicketStatus.open


def test_the_patient_writing_after_resolve_reopens_the_latest_ticket(factory, ticket_id) -> None:
    _run(factory, ticket_id, verbs.claim, "coord@example.org")
    _run(factory, ticket_id, verbs.resolve)
    with factory() as session, session.begin():
        reopened = verbs.patient_wrote(session, session.get(Ticket, ticket_id).case.conversation)
        assert reopened is not None and reopened.id == ticket_id
    assert _state(factory, ticket_id) == (TicketStatus.open, Owner.coordinator)
    with factory() as session, session.begin():  # writing again changes nothing more
        assert verbs.patient_wrote(session, session.get(Ticket, ticket_id).case.conversation).id == ticket_id
    assert _state(factory, ticket_id)[0] == TicketStatus.open


def test_side_effects_are_dropped_when_the_transaction_rolls_back(factory, ticket_id) -> None:
    delivered: list[int] = []
    _run(factory, ticket_id, verbs.claim, "coord@example.org")
    with factory() as session:
        session.begin()
        verbs.reply(session, session.get(Ticket, ticket_id), "draft", delivered.append)
        session.rollback()
    assert delivered == []
    with factory() as session:
        assert session.scalar(select(OutboxItem)) is None


def test_reply_before_claim_is_refused(factory, ticket_id) -> None:
    with pytest.raises(IllegalTransition, match="claim the ticket"):
        _run(factory, ticket_id, verbs.reply, "hello")


@pytest.mark.parametrize("verb", [verbs.wait_on_patient, verbs.reopen])
def test_an_open_ticket_cannot_wait_on_the_patient_or_be_reopened(factory, ticket_id, verb) -> None:
    with pytest.raises(IllegalTransition):
        _run(factory, ticket_id, verb)
    assert _state(factory, ticket_id) == (TicketStatus.open, Owner.bot)


def test_a_resolved_ticket_cannot_be_claimed_assigned_or_resolved_into_waiting(factory, ticket_id) -> None:
    _run(factory, ticket_id, verbs.resolve)
    for verb, args in ((verbs.claim, ("c@x",)), (verbs.assign, ("c@x",)), (verbs.wait_on_patient, ())):
        with pytest.raises(IllegalTransition):
            _run(factory, ticket_id, verb, *args)


def test_reopen_is_refused_while_the_case_has_another_unresolved_ticket(factory, ticket_id) -> None:
    _run(factory, ticket_id, verbs.resolve)
    with factory() as session, session.begin():
        case = session.get(Ticket, ticket_id).case
        session.add(Ticket(public_id="T-000001-2", case_id=case.id, priority="urgent", reason="emergency", due_at=utcnow()))
    with pytest.raises(IllegalTransition, match="T-000001-2"):
        _run(factory, ticket_id, verbs.reopen)


def test_hand_over_hand_back_and_opt_out(factory, ticket_id) -> None:
    with factory() as session, session.begin():
        conversation = session.get(Ticket, ticket_id).case.conversation
        verbs.hand_over(session, conversation)
        assert conversation.owner == Owner.waiting
        verbs.hand_back(session, conversation)
        assert conversation.owner == Owner.bot
        verbs.opt_out(session, conversation)
        assert conversation.owner == Owner.closed and conversation.contact.opted_out
        with pytest.raises(IllegalTransition):
            verbs.hand_back(session, conversation)  # closed is final


def test_claim_of_an_opted_out_conversation_is_refused(factory, ticket_id) -> None:
    with factory() as session, session.begin():
        verbs.opt_out(session, session.get(Ticket, ticket_id).case.conversation)
    with pytest.raises(IllegalTransition):
        _run(factory, ticket_id, verbs.claim, "c@x")


def test_notes_and_flags(factory, ticket_id) -> None:
    note = _run(factory, ticket_id, verbs.add_note, "coord@example.org", "Called the son, he sends the PET report.")
    _run(factory, ticket_id, verbs.flag)
    with factory() as session:
        assert session.get(Note, note.id).ticket_id == ticket_id
        assert session.get(Ticket, ticket_id).flagged


def test_escalate_raises_priority_and_notifies_after_commit(settings, factory, ticket_id) -> None:
    delivered: list[int] = []
    with factory() as session, session.begin():
        ids = verbs.escalate(session, settings, session.get(Ticket, ticket_id), "urgent", utcnow(), delivered.append)
    assert ids and delivered == ids
    with factory() as session:
        assert session.get(Ticket, ticket_id).priority == "urgent"


def test_refuse_consent_keeps_nothing_the_patient_said(settings, factory, ticket_id) -> None:
    with factory() as session, session.begin():
        conversation = session.get(Ticket, ticket_id).case.conversation
        verbs.refuse_consent(session, conversation, conversation.case, settings.data_dir / "records")
    with factory() as session:
        assert session.scalar(select(Message)).body == ""
        assert session.scalar(select(Case)).data["consent"] == "refused"
        assert session.scalar(select(Conversation)).owner == Owner.closed


def _with_record(settings, factory, ticket_id):  # type: ignore[no-untyped-def]
    from store import records

    files = settings.data_dir / "records"
    relative = records.save(files, "email", "<m1@x>", 0, "scan.pdf", b"%PDF-1.4 scan")
    with factory() as session, session.begin():
        message = session.scalar(select(Message))
        message.attachments = [{"filename": "scan.pdf", "path": relative}]
    return files, relative


def test_erase_removes_the_contact_everywhere_and_its_files_after_commit(settings, factory, ticket_id) -> None:
    files, relative = _with_record(settings, factory, ticket_id)
    with factory() as session, session.begin():
        case = session.get(Ticket, ticket_id).case
        contact_id, keys, messages, removed = verbs.erase(session, case, files)
        assert (files / relative).exists(), "a file went before the commit"
    assert (messages, removed, len(keys)) == (1, 1, 1)
    assert not (files / relative).exists()
    with factory() as session:
        assert session.get(Contact, contact_id) is None
        assert session.scalars(select(Message)).all() == []
        assert session.scalars(select(Ticket)).all() == []


def test_erase_rolled_back_keeps_rows_and_files(settings, factory, ticket_id) -> None:
    files, relative = _with_record(settings, factory, ticket_id)
    with pytest.raises(RuntimeError), factory() as session, session.begin():
        verbs.erase(session, session.get(Ticket, ticket_id).case, files)
        raise RuntimeError("the transaction fails after the erase")
    assert (files / relative).exists()
    with factory() as session:
        assert session.get(Ticket, ticket_id) is not None


def test_an_overdue_normal_ticket_becomes_high_and_others_stay(factory, ticket_id) -> None:
    from datetime import timedelta

    from handoff.tickets import as_utc

    with factory() as session:
        now = as_utc(session.get(Ticket, ticket_id).due_at)
    with factory() as session, session.begin():
        assert verbs.raise_overdue(session, now - timedelta(seconds=1)) == []  # not yet due
    with factory() as session, session.begin():
        assert [t.id for t in verbs.raise_overdue(session, now + timedelta(minutes=1))] == [ticket_id]
    with factory() as session:
        assert session.get(Ticket, ticket_id).priority == "high"
    _run(factory, ticket_id, verbs.claim, "coord@example.org")
    _run(factory, ticket_id, verbs.wait_on_patient)
    with factory() as session, session.begin():
        ticket = session.get(Ticket, ticket_id)
        ticket.priority = "normal"
    with factory() as session, session.begin():  # waiting on the patient: it waits on them, not on us
        assert verbs.raise_overdue(session, now + timedelta(days=3)) == []
