"""Cases: the case JSON document (contract/case.schema.json) and its updates."""
from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path
from typing import Any, Mapping

import yaml
from sqlalchemy import select
from sqlalchemy.orm import Session

import estimates
from store.models import Case, Conversation, Direction, Message, Ticket, TicketStatus
from handoff.case_shape import full_case
from handoff.tickets import as_utc

RECORD_KINDS_FILE = Path(__file__).with_name("record_kinds.yml")


@lru_cache(maxsize=1)
def _kind_rules() -> list[dict[str, Any]]:
    with open(RECORD_KINDS_FILE, encoding="utf-8") as fh:
        return yaml.safe_load(fh)


def classify_record(filename: str | None, content_type: str | None, text: str | None = None) -> str:
    """Best-effort record kind from the file name and type, else from the words sent
    with it ("this is his CT report"); 'other' when unsure."""
    kind = _classify(filename, content_type)
    if kind == "other" and text:
        kind = _classify(text[:300], None)
    return kind


def _classify(filename: str | None, content_type: str | None) -> str:
    name = (filename or "").lower()
    ctype = (content_type or "").lower()
    tokens = set(re.split(r"[^a-z0-9.\-]+", name))
    for rule in _kind_rules():
        if ctype in rule.get("content_types", []):
            return rule["kind"]
        for word in rule.get("words", []):
            if word.startswith(".") and name.endswith(word):
                return rule["kind"]
            if len(word) <= 3 and word in tokens:
                return rule["kind"]
            if len(word) > 3 and word in name:
                return rule["kind"]
    return "other"


def get_or_create_case(session: Session, conversation: Conversation) -> Case:
    case = session.scalar(select(Case).where(Case.conversation_id == conversation.id))
    if case is None:
        case = Case(public_id=f"C-{conversation.id:06d}", conversation_id=conversation.id, data={})
        session.add(case)
        session.flush()
    return case


def _leaves(body: Mapping[str, Any], prefix: str = "") -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in body.items():
        path = f"{prefix}{key}"
        if isinstance(value, Mapping) and key not in ("recommendation", "estimate"):
            out.update(_leaves(value, path + "."))
        else:
            out[path] = value
    return out


def set_case(case: Case, body: dict[str, Any], message_id: int | None) -> None:
    """The dialogue's new case body; every fact it changed is attributed to the
    message of this turn, so a coordinator can see who said what, and where."""
    before, after = _leaves(case.data or {}), _leaves(body)
    sources = dict(case.sources or {})
    for path, value in after.items():
        if value in (None, [], {}, "", False):
            sources.pop(path, None)
        elif before.get(path) != value and message_id is not None:
            sources[path] = message_id
    case.sources = {path: ref for path, ref in sources.items() if path in after}
    # A coordinator's adjusted ranges outlive the dialogue's fresh estimate of this turn.
    previous = (case.data or {}).get("estimate")
    if previous and body.get("estimate"):
        body = {**body, "estimate": estimates.carry_overrides(previous, body["estimate"])}
    case.data = body


def received_records(session: Session, conversation_id: int) -> list[dict[str, Any]]:
    rows = session.scalars(
        select(Message).where(Message.conversation_id == conversation_id, Message.direction == Direction.inbound)
    )
    records = []
    for msg in rows:
        for att in msg.attachments or []:
            records.append(
                {
                    "kind": att.get("kind") or classify_record(att.get("filename"), att.get("content_type")),
                    "filename": att.get("filename"),
                    "content_type": att.get("content_type") or "application/octet-stream",
                    "size": att.get("size"),
                }
            )
    return records


def ticket_document(ticket: Ticket | None) -> dict[str, Any] | None:
    if ticket is None:
        return None
    due = as_utc(ticket.due_at)
    return {
        "id": ticket.public_id,
        "status": ticket.status.value,
        "priority": ticket.priority,
        "reason": ticket.reason,
        "due_at": due.isoformat(),
        "assignee": ticket.assignee,
    }


def current_ticket(case: Case) -> Ticket | None:
    open_tickets = [t for t in case.tickets if t.status != TicketStatus.resolved]
    return (open_tickets or case.tickets or [None])[-1]


def case_document(session: Session, case: Case) -> dict[str, Any]:
    """The case as the API, the console and replay return it."""
    conversation = case.conversation
    contact = conversation.contact
    body = full_case(case.data)
    received = received_records(session, conversation.id)
    case_for_rules = {**body, "records": {"received": received, "missing": []}}
    missing = estimates.records_missing(case_for_rules, body.get("recommendation")) if body.get("recommendation") else []
    return {
        "id": case.public_id,
        "channel": conversation.channel,
        "opted_out": contact.opted_out,
        "contact": {"whatsapp": contact.whatsapp, "email": contact.email, "name": contact.name},
        "language": body["language"],
        "consent": body["consent"],
        "patient": body["patient"],
        "diagnosis": body["diagnosis"],
        "history": body["history"],
        "location": body["location"],
        "request": body["request"],
        "records": {"received": received, "missing": missing},
        "safety": body["safety"],
        "recommendation": body["recommendation"],
        "estimate": body["estimate"],
        "questions": body["questions"],
        "ticket": ticket_document(current_ticket(case)),
    }
