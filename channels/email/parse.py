"""Inbound e-mail: one raw RFC 5322 message (or the replay's simple fields)
into one neutral `InboundMessage`, with the thread it belongs to.

Parsing never raises anything but `InvalidPayload`, and only when no sender
address can be found at all: broken MIME, broken charsets and odd headers are
read as well as they can be (the standard `email` package with
`policy.default` records defects instead of failing; where header parsing does
raise we fall back to the raw header text).
"""

from __future__ import annotations

import email.utils
from collections.abc import Iterable, Mapping
from email import policy
from email.parser import BytesParser
from typing import BinaryIO

from channels.base import Attachment, InboundMessage, InvalidPayload, base_name, clean_line, clean_text
from channels.email.autoreply import auto_reply_reason
from channels.email.headers import (
    MAX_REFERENCES,
    addresses,
    clean_address,
    derive_message_id,
    first_id,
    header_text,
    message_ids,
    normalize_id,
    raw_header,
)
from channels.email.lenient import PARSE_ERRORS
from channels.email.mime import body_and_attachments
from channels.email.text import is_forward, remove_quoted_text

# Default limit of one raw inbound e-mail (config limits.max_email_bytes).
DEFAULT_MAX_RAW_BYTES = 40_000_000
_READ_CHUNK = 1 << 16
# Text kept from one e-mail; longer text is cut and extra["text_truncated"] set.
MAX_TEXT_CHARS = 100_000


def _finish_text(text: str, extra: dict, subject: str | None) -> str:
    full = clean_text(text).strip()
    reply = full if is_forward(subject, full) else remove_quoted_text(full)
    if reply != full:
        extra["full_text"] = full[:MAX_TEXT_CHARS]
    if len(reply) > MAX_TEXT_CHARS:
        reply = reply[:MAX_TEXT_CHARS]
        extra["text_truncated"] = True
    return reply


def _thread_key(own_id: str, in_reply_to: str | None, references: Iterable[str]) -> str:
    """Root of the thread: first References id (RFC 5322 section 3.6.4 keeps the
    root first), else the parent, else the message itself."""
    refs = list(references)
    if refs:
        return refs[0]
    return in_reply_to or own_id


def read_limited(stream: BinaryIO, limit: int) -> tuple[bytes, bool]:
    """Read a raw message from `stream`, keeping at most `limit` bytes; the rest is
    read and discarded (so the sender gets an answer, not a reset). Returns
    (kept bytes, whether the message was over the limit)."""
    kept = bytearray()
    over = False
    while chunk := stream.read(_READ_CHUNK):
        room = limit - len(kept)
        if len(chunk) > room:
            over = True
            kept += chunk[: max(room, 0)]
        else:
            kept += chunk
    return bytes(kept), over


def parse_raw(raw: bytes, truncated: bool = False) -> InboundMessage:
    """Parse one raw RFC 5322 message (as an inbound-parse webhook or IMAP
    delivers it) into an `InboundMessage`.

    `truncated`: `raw` is only the first part of a message over the size limit
    (the caller stopped reading there). Its text is kept; its attachments are
    not (the last one is cut), and the notice "email_too_large" asks the patient
    to send the files in smaller e-mails.

    Raises:
        InvalidPayload: no sender address can be found in From, Sender or Return-Path.
    """
    if isinstance(raw, str):
        raw = raw.encode("utf-8", errors="surrogateescape")
    raw = bytes(raw)
    try:
        msg = BytesParser(policy=policy.default).parsebytes(raw)
    except PARSE_ERRORS as exc:
        raise InvalidPayload("message could not be read as e-mail") from exc

    senders = addresses(msg, "From") or addresses(msg, "Sender") or addresses(msg, "Return-Path")
    if not senders:
        raise InvalidPayload("message has no sender address (From)")
    display_name, sender = senders[0]

    recipients = addresses(msg, "To") or addresses(msg, "Delivered-To") or addresses(msg, "X-Original-To")
    subject_raw = header_text(msg, "Subject")
    subject = clean_line(subject_raw, 998) if subject_raw is not None else None

    extra: dict = {}
    provider_id = first_id(msg, "Message-ID")
    if provider_id is None:
        provider_id = derive_message_id(raw)
        extra["message_id_derived"] = True
    in_reply_to = first_id(msg, "In-Reply-To")
    references = tuple(message_ids(raw_header(msg, "References"))[:MAX_REFERENCES])

    reason = auto_reply_reason(msg)
    if reason:
        extra["auto_reason"] = reason
    reply_to = addresses(msg, "Reply-To")
    if reply_to and reply_to[0][1] != sender:
        extra["reply_to"] = reply_to[0][1]
    date = header_text(msg, "Date")
    if date:
        try:
            extra["date"] = email.utils.parsedate_to_datetime(date).isoformat()
        except PARSE_ERRORS:
            pass
    if msg.defects:
        extra["defects"] = sorted({type(d).__name__ for d in msg.defects})

    text, attachments = body_and_attachments(msg)
    text = _finish_text(text, extra, subject)
    if truncated:
        extra["attachments_dropped"] = len(attachments)
        extra["notices"] = ["email_too_large"]
        attachments = ()

    return InboundMessage(
        channel="email",
        sender=sender,
        recipient=recipients[0][1] if recipients else None,
        text=text,
        attachments=attachments,
        provider_id=provider_id,
        profile_name=display_name or None,
        subject=subject or None,
        thread_key=_thread_key(provider_id, in_reply_to, references),
        in_reply_to=in_reply_to,
        references=references,
        auto_submitted=reason is not None,
        extra=extra,
    )


def _coerce_attachment(item: Attachment | Mapping) -> Attachment:
    """An `Attachment` from the simple format's mapping (or one as is)."""
    if isinstance(item, Attachment):
        return item
    if not isinstance(item, Mapping):
        raise InvalidPayload("attachment must be an object")
    content_type = str(item.get("content_type") or "application/octet-stream").strip().lower()
    data = item.get("data")
    if data is not None and not isinstance(data, (bytes, bytearray)):
        raise InvalidPayload("attachment data must be bytes")
    size = item.get("size")
    if data is not None:
        size = len(data)
    elif size is not None and (not isinstance(size, int) or isinstance(size, bool) or size < 0):
        raise InvalidPayload("attachment size must be a non-negative integer")
    filename = item.get("filename")
    if filename is not None:
        filename = base_name(str(filename)) or None
    url = item.get("url")
    return Attachment(
        url=str(url) if url else None,
        content_type=content_type,
        filename=filename,
        size=size,
        data=bytes(data) if data is not None else None,
    )


def parse_simple(
    sender: str,
    subject: str | None,
    body: str,
    message_id: str | None = None,
    attachments: Iterable[Attachment | Mapping] = (),
    *,
    recipient: str | None = None,
    in_reply_to: str | None = None,
    references: Iterable[str] = (),
) -> InboundMessage:
    """An `InboundMessage` from already-split fields (the replay format and
    simple webhooks). `sender` may be "Name <addr>". Without `message_id` a
    stable id is derived from sender, subject and body.

    Raises:
        InvalidPayload: no valid sender address, or malformed attachments.
    """
    if not isinstance(sender, str) or not isinstance(body, str):
        raise InvalidPayload("sender and body must be text")
    display, addr_spec = email.utils.parseaddr(clean_line(sender, 400))
    address = clean_address(addr_spec)
    if not address:
        raise InvalidPayload("sender is not an e-mail address")
    subject_text = clean_line(subject, 998) if isinstance(subject, str) else None
    extra: dict = {}
    if message_id:
        provider_id = normalize_id(message_id)
    else:
        seed = "\x00".join((address, subject or "", body)).encode("utf-8", errors="surrogatepass")
        provider_id = derive_message_id(seed)
        extra["message_id_derived"] = True
    parent = normalize_id(in_reply_to) if in_reply_to else None
    refs = tuple(normalize_id(r) for r in references if r)[:MAX_REFERENCES]
    rcpt = clean_address(recipient) if recipient else None
    return InboundMessage(
        channel="email",
        sender=address,
        recipient=rcpt,
        text=_finish_text(body, extra, subject_text),
        attachments=tuple(_coerce_attachment(a) for a in attachments),
        provider_id=provider_id,
        profile_name=clean_line(display, 256) or None,
        subject=subject_text or None,
        thread_key=_thread_key(provider_id, parent, refs),
        in_reply_to=parent,
        references=refs,
        auto_submitted=False,
        extra=extra,
    )
