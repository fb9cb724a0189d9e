"""The audit log: every case view and console action, who, which case, what, when.

Written in the same transaction as the action, so an action that rolled back
leaves no entry and an entry always means the action happened.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from store.models import AuditEntry, Case, Ticket, User


def record(
    session: Session,
    user: User | None,
    action: str,
    case: Case | None = None,
    ticket: Ticket | None = None,
    detail: dict[str, Any] | None = None,
) -> AuditEntry:
    entry = AuditEntry(
        user_id=user.id if user else None,
        actor=user.email if user else "system",
        action=action,
        case_id=case.id if case else (ticket.case_id if ticket else None),
        ticket_id=ticket.id if ticket else None,
        detail=detail or {},
    )
    session.add(entry)
    return entry


# Every action the console writes (the filter's choices).
ACTIONS = (
    "view_queue", "view_case", "claim", "assign", "reply", "reply_template", "note", "wait_on_patient",
    "resolve", "reopen", "hand_back", "adjust_estimate", "download_record", "view_dashboard", "export_csv",
    "view_audit", "user_add", "user_update", "password_reset", "sign_in", "sign_in_refused", "sign_out",
    "password_changed", "recommendation_changed",
)


@dataclass(frozen=True)
class AuditFilter:
    """`actor`: part of the e-mail address; `case_public_id`: a case (C-...) or ticket (T-...)
    id; `since` inclusive, `until` exclusive."""

    actor: str | None = None
    action: str | None = None
    case_public_id: str | None = None
    since: datetime | None = None
    until: datetime | None = None


def entries(
    session: Session, flt: AuditFilter, limit: int = 200, offset: int = 0
) -> list[tuple[AuditEntry, str | None, str | None]]:
    """Newest first, each with its case's and ticket's public ids."""
    query = (
        select(AuditEntry, Case.public_id, Ticket.public_id)
        .outerjoin(Case, Case.id == AuditEntry.case_id)
        .outerjoin(Ticket, Ticket.id == AuditEntry.ticket_id)
    )
    if flt.actor and flt.actor.strip():
        needle = flt.actor.strip().lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        query = query.where(AuditEntry.actor.like(f"%{needle}%", escape="\\"))
    if flt.action:
        query = query.where(AuditEntry.action == flt.action)
    if flt.case_public_id and flt.case_public_id.strip():
        wanted = flt.case_public_id.strip().upper()
        query = query.where(or_(Case.public_id == wanted, Ticket.public_id == wanted))
    if flt.since:
        query = query.where(AuditEntry.at >= flt.since)
    if flt.until:
        query = query.where(AuditEntry.at < flt.until)
    rows = session.execute(
        query.order_by(AuditEntry.at.desc(), AuditEntry.id.desc()).limit(limit).offset(max(0, offset))
    )
    return [(entry, case_id, ticket_id) for entry, case_id, ticket_id in rows]
