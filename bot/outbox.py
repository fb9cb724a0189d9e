"""Outbox delivery: exactly once as far as the provider allows.

A worker claims an item (conditional update to `sending` with a lease) before
calling the provider; each part of a split text has its own row, marked
`attempted` before the call and given the provider's id after it. A part left
`attempted` (a crash, a read timeout) is reconciled, not blindly resent: the
provider is asked whether it has it (Twilio), or it is resent with the same
Message-ID (SMTP). Transient failures retry with capped exponential backoff and
jitter (tenacity's wait strategy) until the give-up deadline; then the message
fails, is logged, and a person is told (the ticket is flagged or opened).
"""
from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import timedelta
from typing import Callable

import tenacity
from sqlalchemy import Select, and_, or_, select, update
from sqlalchemy.orm import Session, sessionmaker

import channels
from bot import clock, delivery_status
from store.config import Settings
from store.models import Message, OutboxItem, OutboxPart, OutboxStatus, utcnow
from channels.base import OutboundMessage, PermanentSendError, Sender, TransientSendError
from handoff.tickets import as_utc

log = logging.getLogger(__name__)

SenderFactory = Callable[[str], Sender]


@dataclass(frozen=True)
class Delivery:
    """`notifications`: coordinators' e-mails the outcome queued; `next`: the
    conversation's later replies that waited for this one (deliver them now)."""

    status: str  # "sent" | "retry" | "failed" | "skipped" | "waiting"
    retry_in: float = 0.0
    notifications: tuple[int, ...] = ()
    next: tuple[int, ...] = ()


def backoff_seconds(attempts: int, settings: Settings) -> float:
    """Capped exponential backoff with jitter, from tenacity's wait strategy."""
    cfg = settings["outbox"]
    wait = tenacity.wait_exponential_jitter(
        multiplier=float(cfg["backoff_base"]), max=float(cfg["backoff_max"]), jitter=float(cfg["backoff_base"])
    )
    state = tenacity.RetryCallState(retry_object=None, fn=None, args=(), kwargs={})  # type: ignore[arg-type]
    state.attempt_number = max(1, attempts)
    return float(wait(state))


def _claim(factory: sessionmaker[Session], outbox_id: int, lease: float) -> bool:
    """Pending and due, or `sending` under a lease that expired (its worker died).
    The task has started, so the item is no longer queued, claimed or not."""
    now = utcnow()
    with factory() as session, session.begin():
        session.execute(
            update(OutboxItem).where(OutboxItem.id == outbox_id).values(queued_at=None)
            .execution_options(synchronize_session=False)
        )
        result = session.execute(
            update(OutboxItem)
            .where(
                OutboxItem.id == outbox_id,
                or_(
                    and_(OutboxItem.status == OutboxStatus.pending, OutboxItem.next_attempt_at <= clock.now()),
                    and_(OutboxItem.status == OutboxStatus.sending, OutboxItem.lease_until < now),
                ),
            )
            .values(status=OutboxStatus.sending, lease_until=now + timedelta(seconds=lease))
            .execution_options(synchronize_session=False)
        )
        return result.rowcount == 1


def _outbound(item: OutboxItem, part: OutboxPart) -> OutboundMessage:
    payload = item.payload or {}
    return OutboundMessage(
        channel=item.channel,
        to=item.recipient,
        text=part.text,
        subject=payload.get("subject"),
        html=payload.get("html"),
        in_reply_to=payload.get("in_reply_to"),
        references=tuple(payload.get("references") or ()),
        message_id=payload.get("message_id"),
        reference=str(part.id),
        content_sid=payload.get("content_sid"),
        content_variables=dict(payload.get("content_variables") or {}),
    )


def _parts(factory: sessionmaker[Session], settings: Settings, outbox_id: int, sender: Sender) -> list[int]:
    """The item's part rows, created once from the channel's split rule; a message id
    the channel wants chosen before sending is chosen here once, so a resend after a
    crash is the same message."""
    with factory() as session, session.begin():
        item = session.get(OutboxItem, outbox_id)
        assert item is not None
        if not item.parts:
            texts = sender.split(str((item.payload or {}).get("text", ""))) or [" "]
            item.parts = [OutboxPart(position=i, text=text, status="pending") for i, text in enumerate(texts)]
            domain = str(settings["organisation"]["email_from"]).rpartition("@")[2] or None
            message_id = channels.rules(item.channel).new_message_id(domain)
            if message_id and not (item.payload or {}).get("message_id"):
                item.payload = {**(item.payload or {}), "message_id": message_id}
            session.flush()
        return [p.id for p in item.parts]


def deliver(
    factory: sessionmaker[Session],
    settings: Settings,
    outbox_id: int,
    sender_for: SenderFactory,
    notify: delivery_status.Notifier = lambda _session, _case: [],
) -> Delivery:
    """Send one outbox item if it is due, no other worker holds it, and the
    conversation's earlier replies are with the provider (a patient reads them in order)."""
    cfg = settings["outbox"]
    lease = float(cfg.get("lease_seconds", 120))
    if _wait_for_earlier(factory, outbox_id, float(cfg.get("wait_recheck_seconds", 5))):
        return Delivery("waiting")
    if not _claim(factory, outbox_id, lease):
        return Delivery("skipped")
    with factory() as session:
        item = session.get(OutboxItem, outbox_id)
        assert item is not None
        channel = item.channel
    sender = sender_for(channel)
    try:
        for part_id in _parts(factory, settings, outbox_id, sender):
            _deliver_part(factory, outbox_id, part_id, sender)
            _renew(factory, outbox_id, lease)
    except TransientSendError as exc:
        return _retry_or_give_up(factory, settings, outbox_id, exc, notify)
    except PermanentSendError as exc:
        failed = _fail(factory, settings, outbox_id, str(exc), str(exc.code or "") or None, notify)
        return Delivery(failed.status, notifications=failed.notifications, next=_release_later(factory, outbox_id))
    with factory() as session, session.begin():
        item = session.get(OutboxItem, outbox_id)
        assert item is not None
        item.status = OutboxStatus.sent
        item.lease_until = None
        item.attempts += 1
        delivery_status.refresh_message(session, item)
    return Delivery("sent", next=_release_later(factory, outbox_id))


def _same_conversation(item: OutboxItem) -> Select[tuple[OutboxItem]]:
    conversation = select(Message.conversation_id).where(Message.id == item.message_id).scalar_subquery()
    return (
        select(OutboxItem)
        .join(Message, Message.id == OutboxItem.message_id)
        .where(Message.conversation_id == conversation, OutboxItem.status.in_([OutboxStatus.pending, OutboxStatus.sending]))
    )


def _wait_for_earlier(factory: sessionmaker[Session], outbox_id: int, recheck: float) -> bool:
    """An earlier reply of the same conversation is not with the provider yet: this
    one waits, due again when that one's backoff ends, or sooner when it is sent.

    While the earlier one is being sent, this one is due again after `recheck` seconds
    (the sweep looks), not only at the end of that one's lease: the earlier one can be
    sent and release this one between this read and this write, and the write would
    then hold this reply back for the whole lease."""
    with factory() as session, session.begin():
        item = session.get(OutboxItem, outbox_id)
        if item is None or item.message_id is None or item.status != OutboxStatus.pending:
            return False
        earlier = session.scalar(_same_conversation(item).where(OutboxItem.id < item.id).order_by(OutboxItem.id).limit(1))
        if earlier is None:
            return False
        if earlier.status == OutboxStatus.sending:
            until = min(as_utc(earlier.lease_until or utcnow()), clock.now() + timedelta(seconds=recheck))
        else:
            until = as_utc(earlier.next_attempt_at or utcnow())
        item.next_attempt_at = max(as_utc(item.next_attempt_at), until)
        item.queued_at = None
        return True


def _release_later(factory: sessionmaker[Session], outbox_id: int) -> tuple[int, ...]:
    """The conversation's later replies that waited for this one: due now."""
    with factory() as session, session.begin():
        item = session.get(OutboxItem, outbox_id)
        if item is None or item.message_id is None:
            return ()
        later = list(session.scalars(_same_conversation(item).where(
            OutboxItem.id > item.id, OutboxItem.status == OutboxStatus.pending).order_by(OutboxItem.id)))
        for waiting in later[:1]:
            waiting.next_attempt_at = clock.now()
        return tuple(w.id for w in later[:1])


def _deliver_part(factory: sessionmaker[Session], outbox_id: int, part_id: int, sender: Sender) -> None:
    with factory() as session:
        item = session.get(OutboxItem, outbox_id)
        part = session.get(OutboxPart, part_id)
        assert item is not None and part is not None
        if part.status not in ("pending", "attempted"):
            return  # already with the provider: a retry resumes at the first unsent part
        outbound, status, known_id, attempted_at = _outbound(item, part), part.status, part.provider_id, part.attempted_at
    if status == "attempted":
        # The last attempt's outcome was never recorded: ask before resending.
        found = known_id or _unclaimed(factory, sender.lookup(outbound, as_utc(attempted_at or utcnow())))
        if found:
            log.info("outbox %s part %s was already with the provider", outbox_id, part_id)
            _record(factory, part_id, found, "sent")
            return
    _set_part(factory, part_id, "attempted")
    try:
        result = sender.send(outbound)
    except ValueError as exc:  # nothing a retry can mend (an invalid recipient, an empty text)
        _set_part(factory, part_id, "failed", "invalid")
        raise PermanentSendError(None, f"not sendable: {exc}") from exc
    except TransientSendError as exc:
        if not exc.maybe_sent:
            _set_part(factory, part_id, "pending")
        raise
    except PermanentSendError as exc:
        _set_part(factory, part_id, "failed", str(exc.code or "") or None)
        raise
    _record(factory, part_id, result.provider_id, result.status)


def _unclaimed(factory: sessionmaker[Session], candidates: list[str]) -> str | None:
    """The provider's copy of a lost send: a matching message no other part owns (two
    identical replies to one patient are two messages)."""
    if not candidates:
        return None
    with factory() as session:
        owned = set(session.scalars(select(OutboxPart.provider_id).where(OutboxPart.provider_id.in_(candidates))))
    return next((c for c in candidates if c not in owned), None)


def _record(factory: sessionmaker[Session], part_id: int, provider_id: str | None, status: str) -> None:
    with factory() as session, session.begin():
        part = session.get(OutboxPart, part_id)
        assert part is not None
        delivery_status.record_sent(session, part, provider_id, status)


def _set_part(factory: sessionmaker[Session], part_id: int, status: str, error_code: str | None = None) -> None:
    with factory() as session, session.begin():
        part = session.get(OutboxPart, part_id)
        assert part is not None
        part.status = status
        part.error_code = error_code
        if status == "attempted":
            part.attempted_at = utcnow()


def _renew(factory: sessionmaker[Session], outbox_id: int, lease: float) -> None:
    with factory() as session, session.begin():
        session.execute(
            update(OutboxItem).where(OutboxItem.id == outbox_id)
            .values(lease_until=utcnow() + timedelta(seconds=lease))
            .execution_options(synchronize_session=False)
        )


def _retry_or_give_up(
    factory: sessionmaker[Session], settings: Settings, outbox_id: int, exc: TransientSendError,
    notify: delivery_status.Notifier,
) -> Delivery:
    give_up_after = timedelta(hours=float(settings["outbox"].get("give_up_after_hours", 24)))
    with factory() as session, session.begin():
        item = session.get(OutboxItem, outbox_id)
        assert item is not None
        item.attempts += 1
        item.last_error = str(exc)[:500]
        if clock.now() - as_utc(item.created_at) < give_up_after:
            delay = backoff_seconds(item.attempts, settings)
            item.status = OutboxStatus.pending
            item.lease_until = None
            item.next_attempt_at = clock.now() + timedelta(seconds=delay)
            log.info("outbox %s: transient failure (%s), attempt %d, next in %.0f s", outbox_id, exc, item.attempts, delay)
            return Delivery("retry", delay)
    log.error("outbox %s: still failing after %s, giving up: %s", outbox_id, give_up_after, exc)
    return _fail(factory, settings, outbox_id, f"gave up after {give_up_after}: {exc}", str(exc.code or "") or "timeout", notify)


def _fail(
    factory: sessionmaker[Session], settings: Settings, outbox_id: int, error: str, code: str | None,
    notify: delivery_status.Notifier,
) -> Delivery:
    with factory() as session, session.begin():
        item = session.get(OutboxItem, outbox_id)
        assert item is not None
        item.status = OutboxStatus.failed
        item.lease_until = None
        item.last_error = error[:500]
        for part in item.parts:
            if part.status in ("pending", "attempted"):
                part.status, part.error_code = "failed", code
        message = delivery_status.refresh_message(session, item)
        notifications = delivery_status.escalate_failure(session, settings, message, notify)
    log.warning("outbox %s failed permanently: %s", outbox_id, error)
    return Delivery("failed", notifications=tuple(notifications))


def due_items(factory: sessionmaker[Session], lost_after: float = 60) -> list[int]:
    """Items to (re)try now: pending and due, or held by a lease that expired, and not
    already queued (a queued task that never started in `lost_after` seconds was lost
    with its worker). The queue holds one task per item however often the sweep runs."""
    now = utcnow()
    with factory() as session, session.begin():
        due = list(
            session.scalars(
                select(OutboxItem.id)
                .where(
                    or_(
                        and_(OutboxItem.status == OutboxStatus.pending, OutboxItem.next_attempt_at <= clock.now()),
                        and_(OutboxItem.status == OutboxStatus.sending, OutboxItem.lease_until < now),
                    ),
                    or_(OutboxItem.queued_at.is_(None), OutboxItem.queued_at <= now - timedelta(seconds=lost_after)),
                )
                .order_by(OutboxItem.id)
            )
        )
        if due:
            session.execute(
                update(OutboxItem).where(OutboxItem.id.in_(due)).values(queued_at=now).execution_options(synchronize_session=False)
            )
        return due
