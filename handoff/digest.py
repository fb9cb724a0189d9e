"""The coordinators' daily digest: the open tickets and the overdue ones, e-mailed once a
day (config `console.digest_hour`, in the tickets' timezone) through the outbox.

Like the ticket notification it carries only codes, ids and links, never the patient's
words or address: mailboxes are less protected than the console.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from jinja2 import Environment, FileSystemLoader, StrictUndefined
from sqlalchemy.orm import Session

from handoff import queue as ticket_queue
from handoff.outbound import console_link, to_coordinators
from store.config import Settings
from store.models import DigestDay

_env = Environment(
    loader=FileSystemLoader(Path(__file__).with_name("templates")),
    undefined=StrictUndefined,
    autoescape=False,
    keep_trailing_newline=True,
    trim_blocks=True,
    lstrip_blocks=True,
)


@dataclass(frozen=True)
class Digest:
    day: date
    subject: str
    text: str
    open: list[ticket_queue.QueueRow]
    overdue: list[ticket_queue.QueueRow]


def digest_day(settings: Settings, now: datetime) -> date | None:
    """The local day whose digest is due at `now`, or None before `console.digest_hour`."""
    tz = ZoneInfo(settings["tickets"].get("timezone", "UTC"))
    local = now.astimezone(tz)
    if local.hour < int(settings.get_path("console.digest_hour", 8)):
        return None
    return local.date()


def build_digest(session: Session, settings: Settings, now: datetime) -> Digest:
    """The digest's subject and text for `now`: every unresolved ticket in queue order,
    the overdue ones listed first."""
    rules = settings["tickets"]
    tz = ZoneInfo(rules.get("timezone", "UTC"))
    rows = ticket_queue.queue(session, ticket_queue.QueueFilter(), now, rules).rows
    overdue = [r for r in rows if r.overdue]
    day = now.astimezone(tz).date()
    base = str(settings.get_path("server.public_base_url", "")).rstrip("/")
    context: dict[str, Any] = {
        "org": settings["organisation"]["name"],
        "day": day,
        "rows": rows,
        "overdue": overdue,
        "link": lambda row: console_link(settings, row.ticket),
        "queue_url": f"{base}/console/",
    }
    subject = _env.get_template("digest_subject.txt").render(**context).strip()
    text = _env.get_template("digest.txt").render(**context)
    return Digest(day, subject, text, rows, overdue)


def already_queued(session: Session, day: date) -> bool:
    return session.get(DigestDay, day) is not None


def queue_digest(session: Session, settings: Settings, now: datetime) -> list[int]:
    """Queue today's digest for each coordinator address, once per day; returns the outbox ids
    ([] before the digest hour or when today's went already).

    The day is recorded in the same transaction (`digest_days`, primary key the day), so two
    workers racing both try to insert it and one commit fails with an IntegrityError: the
    caller rolls that one back and sends nothing.
    """
    day = digest_day(settings, now)
    if day is None or already_queued(session, day):
        return []
    digest = build_digest(session, settings, now)
    session.add(DigestDay(day=day, queued_at=now, tickets=len(digest.open)))
    session.flush()
    payload = {"text": digest.text, "subject": digest.subject, "kind": "digest", "day": day.isoformat()}
    return to_coordinators(session, settings, payload)
