"""What the provider says about what we sent: part statuses, the message's status
derived from its parts, early callbacks, and failures that must reach a person."""
from __future__ import annotations

import logging
from collections.abc import Callable, Sequence

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from bot import clock
from store.config import Settings
from store.models import Case, DeliveryStatus, Message, OutboxItem, OutboxPart, StatusEvent, Ticket, TicketStatus
from channels.whatsapp import FAILURE_STATUSES, StatusUpdate, status_moves_forward
from handoff import tickets

log = logging.getLogger(__name__)

# Statuses at which the provider has the message (it no longer needs sending).
ACCEPTED = frozenset({"accepted", "scheduled", "queued", "sending", "sent", "delivered", "read"}) | FAILURE_STATUSES
# What a coordinator is told when a ticket is opened or flagged: (session, case) -> outbox ids.
Notifier = Callable[[Session, Case], list[int]]


def message_status(parts: Sequence[OutboxPart]) -> DeliveryStatus:
    """The message as the patient sees it: a failed part fails it; it is delivered
    (or read) only when every part is; "queued" at the provider is "sent" for us."""
    statuses = [p.status for p in parts]
    if not statuses:
        return DeliveryStatus.queued
    if any(s in FAILURE_STATUSES for s in statuses):
        return DeliveryStatus.failed
    if all(s == "read" for s in statuses):
        return DeliveryStatus.read
    if all(s in ("delivered", "read") for s in statuses):
        return DeliveryStatus.delivered
    if all(s in ACCEPTED for s in statuses):
        return DeliveryStatus.sent
    if any(s in ACCEPTED or s == "attempted" for s in statuses):
        return DeliveryStatus.sending
    return DeliveryStatus.queued


def refresh_message(session: Session, item: OutboxItem) -> Message | None:
    message = session.get(Message, item.message_id) if item.message_id else None
    if message is None:
        return None
    message.delivery_status = message_status(item.parts)
    failed = [p for p in item.parts if p.status in FAILURE_STATUSES]
    if failed:
        message.error_code = failed[0].error_code or failed[0].status
    sent = [p.provider_id for p in item.parts if p.provider_id]
    if sent:
        message.provider_id = sent[-1]
    return message


def escalate_failure(session: Session, settings: Settings, message: Message | None, notify: Notifier) -> list[int]:
    """A reply that can never reach the patient needs a human: flag the open ticket,
    or open one with reason `delivery_failed`. Returns the notification outbox ids."""
    if message is None:
        return []
    case = session.scalar(select(Case).where(Case.conversation_id == message.conversation_id))
    if case is None:
        log.error("message %s failed and its conversation has no case to flag", message.id)
        return []
    open_ticket = session.scalar(select(Ticket).where(Ticket.case_id == case.id, Ticket.status != TicketStatus.resolved))
    if open_ticket is not None:
        open_ticket.flagged = True
        log.error("message %s failed for good (code %s): ticket %s flagged", message.id, message.error_code, open_ticket.public_id)
        return []
    request = tickets.ticket_request(case.data or {}, "delivery_failed")
    ticket, _ = tickets.open_ticket(session, case, request["reason"], request["priority"], settings["tickets"], clock.now())
    ticket.flagged = True
    session.flush()
    session.refresh(case)
    log.error("message %s failed for good (code %s): ticket %s opened", message.id, message.error_code, ticket.public_id)
    return notify(session, case)


def _apply(part: OutboxPart, status: str, error_code: str | None) -> bool:
    if not status_moves_forward(part.status if part.status in ACCEPTED else None, status):
        return False
    part.status = status
    if error_code:
        part.error_code = error_code[:32]
    return True


def record_sent(session: Session, part: OutboxPart, provider_id: str | None, status: str) -> None:
    """The provider accepted `part`; callbacks that came before its id are applied now."""
    part.provider_id = provider_id or part.provider_id
    if part.status not in ACCEPTED or status_moves_forward(part.status, status):
        part.status = status if status in ACCEPTED else "sent"
    part.sent_at = clock.now()
    if part.provider_id:
        early = session.scalars(select(StatusEvent).where(StatusEvent.provider_id == part.provider_id).order_by(StatusEvent.id))
        for event in list(early):
            _apply(part, event.status, event.error_code)
        session.execute(delete(StatusEvent).where(StatusEvent.provider_id == part.provider_id))


def apply_callback(
    session: Session, settings: Settings, update: StatusUpdate, ref: str | None, notify: Notifier
) -> list[int]:
    """Apply one Twilio status callback; keep it for later when its message id has not landed yet."""
    part = None
    if ref and ref.isdigit():
        candidate = session.get(OutboxPart, int(ref))
        if candidate is not None and candidate.provider_id in (None, update.provider_id):
            part = candidate
    if part is None:
        part = session.scalar(select(OutboxPart).where(OutboxPart.provider_id == update.provider_id))
    if part is None:
        session.add(StatusEvent(provider_id=update.provider_id, status=update.status,
                                error_code=str(update.error_code) if update.error_code else None))
        return []
    part.provider_id = part.provider_id or update.provider_id
    if not _apply(part, update.status, str(update.error_code) if update.error_code else None):
        return []
    item = session.get(OutboxItem, part.outbox_id)
    assert item is not None
    message = refresh_message(session, item)
    if update.status in FAILURE_STATUSES:
        log.warning("Twilio reports part %s %s (error %s)", part.id, update.status, update.error_code)
        return escalate_failure(session, settings, message, notify)
    return []
