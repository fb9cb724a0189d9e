"""Outbox delivery: send what a committed transaction queued, retrying transient failures."""
from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import timedelta
from typing import Callable

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from bot.config import Settings
from bot.models import Case, Message, MessageStatus, OutboxItem, OutboxStatus, Ticket, TicketStatus, utcnow
from channels.base import OutboundMessage, PermanentSendError, Sender, TransientSendError

log = logging.getLogger(__name__)

SenderFactory = Callable[[str], Sender]


@dataclass(frozen=True)
class Delivery:
    status: str  # "sent" | "retry" | "failed" | "skipped"
    retry_in: float = 0.0


def backoff_seconds(attempts: int, settings: Settings) -> float:
    cfg = settings["outbox"]
    return float(min(cfg["backoff_max"], cfg["backoff_base"] ** attempts))


def _flag_ticket(session: Session, message: Message | None) -> None:
    """A permanent failure needs a human: flag the conversation's open ticket."""
    if message is None:
        return
    case = session.scalar(select(Case).where(Case.conversation_id == message.conversation_id))
    if case is None:
        return
    for ticket in session.scalars(select(Ticket).where(Ticket.case_id == case.id, Ticket.status != TicketStatus.resolved)):
        ticket.flagged = True


def deliver(factory: sessionmaker[Session], settings: Settings, outbox_id: int, sender_for: SenderFactory) -> Delivery:
    with factory() as session:
        item = session.get(OutboxItem, outbox_id)
        if item is None or item.status != OutboxStatus.pending:
            return Delivery("skipped")
        payload = dict(item.payload)
        outbound = OutboundMessage(
            channel=item.channel,
            to=item.recipient,
            text=payload.get("text", ""),
            subject=payload.get("subject"),
            html=payload.get("html"),
            in_reply_to=payload.get("in_reply_to"),
            references=tuple(payload.get("references") or ()),
        )
        channel = item.channel
    try:
        result = sender_for(channel).send(outbound)
    except TransientSendError as exc:
        with factory() as session, session.begin():
            item = session.get(OutboxItem, outbox_id)
            item.attempts += 1
            item.last_error = str(exc)[:500]
            if item.attempts >= settings["outbox"]["max_attempts"]:
                item.status = OutboxStatus.failed
                message = session.get(Message, item.message_id) if item.message_id else None
                if message is not None:
                    message.status = MessageStatus.failed
                _flag_ticket(session, message)
                return Delivery("failed")
            delay = backoff_seconds(item.attempts, settings)
            item.next_attempt_at = utcnow() + timedelta(seconds=delay)
            return Delivery("retry", delay)
    except PermanentSendError as exc:
        with factory() as session, session.begin():
            item = session.get(OutboxItem, outbox_id)
            item.status = OutboxStatus.failed
            item.last_error = str(exc)[:500]
            message = session.get(Message, item.message_id) if item.message_id else None
            if message is not None:
                message.status = MessageStatus.failed
                message.error_code = str(getattr(exc, "code", "") or "")[:32] or None
            _flag_ticket(session, message)
        log.warning("outbox %s failed permanently: %s", outbox_id, exc)
        return Delivery("failed")
    with factory() as session, session.begin():
        item = session.get(OutboxItem, outbox_id)
        item.status = OutboxStatus.sent
        item.attempts += 1
        message = session.get(Message, item.message_id) if item.message_id else None
        if message is not None:
            message.provider_id = result.provider_id
            # The provider's status callback may already have moved it further.
            if message.status in (MessageStatus.queued, MessageStatus.sending):
                # The provider accepted it; "queued" at Twilio is "sent" from our side.
                further = result.status in (MessageStatus.delivered.value, MessageStatus.read.value)
                message.status = MessageStatus(result.status) if further else MessageStatus.sent
    return Delivery("sent")


def due_items(factory: sessionmaker[Session]) -> list[int]:
    with factory() as session:
        return list(
            session.scalars(
                select(OutboxItem.id).where(OutboxItem.status == OutboxStatus.pending, OutboxItem.next_attempt_at <= utcnow())
            )
        )
