"""Coordinator notifications: rendered here, delivered over SMTP by the outbox."""
from __future__ import annotations

from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined

_env = Environment(
    loader=FileSystemLoader(Path(__file__).with_name("templates")),
    undefined=StrictUndefined,
    autoescape=False,
    keep_trailing_newline=True,
)


def ticket_notification(
    case: dict[str, Any], ticket: dict[str, Any], org_name: str, link: str | None = None
) -> tuple[str, str]:
    """Subject and text of the e-mail coordinators get when a ticket opens or escalates.

    Only codes and ids, never the patient's words: mailboxes are less protected than the console.
    """
    subject = _env.get_template("notification_subject.txt").render(org=org_name, ticket=ticket).strip()
    body = _env.get_template("notification.txt").render(case=case, ticket=ticket, link=link)
    return subject, body
