"""The console dashboard's figures for a period of days: tickets opened per day by
pathway, time to the first coordinator reply, overdue tickets and the intake funnel.

Pure service (no Flask, no clock): a Session, the period, `now` and the `tickets:`
settings in, plain figures out. Days are calendar days in the tickets' timezone
(config `tickets.timezone`), the one the due times and the digest use. What a
coordinator did comes from the audit log: a "claim" entry, and a "reply" or
"reply_template" entry (each carries its ticket and its time).

The funnel's "intake complete" is a case the dialogue concluded with a pathway
(dialogs/actions/conclude.py): its recommendation names a `primary` pathway, or it
has an `intake_complete` ticket. Every turn before that writes a placeholder
recommendation with no pathway ("pending: ..."), and a red flag writes one with none (rule
R1), so a recommendation alone proves nothing. "Claimed" is a "claim" audit entry
(written with every claim, in the same transaction); a ticket's status does not say
it: an open ticket can be resolved, or a claimed one given back, without it.
"""
from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from typing import Any, Mapping
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from handoff.queue import REPLY_ACTIONS, pathway_labels
from handoff.tickets import as_utc
from store.models import AuditEntry, Case, Conversation, Ticket
from store.states import Reason, TicketStatus

MAX_DAYS = 366
DEFAULT_DAYS = 30
NO_PATHWAY = "none"
NO_PATHWAY_LABEL = "No pathway recommended"
HOUR = 3600
# Time to the first reply: (code, label, upper bound in seconds, exclusive); the last is open-ended.
REPLY_BUCKETS: tuple[tuple[str, str, float], ...] = (
    ("under_1h", "< 1 h", 1 * HOUR),
    ("1h_4h", "1–4 h", 4 * HOUR),
    ("4h_8h", "4–8 h", 8 * HOUR),
    ("8h_24h", "8–24 h", 24 * HOUR),
    ("1d_3d", "1–3 days", 72 * HOUR),
    ("over_3d", "> 3 days", float("inf")),
)
NOT_REPLIED = ("not_replied", "Not yet replied")
FUNNEL_STAGES: tuple[tuple[str, str], ...] = (
    ("conversations", "Conversations started"),
    ("consent", "Consent given"),
    ("intake_complete", "Intake complete"),
    ("ticket", "Ticket opened"),
    ("claimed", "Claimed"),
    ("replied", "Replied"),
)
CSV_COLUMNS = ("period_start", "period_end", "figure", "date", "category", "label", "count")


class PeriodError(ValueError):
    """A period the dashboard cannot show (the sender's fault: a 400)."""


@dataclass(frozen=True)
class Period:
    """Calendar days `since`..`until`, both included, in the timezone `tz`."""

    since: date
    until: date
    tz: str = "UTC"

    def __post_init__(self) -> None:
        if self.since > self.until:
            raise PeriodError(f"the start ({self.since.isoformat()}) is after the end ({self.until.isoformat()})")
        if self.length > MAX_DAYS:
            raise PeriodError(f"the period is {self.length} days long; at most {MAX_DAYS} days can be shown at once")

    @property
    def length(self) -> int:
        return (self.until - self.since).days + 1

    @property
    def days(self) -> list[date]:
        return [self.since + timedelta(days=i) for i in range(self.length)]

    def bounds(self) -> tuple[datetime, datetime]:
        """[start, end) in UTC: local midnight of `since` to local midnight after `until`."""
        zone = ZoneInfo(self.tz)
        start = datetime.combine(self.since, time(0), zone)
        end = datetime.combine(self.until + timedelta(days=1), time(0), zone)
        return start.astimezone(timezone.utc), end.astimezone(timezone.utc)

    def local_day(self, moment: datetime) -> date:
        return as_utc(moment).astimezone(ZoneInfo(self.tz)).date()


def parse_period(since: str | None, until: str | None, now: datetime, tz: str) -> Period:
    """The period from YYYY-MM-DD strings; an empty `until` is today (in `tz`), an empty
    `since` is `DEFAULT_DAYS` days ending on `until`.

    Raises:
        PeriodError: a date that is not YYYY-MM-DD, a start after the end, or over MAX_DAYS days.
    """
    def day(raw: str | None, name: str) -> date | None:
        text = (raw or "").strip()
        if not text:
            return None
        # Exactly YYYY-MM-DD (fromisoformat alone also takes 20261201 and 2026-W49-1).
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
            try:
                return date.fromisoformat(text)
            except ValueError:
                pass
        raise PeriodError(f"`{name}` must be a date written YYYY-MM-DD (e.g. 2026-12-01), not {text[:40]!r}")

    last = day(until, "until") or as_utc(now).astimezone(ZoneInfo(tz)).date()
    first = day(since, "since") or last - timedelta(days=DEFAULT_DAYS - 1)
    return Period(first, last, tz)


@dataclass(frozen=True)
class Dashboard:
    period: Period
    now: datetime
    pathways: list[tuple[str, str]]  # (code, English label) of the pathways seen, in vocabulary order
    per_day: dict[date, dict[str, int]]  # every day of the period -> pathway code -> tickets opened
    tickets_opened: int
    first_reply: dict[str, int]  # REPLY_BUCKETS codes, then NOT_REPLIED, -> tickets of the period
    overdue_now: int  # unresolved tickets (any period) past their due time at `now`
    replied_late: int  # tickets of the period first replied after their due time
    funnel: dict[str, int]  # FUNNEL_STAGES codes -> conversations of the period that got that far

    def reply_labels(self) -> dict[str, str]:
        return {**{code: label for code, label, _ in REPLY_BUCKETS}, NOT_REPLIED[0]: NOT_REPLIED[1]}

    def day_total(self, day: date) -> int:
        return sum(self.per_day[day].values())

    def csv_rows(self) -> list[tuple[Any, ...]]:
        """The figures as rows of CSV_COLUMNS (one tidy table, every figure in `count`)."""
        head = (self.period.since.isoformat(), self.period.until.isoformat())
        rows: list[tuple[Any, ...]] = []
        for day in self.period.days:
            for code, label in self.pathways:
                rows.append((*head, "tickets_opened", day.isoformat(), code, label, self.per_day[day].get(code, 0)))
        labels = self.reply_labels()
        for code, count in self.first_reply.items():
            rows.append((*head, "time_to_first_reply", "", code, labels[code], count))
        rows.append((*head, "overdue", "", "unresolved_past_due_now", "Unresolved and past due now", self.overdue_now))
        rows.append((*head, "overdue", "", "first_reply_after_due", "First replied after the due time", self.replied_late))
        for code, label in FUNNEL_STAGES:
            rows.append((*head, "funnel", "", code, label, self.funnel[code]))
        return rows


def dashboard(session: Session, period: Period, now: datetime) -> Dashboard:
    """Every figure of the dashboard for `period`, as things stood at `now`."""
    now = as_utc(now)
    start, end = period.bounds()
    end = min(end, max(start, now))  # nothing after `now` counts
    tickets = session.execute(
        select(Ticket, Case.data).join(Case, Case.id == Ticket.case_id)
        .where(Ticket.created_at >= start, Ticket.created_at < end)
    ).all()
    first_replies = _first_replies(session, [t.id for t, _ in tickets], now)
    per_day: dict[date, Counter[str]] = {day: Counter() for day in period.days}
    buckets: Counter[str] = Counter()
    late = 0
    for ticket, data in tickets:
        per_day[period.local_day(ticket.created_at)][_pathway(data)] += 1
        replied = first_replies.get(ticket.id)
        buckets[_bucket(as_utc(ticket.created_at), replied)] += 1
        if replied is not None and replied > as_utc(ticket.due_at):
            late += 1
    seen = {code for counts in per_day.values() for code in counts}
    labels = {**pathway_labels(), NO_PATHWAY: NO_PATHWAY_LABEL}
    order = [code for code in labels if code in seen] + sorted(seen - set(labels))
    return Dashboard(
        period=period,
        now=now,
        pathways=[(code, labels.get(code, code)) for code in order],
        per_day={day: dict(counts) for day, counts in per_day.items()},
        tickets_opened=len(tickets),
        first_reply={code: buckets[code] for code in [*(b[0] for b in REPLY_BUCKETS), NOT_REPLIED[0]]},
        overdue_now=_overdue(session, now),
        replied_late=late,
        funnel=_funnel(session, start, end, now),
    )


def _pathway(data: Mapping[str, Any] | None) -> str:
    recommendation = (data or {}).get("recommendation") or {}
    return recommendation.get("primary") or NO_PATHWAY


def _bucket(created: datetime, replied: datetime | None) -> str:
    if replied is None:
        return NOT_REPLIED[0]
    seconds = max(0.0, (replied - created).total_seconds())
    return next(code for code, _, upper in REPLY_BUCKETS if seconds < upper)


def _first_replies(session: Session, ticket_ids: list[int], now: datetime) -> dict[int, datetime]:
    """Each ticket's first coordinator reply (audit), up to `now`."""
    found: dict[int, datetime] = {}
    for chunk in _chunks(ticket_ids):
        rows = session.execute(
            select(AuditEntry.ticket_id, func.min(AuditEntry.at))
            .where(AuditEntry.action.in_(REPLY_ACTIONS), AuditEntry.ticket_id.in_(chunk), AuditEntry.at <= now)
            .group_by(AuditEntry.ticket_id)
        )
        found.update({ticket_id: as_utc(at) for ticket_id, at in rows})
    return found


def _overdue(session: Session, now: datetime) -> int:
    return int(session.scalar(
        select(func.count(Ticket.id)).where(
            Ticket.status != TicketStatus.resolved, Ticket.due_at <= now, Ticket.created_at <= now
        )
    ) or 0)


def _funnel(session: Session, start: datetime, end: datetime, now: datetime) -> dict[str, int]:
    """The conversations started in [start, end) and how far each got (by `now`)."""
    cases = session.execute(
        select(Conversation.id, Case.id, Case.data).outerjoin(Case, Case.conversation_id == Conversation.id)
        .where(Conversation.created_at >= start, Conversation.created_at < end)
    ).all()
    case_ids = [case_id for _, case_id, _ in cases if case_id is not None]
    ticketed: dict[int, list[tuple[int, str]]] = {}  # case -> (ticket id, reason) of its tickets by `now`
    claimed_ids: set[int] = set()
    replied_cases: set[int] = set()
    for chunk in _chunks(case_ids):
        for ticket_id, case_id, reason in session.execute(
            select(Ticket.id, Ticket.case_id, Ticket.reason).where(Ticket.case_id.in_(chunk), Ticket.created_at <= now)
        ):
            ticketed.setdefault(case_id, []).append((ticket_id, reason))
        replied_cases.update(session.scalars(
            select(AuditEntry.case_id).distinct()
            .where(AuditEntry.action.in_(REPLY_ACTIONS), AuditEntry.case_id.in_(chunk), AuditEntry.at <= now)
        ))
        claimed_ids.update(session.scalars(
            select(AuditEntry.ticket_id).distinct()
            .where(AuditEntry.action == "claim", AuditEntry.case_id.in_(chunk), AuditEntry.at <= now)
        ))
    counts = Counter({code: 0 for code, _ in FUNNEL_STAGES})
    for _, case_id, data in cases:
        counts["conversations"] += 1
        body = data or {}
        tickets = ticketed.get(case_id, []) if case_id is not None else []
        counts["consent"] += body.get("consent") == "given"
        counts["intake_complete"] += _intake_complete(body, [reason for _, reason in tickets])
        counts["ticket"] += bool(tickets)
        # Only a coordinator's claim (audit) counts: not a ticket resolved or reopened unclaimed.
        counts["claimed"] += any(ticket_id in claimed_ids for ticket_id, _ in tickets)
        counts["replied"] += case_id in replied_cases
    return dict(counts)


def _intake_complete(body: Mapping[str, Any], ticket_reasons: list[str]) -> bool:
    """The dialogue concluded the intake: the case has a pathway (only the conclusion
    sets one), or the bot opened an `intake_complete` ticket (the pathway may since have
    gone, e.g. a red flag after the recommendation). A mid-intake placeholder
    (`{"primary": None, "reasons": ["pending: ..."]}`), a red flag's R1 recommendation
    and a handoff before the end have neither."""
    recommendation = body.get("recommendation")
    if isinstance(recommendation, Mapping) and recommendation.get("primary"):
        return True
    return Reason.intake_complete.value in ticket_reasons


def _chunks(ids: list[int], size: int = 500) -> list[list[int]]:
    """IN lists in slices (SQLite allows a limited number of bound parameters)."""
    return [ids[i:i + size] for i in range(0, len(ids), size)] if ids else []
