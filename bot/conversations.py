"""Conversation service: store inbound messages once, run them through the dialogue
in order, and write replies and state changes to the outbox in one transaction."""
from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from bot import clock
from store import records
from store.config import Settings
from store.models import (
    Contact,
    Conversation,
    Direction,
    InboundStatus,
    Message,
    Owner,
    utcnow,
)
import channels
from channels.base import InboundMessage
from handoff import cases as case_store
from dialogs import unseen
from dialogs.messages import t
from handoff import tickets, verbs
from handoff.outbound import queue_outbound, reply_headers
from handoff.turn import OwnerChange, TurnError, TurnUpdate, carries_update

log = logging.getLogger(__name__)


def files_dir(settings: Settings) -> Path:
    return settings.data_dir / "records"


@dataclass(frozen=True)
class Received:
    message_id: int
    conversation_id: int
    created: bool
    needs_processing: bool


def _contact_key(msg: InboundMessage) -> tuple[Any, str]:
    rule = channels.rules(msg.channel)
    return getattr(Contact, rule.address_field), rule.address(msg.sender)


def _find_conversation(session: Session, contact: Contact, msg: InboundMessage) -> Conversation | None:
    open_convs = select(Conversation).where(
        Conversation.contact_id == contact.id,
        Conversation.channel == msg.channel,
        Conversation.owner != Owner.closed,
    )
    if channels.rules(msg.channel).threads and msg.thread_key:
        threaded = session.scalar(open_convs.where(Conversation.thread_key == msg.thread_key))
        if threaded is not None:
            return threaded
    return session.scalar(open_convs.order_by(Conversation.id.desc()).limit(1))


def _attachments(msg: InboundMessage, files_dir: Path | None) -> list[dict[str, Any]]:
    stored = []
    for index, a in enumerate(msg.attachments):
        item: dict[str, Any] = {
            "url": a.url,
            "content_type": a.content_type,
            "filename": a.filename,
            "size": a.size if a.size is not None else (len(a.data) if a.data is not None else None),
            "kind": case_store.classify_record(a.filename, a.content_type, msg.text),
        }
        if a.data is not None and files_dir is not None:
            item["path"] = records.save(files_dir, msg.channel, msg.provider_id, index, a.filename, a.data)
        stored.append(item)
    return stored


def _store(session: Session, msg: InboundMessage, attachments: list[dict[str, Any]]) -> Received:
    existing = session.scalar(
        select(Message).where(
            Message.channel == msg.channel,
            Message.direction == Direction.inbound,
            Message.provider_id == msg.provider_id,
        )
    )
    if existing is not None:
        return Received(existing.id, existing.conversation_id, False, False)
    column, key = _contact_key(msg)
    contact = session.scalar(select(Contact).where(column == key))
    if contact is None:
        contact = Contact(name=msg.profile_name)
        setattr(contact, column.key, key)
        session.add(contact)
        session.flush()
    elif msg.profile_name and not contact.name:
        contact.name = msg.profile_name
    conversation = _find_conversation(session, contact, msg)
    if conversation is None:
        conversation = Conversation(
            contact_id=contact.id, channel=msg.channel, thread_key=msg.thread_key, subject=msg.subject
        )
        session.add(conversation)
        session.flush()
    # RFC 3834: never answer auto-replies, bounces or list mail; a STOPped contact gets nothing.
    ignored = msg.auto_submitted or contact.opted_out
    message = Message(
        conversation_id=conversation.id,
        direction=Direction.inbound,
        channel=msg.channel,
        provider_id=msg.provider_id,
        inbound_status=InboundStatus.ignored if ignored else InboundStatus.received,
        body=msg.text,
        subject=msg.subject,
        attachments=attachments,
        notices=list(msg.extra.get("notices") or []),
    )
    session.add(message)
    session.flush()
    return Received(message.id, conversation.id, True, not ignored)


def receive(factory: sessionmaker[Session], msg: InboundMessage, files_dir: Path | None = None) -> Received:
    """Store an inbound message exactly once (unique constraints settle concurrent retries);
    attached files go to `files_dir` first, so nothing stored points to a missing file."""
    attachments = _attachments(msg, files_dir)
    for attempt in range(5):
        try:
            with factory() as session, session.begin():
                return _store(session, msg, attachments)
        except IntegrityError:
            # Another request stored the same message or contact first; read what it wrote.
            log.info("concurrent insert for provider message, retrying (attempt %d)", attempt + 1)
    raise RuntimeError("could not store inbound message after concurrent retries")


def writer_region(conversation: Conversation) -> str | None:
    """Where the contact probably is, from their address (the channel's rules)."""
    rules = channels.rules(conversation.channel)
    return rules.region(getattr(conversation.contact, rules.address_field))


def turn_metadata(conversation: Conversation, message: Message) -> dict[str, Any]:
    """What the dialogue reads of a turn besides its text (the region hints at the language
    and names the writer's emergency number; a coordinator's estimate adjustments)."""
    estimate = ((conversation.case.data or {}) if conversation.case else {}).get("estimate") or {}
    return {
        "channel": conversation.channel,
        # A coordinator's adjusted items, so what the bot tells the patient matches the console.
        "estimate_overrides": list(estimate.get("overrides") or []),
        "conversation_id": conversation.id,
        "contact_name": conversation.contact.name,
        "region": writer_region(conversation),
        "subject": message.subject,
        "attachments": [
            {"content_type": a.get("content_type"), "filename": a.get("filename"), "kind": a.get("kind")}
            for a in message.attachments or []
        ],
    }


def _primary(body: dict[str, Any] | None) -> str | None:
    return ((body or {}).get("recommendation") or {}).get("primary")


def apply_turn(session: Session, settings: Settings, message_id: int, replies: list[dict[str, Any]]) -> list[int]:
    """Record the dialogue's answer: case, ticket, ownership and replies, atomically.
    A message already handled (by a worker whose lease was taken over) is left alone;
    a turn whose update breaks the contract (handoff.turn) is a bot failure."""
    inbound = session.get(Message, message_id)
    assert inbound is not None
    if inbound.inbound_status != InboundStatus.received:
        return []
    try:
        updates = [TurnUpdate.parse(reply["custom"]) for reply in replies if carries_update(reply)]
    except TurnError as exc:
        # A bug in the actions, not an outage: redoing the turn would not help. Nothing
        # of it is applied; a person reads the message (bot_failure) and the patient is told.
        log.error("message %s: invalid turn update: %s", message_id, exc)
        return give_up_on_message(session, settings, message_id, f"{type(exc).__name__}: {exc}")
    conversation = inbound.conversation
    inbound.inbound_status = InboundStatus.processed
    inbound.processed_at = utcnow()
    case = case_store.get_or_create_case(session, conversation)
    verbs.patient_wrote(session, conversation, reopen_resolved=False)  # after hand back: a wait is over
    outbox_ids: list[int] = []
    texts = [reply["text"] for reply in replies if reply.get("text")]
    now = utcnow()
    for update in updates:
        if update.case is not None:
            inbound.language = update.case.get("language") or inbound.language  # as the dialogue read it
    for alert in [update.alert for update in updates if update.alert]:
        # Its own message, queued first: the outbox sends a conversation's replies in order.
        outbox_ids.append(queue_outbound(session, conversation, alert, reply_headers(conversation, inbound), inbound.id,
                                         language=inbound.language))
    for update in updates:
        if update.case is not None:
            verbs.recommendation_changed(session, case, _primary(case.data), _primary(update.case), inbound.id)
            case_store.set_case(case, update.case, inbound.id)
        if update.ticket is not None:
            request = update.ticket
            _, notified = verbs.open_ticket(session, settings, case, request.reason.value, request.priority.value, now)
            outbox_ids += notified
        if update.owner == OwnerChange.hand_over and conversation.owner == Owner.bot:
            verbs.hand_over(session, conversation)
        if update.opt_out:
            verbs.opt_out(session, conversation)
        if update.erase:
            verbs.refuse_consent(session, conversation, case, files_dir(settings))
    # What the gateway itself must tell the patient (an e-mail over the size limit...).
    if conversation.owner != Owner.closed:
        texts += [t(notice, (case.data or {}).get("language")) for notice in inbound.notices or []]
    if texts:
        # One reply per turn: one complete e-mail (DESIGN 1), one WhatsApp message
        # (split by the channel only past Twilio's 1600 characters). Rasa's REST
        # channel cuts a text at blank lines, so the paragraphs are joined back here.
        text = "\n\n".join(texts)
        outbox_ids.append(queue_outbound(session, conversation, text, reply_headers(conversation, inbound), inbound.id,
                                         language=inbound.language))
    return outbox_ids


def give_up_on_message(session: Session, settings: Settings, message_id: int, error: str) -> list[int]:
    """A message the bot keeps failing on (a poison message): mark it failed, open a
    `bot_failure` ticket so a person reads it, tell the patient, and let the
    conversation move on to its next message."""
    inbound = session.get(Message, message_id)
    assert inbound is not None
    inbound.inbound_status = InboundStatus.failed
    inbound.last_error = error[:500]
    inbound.processed_at = utcnow()
    conversation = inbound.conversation
    case = case_store.get_or_create_case(session, conversation)
    request = tickets.ticket_request(case.data or {}, "bot_failure")
    _, outbox_ids = verbs.open_ticket(session, settings, case, request["reason"], request["priority"], clock.now())
    if conversation.owner == Owner.bot and not conversation.contact.opted_out:
        text = t("turn_failed", (case.data or {}).get("language"))
        outbox_ids.append(queue_outbound(session, conversation, text, reply_headers(conversation, inbound), inbound.id))
    return outbox_ids


def route_to_ticket(session: Session, settings: Settings, message: Message) -> list[int]:
    """A message for a conversation a person owns goes to the case's ticket (verbs.patient_wrote:
    reopened if resolved) and the bot stays silent, except to a red flag or a doubt: the
    immediate reply at once, the reading on the case, and the ticket made urgent so a
    coordinator is told now. Returns the outbox ids to deliver after commit."""
    message.inbound_status = InboundStatus.routed_to_ticket
    message.processed_at = utcnow()
    conversation = message.conversation
    verbs.patient_wrote(session, conversation)
    case = conversation.case
    data = dict(case.data or {}) if case is not None else {}
    try:
        reading = unseen.read_message(
            message.body, message.subject, message.channel, data.get("language"), _previous_words(session, message),
            (data.get("location") or {}).get("country"), writer_region(conversation))
    except Exception:  # noqa: BLE001 - a reading bug must not hold the message back from the person
        log.exception("message %s: reading it for red flags failed; it goes to the ticket unread", message.id)
        return []
    message.language = reading.language
    if case is None or reading.emergency_reply is None or conversation.contact.opted_out:
        return []
    safety = dict(data.get("safety") or {})
    known = list(safety.get("red_flags") or [])
    flags = known + [flag for flag in reading.flags if flag not in known]
    if not reading.flags and safety.get("review"):
        return []  # a person is already looking at a doubt on this case
    safety.update(emergency=bool(flags), red_flags=flags, review=not flags)
    case_store.set_case(case, {**data, "safety": safety}, message.id)
    outbox_ids = [queue_outbound(session, conversation, reading.emergency_reply, reply_headers(conversation, message),
                                 message.id, language=reading.language)]
    reason = "emergency" if reading.flags else "safety_review"
    _, notified = verbs.open_ticket(session, settings, case, reason, "urgent", clock.now())
    return outbox_ids + notified


def _previous_words(session: Session, message: Message) -> str | None:
    """The family's message before this one in the conversation: context for its reading."""
    return session.scalar(
        select(Message.body)
        .where(Message.conversation_id == message.conversation_id, Message.direction == Direction.inbound,
               Message.id < message.id)
        .order_by(Message.id.desc())
        .limit(1)
    )
