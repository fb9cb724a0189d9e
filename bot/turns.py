"""The turn loop: one conversation's waiting messages through the dialogue, oldest
first, under a lease that survives crashes, with poison messages set aside."""
from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session, sessionmaker

from bot import conversations, leases
from store.config import Settings
from bot.dialogue import DialogueUnavailable, RasaClient, TurnFailed
from handoff.turn import MEDIA_ONLY_TEXT, carries_update
from store.models import Conversation, Direction, InboundStatus, Message, Owner, utcnow

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Outcome:
    """What became of a run: `done` (nothing left), `busy` (another worker holds the
    conversation), or `retry` (try again after `retry_in` seconds)."""

    status: str
    outbox_ids: tuple[int, ...] = ()
    retry_in: float = 0.0


@dataclass(frozen=True)
class _Turn:
    message_id: int
    sender_key: str
    text: str
    metadata: dict[str, Any]


def _next_pending(session: Session, conversation_id: int) -> Message | None:
    return session.scalar(
        select(Message)
        .where(
            Message.conversation_id == conversation_id,
            Message.direction == Direction.inbound,
            Message.inbound_status == InboundStatus.received,
        )
        .order_by(Message.id)
        .limit(1)
    )


def has_pending(factory: sessionmaker[Session], conversation_id: int) -> bool:
    with factory() as session:
        return _next_pending(session, conversation_id) is not None


def _prepare(factory: sessionmaker[Session], settings: Settings, conversation_id: int, routed: list[int]) -> _Turn | None:
    """The next message to send to the dialogue; messages of a conversation a person
    owns go to the ticket instead (conversations.route_to_ticket), and the outbox ids
    that routing queued are added to `routed`."""
    while True:
        with factory() as session, session.begin():
            message = _next_pending(session, conversation_id)
            if message is None:
                return None
            conversation = message.conversation
            if conversation.owner != Owner.bot:
                routed += conversations.route_to_ticket(session, settings, message)
                continue
            return _Turn(
                message.id,
                conversation.dialogue_key,
                message.body.strip() or MEDIA_ONLY_TEXT,
                conversations.turn_metadata(conversation, message),
            )


def _run_turn(dialogue: RasaClient, turn: _Turn) -> list[dict[str, Any]]:
    """One turn through Rasa. Tells an outage (wait) from a failure on this message
    (count it): after any failure, the servers' health checks decide."""
    try:
        replies = dialogue.send(turn.sender_key, turn.text, turn.metadata)
        if any(carries_update(r) for r in replies):
            # A payload without any text while the actions are down: the action server
            # died between the turn's actions. Wait and redo it rather than stay silent.
            if any(r.get("text") for r in replies) or dialogue.actions_ready():
                return replies
            raise DialogueUnavailable("the turn stopped before its reply: the action server went down")
        problem = "the dialogue answered without the actions' payload"
    except DialogueUnavailable as exc:
        problem = str(exc)
    if dialogue.available():
        raise TurnFailed(problem)
    raise DialogueUnavailable(problem)


def _record_failure(factory: sessionmaker[Session], settings: Settings, message_id: int, error: str) -> tuple[bool, list[int]]:
    """Count a failed attempt; past the limit, give up on the message. Returns (gave_up, outbox ids)."""
    limit = int(settings.get_path("worker.max_turn_attempts", 5))
    with factory() as session, session.begin():
        message = session.get(Message, message_id)
        assert message is not None
        message.attempts += 1
        message.last_error = error[:500]
        if message.attempts < limit:
            return False, []
        log.error("message %s failed %d times (%s): set aside, bot_failure ticket", message_id, message.attempts, error)
        return True, conversations.give_up_on_message(session, settings, message_id, error)


def _retry_delay(settings: Settings, attempts: int) -> float:
    base = float(settings.get_path("worker.turn_retry_base", 2))
    return min(float(settings.get_path("worker.turn_retry_max", 60)), base * 2 ** max(0, attempts - 1))


def _set_retry(factory: sessionmaker[Session], conversation_id: int, delay: float) -> None:
    with factory() as session, session.begin():
        session.execute(
            update(Conversation).where(Conversation.id == conversation_id)
            .values(retry_at=utcnow() + timedelta(seconds=delay))
            .execution_options(synchronize_session=False)
        )


def _drain(
    factory: sessionmaker[Session], settings: Settings, dialogue: RasaClient, conversation_id: int,
    owner: str, ttl: float, deliver: Callable[[int], None], heartbeat: leases.Heartbeat,
) -> Outcome:
    outbox_ids: list[int] = []
    routed: list[int] = []
    while (turn := _prepare(factory, settings, conversation_id, routed)) is not None:
        _deliver_all(deliver, routed, outbox_ids)
        try:
            replies = _run_turn(dialogue, turn)
            with factory() as session, session.begin():
                if heartbeat.lost or not leases.hold(session, conversation_id, owner, ttl):
                    log.warning("conversation %s: lease lost mid-turn; the new holder redoes it", conversation_id)
                    return Outcome("busy", tuple(outbox_ids))
                turn_ids = conversations.apply_turn(session, settings, turn.message_id, replies)
        except DialogueUnavailable as exc:
            delay = float(settings.get_path("rasa.retry_delay", 2))
            log.warning("conversation %s waits for the dialogue: %s", conversation_id, exc)
            _set_retry(factory, conversation_id, delay)
            return Outcome("retry", tuple(outbox_ids), delay)
        except Exception as exc:  # noqa: BLE001 - the poison-message boundary: any failure on this message counts
            log.exception("conversation %s: turn for message %s failed", conversation_id, turn.message_id)
            gave_up, turn_ids = _record_failure(factory, settings, turn.message_id, f"{type(exc).__name__}: {exc}")
            if not gave_up:
                with factory() as session:
                    attempts = session.get(Message, turn.message_id).attempts  # type: ignore[union-attr]
                delay = _retry_delay(settings, attempts)
                _set_retry(factory, conversation_id, delay)
                return Outcome("retry", tuple(outbox_ids), delay)
        _deliver_all(deliver, turn_ids, outbox_ids)
    _deliver_all(deliver, routed, outbox_ids)
    return Outcome("done", tuple(outbox_ids))


def _deliver_all(deliver: Callable[[int], None], committed: list[int], delivered: list[int]) -> None:
    """Hand committed outbox items to `deliver` once each, and empty `committed`."""
    for outbox_id in committed:
        deliver(outbox_id)
    delivered += committed
    committed.clear()


def process_conversation(
    factory: sessionmaker[Session],
    settings: Settings,
    dialogue: RasaClient,
    conversation_id: int,
    deliver: Callable[[int], None] = lambda _outbox_id: None,
) -> Outcome:
    """Handle every waiting inbound message of one conversation, oldest first, if no
    other worker holds it. Each turn's outbox items go to `deliver` once committed."""
    ttl = float(settings.get_path("worker.lease_seconds", 15))
    _started(factory, conversation_id)
    outbox_ids: list[int] = []
    while True:
        owner = leases.worker_id()
        if not leases.claim(factory, conversation_id, owner, ttl):
            return Outcome("busy", tuple(outbox_ids))
        try:
            with leases.Heartbeat(factory, conversation_id, owner, ttl) as heartbeat:
                outcome = _drain(factory, settings, dialogue, conversation_id, owner, ttl, deliver, heartbeat)
        finally:
            leases.release(factory, conversation_id, owner)
        outbox_ids += outcome.outbox_ids
        # A message that arrived just before the release found the lease taken: go round again.
        if outcome.status != "done" or not has_pending(factory, conversation_id):
            return Outcome(outcome.status, tuple(outbox_ids), outcome.retry_in)


def _started(factory: sessionmaker[Session], conversation_id: int) -> None:
    """The conversation's task is running: the sweep may queue it again when needed."""
    with factory() as session, session.begin():
        session.execute(
            update(Conversation).where(Conversation.id == conversation_id).values(queued_at=None)
            .execution_options(synchronize_session=False)
        )


def conversations_to_sweep(factory: sessionmaker[Session], settings: Settings) -> list[int]:
    """Conversations with a waiting message that no live worker holds, whose retry is
    due, and that are not already queued by the sweep (one sweep task at a time; a
    task lost with its worker is replaced after `worker.requeue_lost_after_seconds`)."""
    stale = timedelta(seconds=float(settings.get_path("worker.stale_after_seconds", 10)))
    lost = timedelta(seconds=float(settings.get_path("worker.requeue_lost_after_seconds", 60)))
    now = utcnow()
    with factory() as session, session.begin():
        candidates = list(
            session.scalars(
                select(Message.conversation_id)
                .join(Conversation, Conversation.id == Message.conversation_id)
                .where(
                    Message.direction == Direction.inbound,
                    Message.inbound_status == InboundStatus.received,
                    or_(Message.created_at <= now - stale, Conversation.retry_at.is_not(None)),
                    or_(Conversation.lease_until.is_(None), Conversation.lease_until < now),
                    or_(Conversation.retry_at.is_(None), Conversation.retry_at <= now),
                )
                .distinct()
            )
        )
        chosen = []
        for conversation_id in candidates:
            claimed = session.execute(
                update(Conversation)
                .where(Conversation.id == conversation_id,
                       or_(Conversation.queued_at.is_(None), Conversation.queued_at <= now - lost))
                .values(queued_at=now, retry_at=None)
                .execution_options(synchronize_session=False)
            )
            if claimed.rowcount == 1:
                chosen.append(conversation_id)
        return chosen
