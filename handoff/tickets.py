"""Tickets: priority and due times (pure), and the open/escalate verb (one transaction)."""
from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from typing import Any, Mapping
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

import estimates
from handoff.case_shape import full_case
from store.models import Case, Ticket, TicketStatus
from store.states import Priority, Reason

PRIORITY_RANK = {p.value: rank for rank, p in enumerate(Priority)}
REASONS = tuple(r.value for r in Reason)
URGENT_REASONS = ("emergency", "safety_review")


def priority_for(case: Mapping[str, Any]) -> str:
    """DESIGN 6.6: urgent on a red flag (or a doubt a person must look at now), high when
    relapsed or refractory, else normal."""
    safety = case.get("safety") or {}
    if safety.get("emergency") or safety.get("red_flags") or safety.get("review"):
        return "urgent"
    status = (case.get("history") or {}).get("disease_status")
    if status in ("relapsed", "refractory"):
        return "high"
    return "normal"


def recommendation_so_far(body: Mapping[str, Any] | None) -> dict[str, Any] | None:
    """The recommendation the known facts support, for a ticket opened before the intake
    was complete (stalled, bot failure, handoff): the coordinator starts from it. Its
    reasons keep the "pending: ..." note of what was still missing."""
    case = full_case(body)
    current = case.get("recommendation") or {}
    service = case["request"].get("service")
    known = case["diagnosis"].get("cancer_type") or (service and service != "unsure")
    if current.get("primary") or case["safety"].get("emergency") or not known:
        return current or None
    so_far = estimates.recommend(case)
    pending = [r for r in current.get("reasons") or [] if str(r).startswith("pending")]
    return {**so_far, "reasons": list(so_far.get("reasons") or []) + pending}


def ticket_request(case: Mapping[str, Any], reason: str) -> dict[str, str]:
    """What the dialogue asks for; the gateway opens it in the turn's transaction."""
    if reason not in REASONS:
        raise ValueError(f"unknown ticket reason {reason!r}")
    return {"reason": reason, "priority": priority_for(case)}


def due_at(priority: str, now: datetime, rules: Mapping[str, Any]) -> datetime:
    """Urgent: within the configured minutes; otherwise one business day later."""
    if priority == "urgent":
        return now + timedelta(minutes=int(rules.get("urgent_minutes", 60)))
    tz = ZoneInfo(rules.get("timezone", "UTC"))
    local = now.astimezone(tz)
    hours = rules.get("business_hours", {"start": 9, "end": 17})
    days = set(rules.get("business_days", [0, 1, 2, 3, 4]))
    holidays = {date.fromisoformat(str(d)) for d in rules.get("holidays", [])}

    def is_business(d: date) -> bool:
        return d.weekday() in days and d not in holidays

    start_h, end_h = int(hours["start"]), int(hours["end"])
    # A request outside business hours counts from the next opening.
    if not is_business(local.date()) or local.hour >= end_h:
        local = local.replace(hour=start_h, minute=0, second=0, microsecond=0) + timedelta(days=1)
        while not is_business(local.date()):
            local += timedelta(days=1)
    elif local.hour < start_h:
        local = local.replace(hour=start_h, minute=0, second=0, microsecond=0)
    due = local + timedelta(days=1)
    while not is_business(due.date()):
        due += timedelta(days=1)
    return due.astimezone(timezone.utc)


def open_ticket(
    session: Session, case: Case, reason: str, priority: str, rules: Mapping[str, Any], now: datetime
) -> tuple[Ticket, bool]:
    """Open a ticket, or escalate the case's unresolved one; returns (ticket, changed)."""
    existing = session.scalar(
        select(Ticket).where(Ticket.case_id == case.id, Ticket.status != TicketStatus.resolved)
    )
    if existing is not None:
        escalate = PRIORITY_RANK[priority] > PRIORITY_RANK.get(existing.priority, 0)
        if escalate:
            existing.priority = priority
            existing.due_at = min(as_utc(existing.due_at), due_at(priority, now, rules))
        # An emergency names the ticket whatever it was opened for; a doubt names it
        # unless it is already an emergency.
        renamed = reason in URGENT_REASONS and existing.reason != reason and (
            escalate or reason == "emergency" and existing.reason == "safety_review")
        if renamed:
            existing.reason = reason
        return existing, escalate or renamed
    ticket = Ticket(
        public_id=f"T-{case.public_id.split('-', 1)[-1]}-{len(case.tickets) + 1}",
        case_id=case.id,
        status=TicketStatus.open,
        priority=priority,
        reason=reason,
        due_at=due_at(priority, now, rules),
    )
    session.add(ticket)
    session.flush()
    return ticket, True


def as_utc(value: datetime) -> datetime:
    # SQLite returns naive datetimes; they are stored in UTC.
    return value if value.tzinfo else value.replace(tzinfo=timezone.utc)


def business_time_between(start: datetime, end: datetime, rules: Mapping[str, Any]) -> timedelta:
    """Business time from `start` to `end` (zero when `end` is not later): the hours of
    the business days in `tickets:` (its timezone, business_hours, business_days, holidays)."""
    start, end = as_utc(start), as_utc(end)
    if end <= start:
        return timedelta(0)
    tz = ZoneInfo(rules.get("timezone", "UTC"))
    hours = rules.get("business_hours", {"start": 9, "end": 17})
    days = set(rules.get("business_days", [0, 1, 2, 3, 4]))
    holidays = {date.fromisoformat(str(d)) for d in rules.get("holidays", [])}
    total = timedelta(0)
    day = start.astimezone(tz).date()
    last = end.astimezone(tz).date()
    while day <= last:
        if day.weekday() in days and day not in holidays:
            opens = datetime(day.year, day.month, day.day, int(hours["start"]), tzinfo=tz)
            closes = datetime(day.year, day.month, day.day, int(hours["end"]), tzinfo=tz)
            overlap = min(closes, end) - max(opens, start)
            if overlap > timedelta(0):
                total += overlap
        day += timedelta(days=1)
    return total
