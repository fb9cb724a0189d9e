"""The local web simulator: a browser chat that stands in for WhatsApp.

The page posts JSON {"from": "sim-abc", "text": "...", "id": "<client id>",
"name": "Ana" | null}; replies are shown from the app's own database, so the
sender only hands back an id and nothing leaves the machine.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Mapping
from datetime import datetime

from channels.base import (
    Attachment,
    InboundMessage,
    InvalidPayload,
    OutboundMessage,
    SendResult,
    base_name,
    clean_line,
    clean_text,
    is_content_type,
    single_part,
)
from channels.whatsapp.inbound import MAX_BODY_CHARS, MAX_MEDIA

# Session and client ids: short, printable, safe in URLs and logs.
_ID_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._:-]{0,99}$")


def _attachments(value: object) -> tuple[Attachment, ...]:
    """Optional "attachments": [{"content_type", "filename", "url"?, "size"?}]
    so the simulator (and replays) can stand for a photo or a PDF."""
    if value is None:
        return ()
    if not isinstance(value, list):
        raise InvalidPayload('"attachments" must be a list')
    if len(value) > MAX_MEDIA:
        raise InvalidPayload(f'"attachments" may hold at most {MAX_MEDIA} items')
    result = []
    for item in value:
        if not isinstance(item, Mapping):
            raise InvalidPayload("each attachment must be an object")
        content_type = item.get("content_type")
        if not isinstance(content_type, str) or not is_content_type(content_type.strip().lower()):
            raise InvalidPayload('each attachment needs a "content_type" like "application/pdf"')
        filename = item.get("filename")
        if filename is not None and not isinstance(filename, str):
            raise InvalidPayload('attachment "filename" must be text')
        url = item.get("url")
        if url is not None and not isinstance(url, str):
            raise InvalidPayload('attachment "url" must be text')
        size = item.get("size")
        if size is not None and (not isinstance(size, int) or isinstance(size, bool) or size < 0):
            raise InvalidPayload('attachment "size" must be a non-negative integer')
        name = base_name(filename) if filename else None
        result.append(Attachment(url=url or None, content_type=content_type.strip().lower(), filename=name or None, size=size))
    return tuple(result)


def parse_simulator(payload: Mapping) -> InboundMessage:
    """Validate the simulator's JSON and turn it into an `InboundMessage`.

    provider_id is the client-supplied "id" (the page generates one per
    message, so a double submit is deduplicated like a provider retry).

    Raises:
        InvalidPayload: not an object, "from"/"id" missing or malformed, "text"
            not text or too long, or an empty message without attachments.
    """
    if not isinstance(payload, Mapping):
        raise InvalidPayload("payload must be a JSON object")
    session = payload.get("from")
    if not isinstance(session, str) or not _ID_RE.match(session):
        raise InvalidPayload('"from" must be a session id like "sim-abc" (letters, digits, ".", "_", ":", "-")')
    client_id = payload.get("id")
    if not isinstance(client_id, str) or not _ID_RE.match(client_id):
        raise InvalidPayload('"id" must be a message id (letters, digits, ".", "_", ":", "-", at most 100)')
    text = payload.get("text", "")
    if text is None:
        text = ""
    if not isinstance(text, str):
        raise InvalidPayload('"text" must be a string')
    if len(text) > MAX_BODY_CHARS:
        raise InvalidPayload(f'"text" is too long (more than {MAX_BODY_CHARS} characters)')
    name = payload.get("name")
    if name is not None and not isinstance(name, str):
        raise InvalidPayload('"name" must be a string or null')
    attachments = _attachments(payload.get("attachments"))
    text = clean_text(text)
    if not text.strip() and not attachments:
        raise InvalidPayload("message is empty")
    return InboundMessage(
        channel="simulator",
        sender=session,
        recipient=None,
        text=text,
        attachments=attachments,
        provider_id=client_id,
        profile_name=clean_line(name, 256) or None if name else None,
        extra={},
    )


class SimulatorSender:
    """Local delivery: the simulator page reads replies from the database.

    Also stands in for WhatsApp when no Twilio credentials are configured
    (DESIGN 4), so nothing leaves the machine.
    """

    def __init__(self, channels: tuple[str, ...] = ("simulator",)) -> None:
        self.channels = channels

    def split(self, text: str) -> list[str]:
        return single_part(text)

    def lookup(self, msg: OutboundMessage, since: datetime) -> list[str]:
        # Local delivery has no provider to ask: a resend is harmless.
        return []

    def send(self, msg: OutboundMessage) -> SendResult:
        """Return a fresh id with status "delivered".

        Raises:
            ValueError: a message of a channel this sender does not stand in for.
        """
        if msg.channel not in self.channels:
            raise ValueError(f"SimulatorSender cannot send {msg.channel!r} messages")
        provider_id = str(uuid.uuid4())
        return SendResult(provider_id=provider_id, status="delivered")


__all__ = ["SimulatorSender", "parse_simulator"]
