"""Ticket and conversation verbs: every state change is one function, run in the
caller's transaction, that checks its transition (store.states) and queues its
side effects (outbox deliveries) to run only after commit. The gateway and the
coordinator console change state through these and nothing else: open_ticket,
escalate, raise_overdue, flag, claim, assign, reply, reply_template, add_note, wait_on_patient,
patient_wrote, resolve, reopen, hand_over, hand_back, opt_out, refuse_consent, erase.

Raises `store.states.IllegalTransition` for a change the state machines do not allow.
"""
from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from pathlib import Path

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from handoff import audit, replies, tickets
from handoff.outbound import notify_coordinators, queue_outbound, reply_headers
from store import records
from store.config import Settings
from store.db import on_commit
from store.models import Case, Contact, Conversation, Message, Note, Ticket, utcnow
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


def raise_overdue(session: Session, now: datetime) -> list[Ticket]:
    """DESIGN 6.6: a normal ticket the family is still waiting on past its due time is
    high, so it sorts above fresh normal work. Coordinators are not mailed again: the
    queue marks it overdue and the digest lists it. A ticket waiting on the patient waits
    on them, not on us, and is left as it is."""
    overdue = list(session.scalars(select(Ticket).where(
        Ticket.status.in_([TicketStatus.open, TicketStatus.claimed]), Ticket.priority == "normal", Ticket.due_at <= now)))
    for ticket in overdue:
        ticket.priority = "high"
    return overdue


def recommendation_changed(session: Session, case: Case, before: str | None, after: str | None,
                           message_id: int | None) -> Ticket | None:
    """The dialogue changed a recommendation already made (a family's explicit wish, a
    correction): never silently once a ticket is open. The change goes into the case's
    history (the audit log) and flags the ticket, so the coordinator sees it."""
    if not before or not after or before == after:
        return None
    ticket = session.scalars(select(Ticket).where(Ticket.case_id == case.id, Ticket.status != TicketStatus.resolved)
                             .order_by(Ticket.id.desc())).first()
    audit.record(session, None, "recommendation_changed", case=case, ticket=ticket,
                 detail={"from": before, "to": after, "message_id": message_id})
    if ticket is not None:
        ticket.flagged = True
    return ticket


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


def _replyable(ticket: Ticket) -> Conversation:
    conversation = ticket.case.conversation
    if ticket.status not in (TicketStatus.claimed, TicketStatus.waiting_patient) or conversation.owner != Owner.coordinator:
        raise IllegalTransition("claim the ticket before replying")
    if conversation.contact.opted_out:
        raise IllegalTransition("the patient opted out: nothing may be sent")
    return conversation


def reply(
    session: Session, ticket: Ticket, text: str, deliver: Deliver | None = None, now: datetime | None = None
) -> int:
    """A coordinator's answer, through the patient's own channel (threaded on e-mail).

    Raises:
        ReplyError: free text outside the channel's reply window (WhatsApp's 24 hours).
    """
    conversation = _replyable(ticket)
    if not text.strip():
        raise replies.ReplyError("the reply is empty")
    if not replies.free_text_allowed(session, conversation, now or utcnow()):
        raise replies.ReplyError("outside the 24-hour window only an approved template may be sent")
    last = replies.last_patient_message(session, conversation)
    outbox_id = queue_outbound(session, conversation, text, reply_headers(conversation, last), last.id if last else None)
    _after_commit(session, deliver, [outbox_id])
    return outbox_id


def reply_template(session: Session, ticket: Ticket, chosen: replies.Template, deliver: Deliver | None = None) -> int:
    """An approved WhatsApp template (Content SID and its variables): allowed at any time."""
    conversation = _replyable(ticket)
    last = replies.last_patient_message(session, conversation)
    extra = {"content_sid": chosen.content_sid, "content_variables": chosen.variables, "template": chosen.key}
    outbox_id = queue_outbound(session, conversation, chosen.preview, extra, last.id if last else None)
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


def patient_wrote(session: Session, conversation: Conversation, reopen_resolved: bool = True) -> Ticket | None:
    """The patient wrote: a ticket waiting on the patient is worked on again (also after
    hand back, when the bot answers). While a person owns the conversation
    (`reopen_resolved`), when every ticket of the case is resolved the latest is
    reopened (DESIGN 6.6), so the message is never left in a closed ticket.
    Returns the unresolved ticket the message belongs to, if any."""
    all_tickets = sorted(conversation.case.tickets if conversation.case else [], key=lambda t: t.id)
    unresolved = [t for t in all_tickets if t.status != TicketStatus.resolved]
    for ticket in unresolved:
        if ticket.status == TicketStatus.waiting_patient:
            ticket.status = move(ticket.status, TicketStatus.claimed)
    if unresolved:
        return unresolved[-1]
    return reopen(session, all_tickets[-1]) if all_tickets and reopen_resolved else None


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


def erase(session: Session, case: Case, files_dir: Path) -> tuple[int, list[str], int, int]:
    """A confirmed erasure request: the contact and everything of theirs, on every
    channel (DESIGN 2.7). Their files go once the transaction commits, so a rollback
    keeps both rows and files.

    Returns (contact id, the conversations' dialogue keys, messages, files), for the
    caller to forget the dialogue history kept outside this database.
    """
    contact = case.conversation.contact
    conversations = list(session.scalars(select(Conversation).where(Conversation.contact_id == contact.id)))
    messages = list(session.scalars(select(Message).where(Message.conversation_id.in_([c.id for c in conversations]))))
    paths = [a["path"] for m in messages for a in (m.attachments or []) if a.get("path")]
    contact_id = contact.id
    # ON DELETE CASCADE removes conversations, messages, cases, tickets and outbox rows.
    session.execute(delete(Contact).where(Contact.id == contact_id))
    on_commit(session, lambda: [records.remove(files_dir, path) for path in paths])
    return contact_id, [c.dialogue_key for c in conversations], len(messages), len(paths)
