"""The coordinators' queue: which tickets to show, in which order, and what each row says.

Pure service (no Flask): a Session, a filter, the time and the `tickets:` settings in,
rows ready to show out. Order: priority (urgent, high, normal), then due time (the
oldest due first). A due countdown counts business hours (DESIGN 6.6) for normal and
high tickets and wall-clock minutes for urgent ones, whose due time is wall-clock.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Any, Iterable, Mapping
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.orm import Session

import channels
from estimates import vocabulary
from handoff.tickets import PRIORITY_RANK, as_utc, business_time_between
from store.models import AuditEntry, Case, Contact, Conversation, Direction, Message, Ticket
from store.states import TicketStatus

# What counts as a coordinator's answer to the patient (audit action names).
REPLY_ACTIONS = ("reply", "reply_template")
CHANNELS = {"whatsapp": "WhatsApp", "email": "E-mail", "simulator": "Simulator"}
STATUSES = {
    "unresolved": "Unresolved",
    "open": "Open",
    "claimed": "Claimed",
    "waiting_patient": "Waiting on patient",
    "resolved": "Resolved",
    "all": "All",
}
# English names of the supported languages (bot/contract/vocabulary.yml `languages`).
LANGUAGES = {
    "en": "English", "ar": "Arabic", "bn": "Bengali", "hi": "Hindi", "ur": "Urdu",
    "zh-Hans": "Chinese (Simplified)", "zh-Hant": "Chinese (Traditional)", "tr": "Turkish",
    "fr": "French", "ru": "Russian", "sw": "Swahili", "tl": "Tagalog", "ta": "Tamil",
    "si": "Sinhala", "ne": "Nepali", "gu": "Gujarati",
}


class FilterError(ValueError):
    """A filter value the queue does not know (the sender's fault: a 400)."""


@dataclass(frozen=True)
class QueueFilter:
    """What the coordinator asked to see. `me` is the signed-in coordinator's e-mail
    (what `verbs.claim` stores as the assignee), used by `mine`."""

    mine: bool = False
    unassigned: bool = False
    urgent: bool = False
    overdue: bool = False
    language: str | None = None
    pathway: str | None = None
    status: str = "unresolved"
    channel: str | None = None
    me: str | None = None

    def __post_init__(self) -> None:
        if self.status not in STATUSES:
            raise FilterError(f"unknown status {self.status!r} (one of {', '.join(STATUSES)})")
        if self.channel is not None and self.channel not in CHANNELS:
            raise FilterError(f"unknown channel {self.channel!r} (one of {', '.join(CHANNELS)})")
        if self.language is not None and self.language not in LANGUAGES:
            raise FilterError(f"unknown language {self.language!r}")
        if self.pathway is not None and self.pathway not in pathway_labels():
            raise FilterError(f"unknown pathway {self.pathway!r}")
        if self.mine and not self.me:
            raise FilterError("'mine' needs the signed-in coordinator")

    def params(self) -> dict[str, str]:
        """The filter as GET parameters (what the form sends back), without defaults."""
        out: dict[str, str] = {}
        for name in ("mine", "unassigned", "urgent", "overdue"):
            if getattr(self, name):
                out[name] = "1"
        for name in ("language", "pathway", "channel"):
            if getattr(self, name):
                out[name] = getattr(self, name)
        if self.status != "unresolved":
            out["status"] = self.status
        return out


@dataclass(frozen=True)
class QueueRow:
    ticket: str  # public id
    case: str
    priority: str
    reason: str
    reason_label: str
    status: str
    status_label: str
    patient: str
    initials: str
    channel: str
    channel_label: str
    contact_hint: str
    language: str
    language_label: str
    pathway: str | None
    pathway_label: str
    assignee: str | None
    due_at: datetime
    due_local: str
    overdue: bool
    countdown: str
    business_hours: bool  # the countdown counts business hours (every ticket but an urgent one, whose due time is wall-clock)
    seconds_left: int  # business (or, urgent, wall-clock) seconds until due; negative: overdue
    last_patient_at: datetime | None
    unread: bool
    created_at: datetime
    flagged: bool

    def as_json(self) -> dict[str, Any]:
        out = asdict(self)
        for key in ("due_at", "last_patient_at", "created_at"):
            out[key] = out[key].isoformat() if out[key] else None
        return out


@dataclass(frozen=True)
class QueuePage:
    rows: list[QueueRow]
    now: datetime
    filter: QueueFilter
    counts: dict[str, int] = field(default_factory=dict)


def pathway_labels() -> dict[str, str]:
    return dict(vocabulary.vocabulary()["pathways"])


def reason_label(code: str) -> str:
    return code.replace("_", " ").capitalize()


def filter_choices() -> dict[str, dict[str, str]]:
    """The options the filter form offers (code -> English label)."""
    return {"language": dict(LANGUAGES), "pathway": pathway_labels(), "status": dict(STATUSES), "channel": dict(CHANNELS)}


def queue(session: Session, flt: QueueFilter, now: datetime, rules: Mapping[str, Any]) -> QueuePage:
    """The tickets `flt` asks for, in queue order, as rows."""
    rows = [row for row in _rows(session, flt, now, rules) if _keep(row, flt)]
    rows.sort(key=lambda r: (-PRIORITY_RANK.get(r.priority, 0), r.due_at, r.ticket))
    counts = {
        "shown": len(rows),
        "overdue": sum(r.overdue for r in rows),
        "urgent": sum(r.priority == "urgent" for r in rows),
        "unread": sum(r.unread for r in rows),
    }
    return QueuePage(rows, now, flt, counts)


def updates(
    session: Session, flt: QueueFilter, since: datetime, now: datetime, rules: Mapping[str, Any]
) -> dict[str, Any]:
    """What changed since `since` for a page showing `flt`: the rows again, the tickets
    created since then and the tickets whose patient wrote since then."""
    page = queue(session, flt, now, rules)
    since = as_utc(since)
    new_tickets = [r.ticket for r in page.rows if r.created_at > since]
    new_messages = [
        {"ticket": r.ticket, "at": r.last_patient_at.isoformat()}
        for r in page.rows
        if r.last_patient_at is not None and r.last_patient_at > since and r.ticket not in new_tickets
    ]
    return {"page": page, "new_tickets": new_tickets, "new_messages": new_messages}


# ------------------------------------------------------------------ building rows


def _rows(session: Session, flt: QueueFilter, now: datetime, rules: Mapping[str, Any]) -> Iterable[QueueRow]:
    last_in = (
        select(Message.conversation_id.label("conversation_id"), func.max(Message.created_at).label("at"))
        .where(Message.direction == Direction.inbound)
        .group_by(Message.conversation_id)
        .subquery()
    )
    last_reply = (
        select(AuditEntry.case_id.label("case_id"), func.max(AuditEntry.at).label("at"))
        .where(AuditEntry.action.in_(REPLY_ACTIONS), AuditEntry.case_id.is_not(None))
        .group_by(AuditEntry.case_id)
        .subquery()
    )
    query = (
        select(Ticket, Case, Conversation, Contact, last_in.c.at, last_reply.c.at)
        .join(Case, Case.id == Ticket.case_id)
        .join(Conversation, Conversation.id == Case.conversation_id)
        .join(Contact, Contact.id == Conversation.contact_id)
        .outerjoin(last_in, last_in.c.conversation_id == Conversation.id)
        .outerjoin(last_reply, last_reply.c.case_id == Case.id)
    )
    if flt.status == "unresolved":
        query = query.where(Ticket.status != TicketStatus.resolved)
    elif flt.status != "all":
        query = query.where(Ticket.status == TicketStatus(flt.status))
    if flt.channel:
        query = query.where(Conversation.channel == flt.channel)
    if flt.urgent:
        query = query.where(Ticket.priority == "urgent")
    if flt.unassigned:
        query = query.where(Ticket.assignee.is_(None))
    if flt.mine and flt.me:
        query = query.where(func.lower(Ticket.assignee) == flt.me.strip().lower())
    tz = ZoneInfo(rules.get("timezone", "UTC"))
    for ticket, case, conversation, contact, last_patient, last_reply_at in session.execute(query):
        yield _row(ticket, case, conversation, contact, last_patient, last_reply_at, now, rules, tz)


def _row(
    ticket: Ticket, case: Case, conversation: Conversation, contact: Contact,
    last_patient: datetime | None, last_reply_at: datetime | None, now: datetime,
    rules: Mapping[str, Any], tz: ZoneInfo,
) -> QueueRow:
    data = case.data or {}
    language = data.get("language") or "en"
    pathway = (data.get("recommendation") or {}).get("primary")
    due = as_utc(ticket.due_at)
    created = as_utc(ticket.created_at)
    resolved = ticket.status == TicketStatus.resolved
    urgent = ticket.priority == "urgent"
    overdue = not resolved and now >= due
    if overdue:
        seconds_left = -int((now - due).total_seconds())
    elif urgent:
        seconds_left = int((due - now).total_seconds())
    else:
        seconds_left = int(business_time_between(now, due, rules).total_seconds())
    last_patient = as_utc(last_patient) if last_patient else None
    answered = max(created, as_utc(last_reply_at)) if last_reply_at else created
    name = (contact.name or "").strip()
    hint = contact_hint(conversation.channel, contact)
    return QueueRow(
        ticket=ticket.public_id,
        case=case.public_id,
        priority=ticket.priority,
        reason=ticket.reason,
        reason_label=reason_label(ticket.reason),
        status=ticket.status.value,
        status_label=STATUSES.get(ticket.status.value, ticket.status.value),
        patient=name or hint,
        initials=initials(name),
        channel=conversation.channel,
        channel_label=CHANNELS.get(conversation.channel, conversation.channel),
        contact_hint=hint,
        language=language,
        language_label=LANGUAGES.get(language, language),
        pathway=pathway,
        pathway_label=pathway_labels().get(pathway, pathway) if pathway else "Not yet recommended",
        assignee=ticket.assignee,
        due_at=due,
        due_local=due.astimezone(tz).strftime("%a %d %b %H:%M ") + (tz.key if tz.key != "UTC" else "UTC"),
        overdue=overdue,
        countdown="resolved" if resolved else countdown(seconds_left),
        business_hours=not urgent,
        seconds_left=seconds_left,
        last_patient_at=last_patient,
        unread=not resolved and last_patient is not None and last_patient > answered,
        created_at=created,
        flagged=ticket.flagged,
    )


def _keep(row: QueueRow, flt: QueueFilter) -> bool:
    # Facts that live in the case document (JSON) are filtered here, not in SQL.
    if flt.overdue and not row.overdue:
        return False
    if flt.language and row.language != flt.language:
        return False
    if flt.pathway and row.pathway != flt.pathway:
        return False
    return True


# ------------------------------------------------------------------ small presentation helpers


def countdown(seconds_left: int) -> str:
    """'3 h 20 min left', 'overdue 2 h 5 min' (the row says whether it counts business hours)."""
    if seconds_left < 0:
        return f"overdue {duration(-seconds_left)}"
    return f"{duration(seconds_left)} left"


def duration(seconds: int) -> str:
    minutes = max(0, seconds) // 60
    days, rest = divmod(minutes, 24 * 60)
    hours, mins = divmod(rest, 60)
    if days:
        return f"{days} d {hours} h"
    if hours:
        return f"{hours} h {mins} min" if mins else f"{hours} h"
    return f"{mins} min"


def contact_hint(channel: str, contact: Contact) -> str:
    """Enough to recognise the patient without the address in clear (the channel's mask:
    the last digits of a phone number, the first letter and the domain of an e-mail address)."""
    rules = channels.rules(channel)
    return rules.masked(getattr(contact, rules.address_field, None)) or "—"


def initials(name: str) -> str:
    parts = [p for p in name.split() if p]
    return "".join(p[0] for p in parts[:2]).upper() if parts else "?"

