"""Stalled intakes reach a person (DESIGN 2.3): a family that gave consent and went
quiet before the ticket opened gets one short reminder inside WhatsApp's 24-hour
window, and after `intake.stall_after_hours` a ticket with reason `intake_stalled`
holding what is known: at the priority the facts give (relapsed or refractory: high)
and with the recommendation the facts so far support. Run by the worker's sweep; idempotent
(one reminder per conversation, and a case with a ticket is never stalled)."""
from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

import channels
from bot import clock
from store.config import Settings
from handoff.outbound import queue_outbound, reply_headers
from store.models import Case, Contact, Conversation, Direction, InboundStatus, Message, Owner, Ticket
from dialogs.messages import t
from handoff import verbs
from handoff import tickets
from handoff.tickets import as_utc

log = logging.getLogger(__name__)

def _candidates(session: Session, only: Iterable[int] | None) -> list[tuple[Conversation, Case, datetime]]:
    last_inbound = (
        select(Message.conversation_id, func.max(Message.created_at).label("last"))
        .where(Message.direction == Direction.inbound, Message.inbound_status == InboundStatus.processed)
        .group_by(Message.conversation_id)
        .subquery()
    )
    query = (
        select(Conversation, Case, last_inbound.c.last)
        .join(Case, Case.conversation_id == Conversation.id)
        .join(Contact, Contact.id == Conversation.contact_id)
        .join(last_inbound, last_inbound.c.conversation_id == Conversation.id)
        .where(
            Conversation.owner == Owner.bot,
            Contact.opted_out.is_(False),
            ~select(Ticket.id).where(Ticket.case_id == Case.id).exists(),
        )
    )
    if only is not None:
        query = query.where(Conversation.id.in_(list(only)))
    return [(conv, case, as_utc(last)) for conv, case, last in session.execute(query)]


def _has_consent(conversation: Conversation, case: Case) -> bool:
    """Consent given; an e-mail intake counts while consent is pending (the patient wrote
    to us and the first reply already asked for it), never when it was refused."""
    consent = (case.data or {}).get("consent")
    return consent == "given" or (channels.rules(conversation.channel).consent_in_first_reply and consent == "pending")


def check_stalled(
    factory: sessionmaker[Session], settings: Settings, now: datetime | None = None, only: Iterable[int] | None = None
) -> list[int]:
    """Send due reminders and open due `intake_stalled` tickets; returns the outbox ids to deliver."""
    now = now or clock.now()
    remind_after = timedelta(hours=float(settings.get_path("intake.reminder_after_hours", 4)))
    stall_after = timedelta(hours=float(settings.get_path("intake.stall_after_hours", 24)))
    outbox_ids: list[int] = []
    with factory() as session, session.begin():
        for conversation, case, last in _candidates(session, only):
            if not _has_consent(conversation, case):
                continue
            quiet = now - last
            if quiet >= stall_after:
                # The ticket at the priority the facts give (relapsed: high), with the
                # recommendation the facts so far support.
                body = dict(case.data or {})
                body["recommendation"] = tickets.recommendation_so_far(body)
                case.data = body
                priority = tickets.priority_for(body)
                _, notified = verbs.open_ticket(session, settings, case, "intake_stalled", priority, now)
                log.info("conversation %s stalled for %s: intake_stalled ticket", conversation.id, quiet)
                outbox_ids += notified
            elif quiet >= remind_after and conversation.reminded_at is None:
                conversation.reminded_at = now
                window = channels.rules(conversation.channel).reply_window
                if window is not None and quiet >= window:
                    continue  # outside WhatsApp's window only approved templates may be sent
                text = t("stalled_reminder", (case.data or {}).get("language"))
                last_inbound = max((m for m in conversation.messages if m.direction == Direction.inbound), key=lambda m: m.id)
                outbox_ids.append(queue_outbound(session, conversation, text, reply_headers(conversation, last_inbound)))
    return outbox_ids
