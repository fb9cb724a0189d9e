"""What the console's case page shows, built from a Ticket: plain data, no Flask.

The ticket header, the facts in plain English (handoff.case_facts), the recommendation,
the estimate and its history (handoff.adjustments), the records received and missing,
the whole transcript with delivery status, and the private notes. The patient's words
stay as they were written: the template shows them as text.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, Mapping
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from estimates import messages as msg
from handoff import adjustments, queue
from handoff.case_facts import FACTS, EN, FactGroup, Recommendation, fact_group, label, recommendation
from handoff.adjustments import EstimateBlock, EstimateChange
from handoff.cases import case_document
from handoff.tickets import as_utc, business_time_between
from store.models import Direction, Message, Note, Ticket
from store.states import TicketStatus

# Delivery status as the console names it: a send in progress is still queued, and
# Twilio's "undelivered" is a failure like "failed" (the patient did not get it).
DELIVERY = {"queued": "queued", "sending": "queued", "sent": "sent", "delivered": "delivered",
            "read": "read", "undelivered": "failed", "failed": "failed"}


@dataclass(frozen=True)
class RecordRow:
    message_id: int
    index: int
    filename: str
    kind_label: str
    content_type: str
    size: str
    at: str
    downloadable: bool  # kept on our disk; WhatsApp media known only by their Twilio URL are not


@dataclass(frozen=True)
class TranscriptEntry:
    id: int
    direction: str
    who: str
    at: str
    at_iso: str
    body: str
    subject: str | None
    status: str | None  # outbound only: queued, sent, delivered, read, failed
    status_label: str | None
    error_code: str | None
    language: str | None  # the message's own (stored), else for the patient's the case's: the lang attribute
    language_label: str | None
    files: tuple[str, ...]


@dataclass(frozen=True)
class QuestionRow:
    text: str  # the family's own words
    topics: str
    answered: bool  # False: no answer covered it, a coordinator answers


@dataclass(frozen=True)
class NoteRow:
    author: str
    at: str
    body: str
    ticket: str


@dataclass(frozen=True)
class TicketHeader:
    public_id: str
    case_id: str
    status: str
    status_label: str
    priority: str
    priority_label: str
    reason_label: str
    assignee: str | None
    due_local: str
    countdown: str
    overdue: bool
    business_hours: bool
    flagged: bool


@dataclass(frozen=True)
class CaseView:
    ticket: TicketHeader
    patient_name: str
    channel_label: str
    contact_hint: str
    language: str
    language_label: str
    opted_out: bool
    consent: str
    groups: tuple[FactGroup, ...]
    emergency: bool
    recommendation: Recommendation | None
    estimates: tuple[EstimateBlock, ...]
    estimate_note: str | None
    changes: tuple[EstimateChange, ...]
    received: tuple[RecordRow, ...]
    missing: tuple[str, ...]
    transcript: tuple[TranscriptEntry, ...]
    notes: tuple[NoteRow, ...]
    questions: tuple[QuestionRow, ...]
    timezone: str

    @property
    def open_questions(self) -> int:
        return sum(not q.answered for q in self.questions)


@dataclass(frozen=True)
class RecordFile:
    path: Path
    filename: str
    content_type: str
    kind: str


def find_ticket(session: Session, public_id: str) -> Ticket | None:
    return session.scalar(select(Ticket).where(Ticket.public_id == public_id.strip().upper()))


def when(moment: datetime, tz: ZoneInfo) -> str:
    return as_utc(moment).astimezone(tz).strftime("%d %b %Y %H:%M")


def build(session: Session, ticket: Ticket, now: datetime, rules: Mapping[str, Any], files_dir: Path) -> CaseView:
    """The case page of `ticket`; `rules` are the `tickets:` settings (timezone, business hours)."""
    tz = ZoneInfo(rules.get("timezone", "UTC"))
    now = as_utc(now)
    case = ticket.case
    conversation = case.conversation
    doc = case_document(session, case)
    messages = list(session.scalars(
        select(Message).where(Message.conversation_id == conversation.id).order_by(Message.created_at, Message.id)))
    inbound_ids = {m.id for m in messages if m.direction == Direction.inbound}
    sources = {path: ref for path, ref in (case.sources or {}).items() if ref in inbound_ids}
    times = {m.id: as_utc(m.created_at).astimezone(tz).strftime("%d %b %H:%M") for m in messages}
    language = doc["language"] or EN
    note_rows = session.execute(
        select(Note, Ticket.public_id).join(Ticket, Ticket.id == Note.ticket_id)
        .where(Ticket.case_id == case.id).order_by(Note.created_at, Note.id)).all()
    estimate = doc["estimate"]
    return CaseView(
        ticket=_header(ticket, case.public_id, now, rules, tz),
        patient_name=(conversation.contact.name or "").strip() or queue.contact_hint(conversation.channel,
                                                                                   conversation.contact),
        channel_label=label("channels", conversation.channel),
        contact_hint=queue.contact_hint(conversation.channel, conversation.contact),
        language=language,
        language_label=label("languages", language),
        opted_out=bool(doc["opted_out"]),
        consent=label("consents", doc["consent"]),
        groups=tuple(fact_group(section, doc[section], sources, times) for section in FACTS),
        emergency=bool(doc["safety"].get("emergency") or doc["safety"].get("red_flags")),
        recommendation=recommendation(doc["recommendation"]),
        estimates=adjustments.blocks(estimate),
        estimate_note=msg.t("note", EN) if estimate else None,
        changes=adjustments.changes(case.adjustments, estimate, lambda at: when(at, tz)),
        received=tuple(_records(messages, files_dir, tz)),
        missing=tuple(label("record_kinds", kind) for kind in doc["records"]["missing"]),
        transcript=tuple(_entry(m, language, tz) for m in messages),
        notes=tuple(NoteRow(n.author, when(n.created_at, tz), n.body, public_id) for n, public_id in note_rows),
        questions=tuple(QuestionRow(str(q.get("text") or ""), ", ".join(label("question_topics", topic) for topic in q.get("topics") or []),
                                    bool(q.get("answered"))) for q in doc["questions"]),
        timezone=tz.key,
    )


def _header(ticket: Ticket, case_id: str, now: datetime, rules: Mapping[str, Any], tz: ZoneInfo) -> TicketHeader:
    # The queue's countdown: business hours for normal and high, wall-clock for urgent.
    due = as_utc(ticket.due_at)
    resolved = ticket.status == TicketStatus.resolved
    urgent = ticket.priority == "urgent"
    overdue = not resolved and now >= due
    if overdue:
        left = -int((now - due).total_seconds())
    elif urgent:
        left = int((due - now).total_seconds())
    else:
        left = int(business_time_between(now, due, rules).total_seconds())
    return TicketHeader(
        public_id=ticket.public_id,
        case_id=case_id,
        status=ticket.status.value,
        status_label=label("ticket_statuses", ticket.status.value),
        priority=ticket.priority,
        priority_label=label("ticket_priorities", ticket.priority),
        reason_label=label("ticket_reasons", ticket.reason),
        assignee=ticket.assignee,
        due_local=f"{when(due, tz)} {tz.key}",
        countdown="resolved" if resolved else queue.countdown(left),
        overdue=overdue,
        business_hours=not urgent,
        flagged=ticket.flagged,
    )


def _records(messages: list[Message], files_dir: Path, tz: ZoneInfo) -> list[RecordRow]:
    rows = []
    for m in messages:
        if m.direction != Direction.inbound:
            continue
        for index, att in enumerate(m.attachments or []):
            rows.append(RecordRow(
                message_id=m.id,
                index=index,
                filename=att.get("filename") or f"attachment {index + 1}",
                kind_label=label("record_kinds", att.get("kind") or "other"),
                content_type=att.get("content_type") or "application/octet-stream",
                size=_size(att.get("size")),
                at=when(m.created_at, tz),
                downloadable=_stored(files_dir, att) is not None,
            ))
    return rows


def _size(size: Any) -> str:
    if not isinstance(size, int):
        return "size unknown"
    if size < 1024:
        return f"{size} B"
    if size < 1024 * 1024:
        return f"{size / 1024:.0f} KB"
    return f"{size / (1024 * 1024):.1f} MB"


def _entry(m: Message, language: str, tz: ZoneInfo) -> TranscriptEntry:
    outbound = m.direction == Direction.outbound
    status = DELIVERY.get(m.delivery_status.value) if outbound and m.delivery_status else None
    shown = m.language or (None if outbound else language)
    return TranscriptEntry(
        id=m.id,
        direction=m.direction.value,
        who=label("directions", m.direction.value),
        at=when(m.created_at, tz),
        at_iso=as_utc(m.created_at).isoformat(),
        body=m.body or "",
        subject=m.subject,
        status=status,
        status_label=label("delivery", status) if status else None,
        error_code=m.error_code if status == "failed" else None,
        language=shown,
        language_label=label("languages", shown) if shown else None,
        files=tuple(a.get("filename") or "attachment" for a in m.attachments or []),
    )


def _stored(files_dir: Path, att: Mapping[str, Any]) -> Path | None:
    """The attachment's file when it is on our disk, inside the records folder."""
    relative = att.get("path")
    if not isinstance(relative, str) or not relative:
        return None
    root = files_dir.resolve()
    target = (root / relative).resolve()
    if root not in target.parents or not target.is_file():
        return None
    return target


def record_file(session: Session, ticket: Ticket, message_id: int, index: int, files_dir: Path) -> RecordFile | None:
    """The stored file of attachment `index` of inbound message `message_id` of the ticket's
    conversation; None for another conversation's message, a bad index, media we never
    downloaded or a path outside the records folder."""
    message = session.get(Message, message_id)
    if (message is None or message.conversation_id != ticket.case.conversation_id
            or message.direction != Direction.inbound):
        return None
    attachments = message.attachments or []
    if not 0 <= index < len(attachments):
        return None
    att = attachments[index]
    path = _stored(files_dir, att)
    if path is None:
        return None
    return RecordFile(path, att.get("filename") or path.name, att.get("content_type") or "application/octet-stream",
                      att.get("kind") or "other")
