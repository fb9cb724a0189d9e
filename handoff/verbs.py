"""Ticket and conversation verbs: every state change is one function, run in the
caller's transaction, that checks its transition (store.states) and queues its
side effects (outbox deliveries) to run only after commit. The gateway and the
coordinator console change state through these and nothing else.

Raises `store.states.IllegalTransition` for a change the state machines do not allow.
"""
from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from handoff import tickets
from handoff.outbound import notify_coordinators, queue_outbound, reply_headers
from store import records
from store.config import Settings
from store.db import on_commit
from store.models import Case, Conversation, Direction, Message, Note, Ticket
from store.states import IllegalTransition, Owner, TicketStatus, move

Deliver = Callable[[int], None]


def _after_commit(session: Session, deliver: Deliver | None, outbox_ids: list[int]) -> list[int]:
    if deliver is not None and outbox_ids:
        on_commit(session, lambda: [deliver(i) for i in outbox_ids])
    return outbox_ids


# ------------------------------------------------------------------ tickets


def open_ticket(
    session: Session, settings: Settings, case: Case, reason: str, priority: str, now: datetime,
    deliver: Deliver | None = None,
) -> tuple[Ticket, list[int]]:
    """Open a ticket or escalate the case's unresolved one; coordinators are told after commit."""
    ticket, changed = tickets.open_ticket(session, case, reason, priority, settings["tickets"], now)
    session.flush()
    session.refresh(case)
    ids = notify_coordinators(session, settings, case) if changed else []
    return ticket, _after_commit(session, deliver, ids)


def escalate(
    session: Session, settings: Settings, ticket: Ticket, priority: str, now: datetime, deliver: Deliver | None = None
) -> list[int]:
    """Raise an unresolved ticket's priority (never lowers it)."""
    if ticket.status == TicketStatus.resolved:
        raise IllegalTransition("a resolved ticket cannot be escalated: reopen it")
    _, ids = open_ticket(session, settings, ticket.case, ticket.reason, priority, now, deliver)
    return ids


def flag(session: Session, ticket: Ticket) -> Ticket:
    """Something needs a person's eyes (a reply that could not be delivered)."""
    ticket.flagged = True
    return ticket


def claim(session: Session, ticket: Ticket, coordinator: str) -> Ticket:
    """A coordinator takes the ticket and, with it, the conversation."""
    ticket.status = move(ticket.status, TicketStatus.claimed)
    ticket.assignee = coordinator
    conversation = ticket.case.conversation
    if conversation.owner == Owner.bot:
        conversation.owner = move(conversation.owner, Owner.waiting)
    conversation.owner = move(conversation.owner, Owner.coordinator)
    return ticket


def assign(session: Session, ticket: Ticket, coordinator: str | None) -> Ticket:
    if ticket.status == TicketStatus.resolved:
        raise IllegalTransition("a resolved ticket cannot be assigned: reopen it")
    ticket.assignee = coordinator
    return ticket


def reply(session: Session, ticket: Ticket, text: str, deliver: Deliver | None = None) -> int:
    """A coordinator's answer, through the patient's own channel (threaded on e-mail)."""
    conversation = ticket.case.conversation
    if ticket.status not in (TicketStatus.claimed, TicketStatus.waiting_patient) or conversation.owner != Owner.coordinator:
        raise IllegalTransition("claim the ticket before replying")
    if conversation.contact.opted_out:
        raise IllegalTransition("the patient opted out: nothing may be sent")
    last = session.scalar(
        select(Message).where(Message.conversation_id == conversation.id, Message.direction == Direction.inbound)
        .order_by(Message.id.desc()).limit(1)
    )
    outbox_id = queue_outbound(session, conversation, text, reply_headers(conversation, last), last.id if last else None)
    _after_commit(session, deliver, [outbox_id])
    return outbox_id


def add_note(session: Session, ticket: Ticket, author: str, text: str) -> Note:
    note = Note(ticket_id=ticket.id, author=author, body=text)
    session.add(note)
    session.flush()
    return note


def wait_on_patient(session: Session, ticket: Ticket) -> Ticket:
    ticket.status = move(ticket.status, TicketStatus.waiting_patient)
    return ticket


def patient_wrote(session: Session, conversation: Conversation) -> None:
    """A ticket waiting on the patient is worked on again when the patient writes."""
    for ticket in (conversation.case.tickets if conversation.case else []):
        if ticket.status == TicketStatus.waiting_patient:
            ticket.status = move(ticket.status, TicketStatus.claimed)


def resolve(session: Session, ticket: Ticket) -> Ticket:
    ticket.status = move(ticket.status, TicketStatus.resolved)
    return ticket


def reopen(session: Session, ticket: Ticket) -> Ticket:
    if ticket.status != TicketStatus.resolved:
        raise IllegalTransition(f"only a resolved ticket can be reopened (this one is {ticket.status.value})")
    others = [t for t in ticket.case.tickets if t.id != ticket.id and t.status != TicketStatus.resolved]
    if others:
        raise IllegalTransition(f"the case already has an unresolved ticket ({others[0].public_id})")
    ticket.status = move(ticket.status, TicketStatus.open)
    return ticket


# ------------------------------------------------------------------ conversations


def hand_over(session: Session, conversation: Conversation) -> Conversation:
    """The bot steps back: the conversation waits for a coordinator; the bot stays silent."""
    conversation.owner = move(conversation.owner, Owner.waiting)
    return conversation


def hand_back(session: Session, conversation: Conversation) -> Conversation:
    """The bot answers the patient's next message again."""
    conversation.owner = move(conversation.owner, Owner.bot)
    return conversation


def opt_out(session: Session, conversation: Conversation) -> Conversation:
    """STOP: nothing more is sent to this contact, on any conversation."""
    conversation.contact.opted_out = True
    conversation.owner = move(conversation.owner, Owner.closed)
    return conversation


def refuse_consent(session: Session, conversation: Conversation, case: Case, files_dir: Path) -> Conversation:
    """Consent refused: keep nothing the patient said or sent (DESIGN 2.1)."""
    for msg in conversation.messages:
        for attachment in msg.attachments or []:
            if attachment.get("path"):
                records.remove(files_dir, attachment["path"])
        msg.body = ""
        msg.subject = None
        msg.attachments = []
    case.data = {"consent": "refused", "language": (case.data or {}).get("language", "en")}
    conversation.owner = move(conversation.owner, Owner.closed)
    return conversation
