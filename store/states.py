"""The state vocabularies, and the two state machines: who answers a conversation,
and where a ticket stands.

Each machine is an enum with a transition table; `move` is the only way to change one,
so a change the table does not allow is refused loudly instead of silently stored.

    conversation owner:  bot -> waiting -> coordinator -> bot | closed
    ticket status:       open -> claimed -> waiting_patient -> resolved (and reopen)

A message's status depends on its direction: what became of a patient's message
(`InboundStatus`) and how far our reply got to the patient (`DeliveryStatus`).
"""
from __future__ import annotations

import enum
from collections.abc import Mapping
from typing import TypeVar


class Owner(str, enum.Enum):
    bot = "bot"  # the bot answers
    waiting = "waiting"  # handed over: a ticket waits for a coordinator; the bot is silent
    coordinator = "coordinator"  # a coordinator has taken the conversation
    closed = "closed"  # opted out, consent refused or erased: nobody writes any more


class TicketStatus(str, enum.Enum):
    open = "open"
    claimed = "claimed"
    waiting_patient = "waiting_patient"
    resolved = "resolved"


class InboundStatus(str, enum.Enum):
    """What became of a message the patient sent (`messages.inbound_status`)."""

    received = "received"  # stored, waiting for the worker
    processed = "processed"  # the dialogue engine answered it
    routed_to_ticket = "routed_to_ticket"  # a coordinator owns the conversation
    ignored = "ignored"  # auto-reply, opted-out contact
    failed = "failed"  # a poison message: set aside, a bot_failure ticket opened


class DeliveryStatus(str, enum.Enum):
    """How far a message we sent got (`messages.delivery_status`), derived from its
    outbox parts (bot.delivery_status)."""

    queued = "queued"
    sending = "sending"
    sent = "sent"
    delivered = "delivered"
    read = "read"
    undelivered = "undelivered"
    failed = "failed"


class Priority(str, enum.Enum):
    """DESIGN 6.6, in rising order (contract vocabulary `ticket_priorities`)."""

    normal = "normal"
    high = "high"
    urgent = "urgent"


class Reason(str, enum.Enum):
    """Why a ticket opened (contract vocabulary `ticket_reasons`)."""

    intake_complete = "intake_complete"
    patient_request = "patient_request"
    emergency = "emergency"
    # No red flag placed, but the safety readers could not call a message safe (DESIGN 2.2).
    safety_review = "safety_review"
    erasure_request = "erasure_request"
    bot_failure = "bot_failure"
    intake_stalled = "intake_stalled"
    delivery_failed = "delivery_failed"


class Role(str, enum.Enum):
    """What a console user may do: coordinators work tickets, admins also manage users and read the audit log."""

    coordinator = "coordinator"
    admin = "admin"


OWNER_MOVES: Mapping[Owner, frozenset[Owner]] = {
    Owner.bot: frozenset({Owner.waiting, Owner.closed}),
    Owner.waiting: frozenset({Owner.coordinator, Owner.bot, Owner.closed}),
    Owner.coordinator: frozenset({Owner.bot, Owner.closed}),
    Owner.closed: frozenset(),
}

TICKET_MOVES: Mapping[TicketStatus, frozenset[TicketStatus]] = {
    TicketStatus.open: frozenset({TicketStatus.claimed, TicketStatus.resolved}),
    TicketStatus.claimed: frozenset({TicketStatus.open, TicketStatus.waiting_patient, TicketStatus.resolved}),
    # The patient wrote back: the ticket is worked on again.
    TicketStatus.waiting_patient: frozenset({TicketStatus.claimed, TicketStatus.open, TicketStatus.resolved}),
    TicketStatus.resolved: frozenset({TicketStatus.open}),  # reopen
}

S = TypeVar("S", Owner, TicketStatus)


class IllegalTransition(ValueError):
    """A state change the machine does not allow (a bug, or a stale screen)."""


def move(current: S, new: S) -> S:
    """The new state if `current -> new` is allowed (staying put always is).

    Raises:
        IllegalTransition: the table has no such move.
    """
    table: Mapping[S, frozenset[S]] = OWNER_MOVES if isinstance(current, Owner) else TICKET_MOVES  # type: ignore[assignment]
    if new != current and new not in table[current]:
        raise IllegalTransition(f"{type(current).__name__} cannot go from {current.value} to {new.value}")
    return new
