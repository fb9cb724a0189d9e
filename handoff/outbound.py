"""What is sent to a patient or a coordinator: a message row and its outbox item,
written in the caller's transaction (delivery happens after commit)."""
from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

import channels
from handoff import cases as case_store
from handoff import notify
from store.config import Settings
from store.models import Case, Conversation, DeliveryStatus, Direction, Message, OutboxItem


# Coordinators are reached at organisation.coordinator_emails, so by e-mail,
# whatever channel the patient wrote on.
COORDINATOR_CHANNEL = "email"


def reply_headers(conversation: Conversation, inbound: Message | None) -> dict[str, Any]:
    """The channel's threading for a reply to `inbound` (or to the conversation)."""
    return channels.rules(conversation.channel).reply_headers(
        (inbound.subject if inbound else None) or conversation.subject, conversation.thread_key,
        inbound.provider_id if inbound else None,
    )


def _recipient(conversation: Conversation) -> str:
    return getattr(conversation.contact, channels.rules(conversation.channel).address_field) or ""


def outbox_item(session: Session, message_id: int | None, channel: str, recipient: str, payload: dict[str, Any]) -> int:
    item = OutboxItem(message_id=message_id, channel=channel, recipient=recipient, payload=payload)
    session.add(item)
    session.flush()
    return item.id


def queue_outbound(
    session: Session, conversation: Conversation, text: str, extra: dict[str, Any], reply_to: int | None = None,
    language: str | None = None,
) -> int:
    """Store an outbound message (in `language`, when known) and its outbox item; returns the outbox id."""
    out = Message(
        conversation_id=conversation.id,
        direction=Direction.outbound,
        channel=conversation.channel,
        delivery_status=DeliveryStatus.queued,
        body=text,
        subject=extra.get("subject"),
        language=language,
        attachments=[],
        reply_to_id=reply_to,
    )
    session.add(out)
    session.flush()
    return outbox_item(session, out.id, conversation.channel, _recipient(conversation), {"text": text, **extra})


def console_link(settings: Settings, ticket_public_id: str) -> str:
    """The ticket's page in the console (`server.public_base_url` + /console/tickets/<id>)."""
    base = str(settings.get_path("server.public_base_url", "")).rstrip("/")
    return f"{base}/console/tickets/{ticket_public_id}"


def notify_coordinators(session: Session, settings: Settings, case: Case) -> list[int]:
    """One e-mail per coordinator address about the case's current ticket, through the outbox.
    Only codes and ids, never the patient's words (handoff.notify)."""
    doc = case_store.case_document(session, case)
    link = console_link(settings, doc["ticket"]["id"])
    subject, body = notify.ticket_notification(doc, doc["ticket"], settings["organisation"]["name"], link=link)
    return to_coordinators(session, settings, {"text": body, "subject": subject, "kind": "notification"})


def to_coordinators(session: Session, settings: Settings, payload: dict[str, Any]) -> list[int]:
    """One outbox item per coordinator address (a notification, the daily digest)."""
    return [
        outbox_item(session, None, COORDINATOR_CHANNEL, address, dict(payload))
        for address in settings["organisation"]["coordinator_emails"]
    ]
