"""What a coordinator may send a patient right now, and in which words.

A reply goes through the patient's own channel. WhatsApp allows free text only
inside its reply window (24 hours after the patient's last message, a channel rule);
outside it only approved templates (Twilio Content SIDs per language, config.yml
`console.whatsapp_templates`) may be sent. Canned replies and template previews
are per language in handoff/replies/<language>.yml (the one catalog mechanism,
estimates.messages.MessageCatalog); a language without a catalog falls back to
English, and the console says so.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, Mapping

from sqlalchemy import select
from sqlalchemy.orm import Session

import channels
from estimates.messages import MessageCatalog
from handoff.tickets import as_utc
from store.models import Conversation, Direction, Message, Ticket

CATALOG = MessageCatalog(Path(__file__).with_name("replies"))
FALLBACK = "en"


class ReplyError(ValueError):
    """A reply that may not be sent (outside the window, unknown template...)."""


@dataclass(frozen=True)
class Canned:
    key: str
    label: str
    text: str  # placeholders already filled


@dataclass(frozen=True)
class Template:
    key: str
    label: str
    content_sid: str
    variables: dict[str, str]  # {"1": "Amina", ...}: Twilio's ContentVariables
    preview: str
    language: str  # the approved template's language (the fallback when the patient's has none)


@dataclass(frozen=True)
class ReplyOptions:
    """What the case page offers: free text (and canned replies) or only templates."""

    channel: str
    free_text: bool
    window_closes_at: datetime | None  # when the free-text window ends (WhatsApp)
    why_templates_only: str | None
    language: str
    catalog_language: str  # the language the canned texts are in (may be the fallback)
    canned: tuple[Canned, ...]
    templates: tuple[Template, ...]


def last_patient_message(session: Session, conversation: Conversation) -> Message | None:
    return session.scalar(
        select(Message).where(Message.conversation_id == conversation.id, Message.direction == Direction.inbound)
        .order_by(Message.id.desc()).limit(1)
    )


def window_closes_at(session: Session, conversation: Conversation) -> datetime | None:
    """When free text stops being allowed; None when the channel has no window."""
    window: timedelta | None = channels.rules(conversation.channel).reply_window
    if window is None:
        return None
    last = last_patient_message(session, conversation)
    return as_utc(last.created_at) + window if last is not None else None


def free_text_allowed(session: Session, conversation: Conversation, now: datetime) -> bool:
    if channels.rules(conversation.channel).reply_window is None:
        return True
    closes = window_closes_at(session, conversation)
    return closes is not None and now < closes


def placeholder_values(ticket: Ticket, coordinator_name: str, org_name: str) -> dict[str, str]:
    contact = ticket.case.conversation.contact
    return {
        "patient_name": (contact.name or "").split(" ")[0] or "",
        "coordinator_name": coordinator_name,
        "org_name": org_name,
        "case_id": ticket.case.public_id,
    }


def options(
    session: Session, ticket: Ticket, settings: Mapping[str, Any], coordinator_name: str, now: datetime
) -> ReplyOptions:
    """The reply choices of a ticket's conversation at `now`."""
    conversation = ticket.case.conversation
    language = str((ticket.case.data or {}).get("language") or FALLBACK)
    values = placeholder_values(ticket, coordinator_name, settings["organisation"]["name"])
    words = CATALOG.supported_language(language)
    own = CATALOG.messages(words)
    keys = sorted({key.split(".")[1] for key in own if key.startswith("canned.")})
    canned = tuple(
        Canned(key, own[f"canned.{key}.label"], _words(CATALOG.t(f"canned.{key}.text", words, **values)))
        for key in keys
    )
    free = free_text_allowed(session, conversation, now)
    closes = window_closes_at(session, conversation)
    templates = () if free else _templates(settings, language, values)
    why = None
    if not free:
        hours = int(channels.rules(conversation.channel).reply_window.total_seconds() // 3600)  # type: ignore[union-attr]
        why = (
            f"The patient's last message is more than {hours} hours old, so WhatsApp only "
            "allows approved templates until the patient writes again."
        )
    return ReplyOptions(
        channel=conversation.channel, free_text=free, window_closes_at=closes, why_templates_only=why,
        language=language, catalog_language=words, canned=canned, templates=templates,
    )


def _templates(settings: Mapping[str, Any], language: str, values: Mapping[str, str]) -> tuple[Template, ...]:
    configured: Mapping[str, Any] = (settings.get("console") or {}).get("whatsapp_templates") or {}
    out = []
    for key, spec in configured.items():
        sids = spec.get("content_sids") or {}
        lang = language if language in sids else FALLBACK
        if lang not in sids:
            continue
        words = CATALOG.messages(lang)
        filled = {**values, "patient_name": values.get("patient_name") or words.get("patient_name_fallback", "")}
        variables = {str(i): str(filled.get(name, "")) for i, name in enumerate(spec.get("variables") or [], start=1)}
        label = words.get(f"templates.{key}.label", key)
        preview = _words(CATALOG.t(f"templates.{key}.preview", lang, **filled))
        out.append(Template(key, label, sids[lang], variables, preview, lang))
    return tuple(out)


def template(opts: ReplyOptions, key: str) -> Template:
    """Raises ReplyError for a template the ticket is not offered."""
    for item in opts.templates:
        if item.key == key:
            return item
    raise ReplyError("that template is not available for this conversation")


def _words(text: str) -> str:
    return " ".join(text.split())
