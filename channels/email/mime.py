"""Walking a parsed message's MIME tree: which leaves are the body (plain
text preferred, HTML converted) and which are attachments (with safe names).

Report parts (bounce and read-receipt boilerplate) are skipped; an attached
message (message/rfc822) is kept whole as one attachment.
"""

from __future__ import annotations

from collections.abc import Iterator
from email.message import Message

from channels.base import Attachment, base_name
from channels.email.autoreply import BOILERPLATE_TYPES
from channels.email.lenient import PARSE_ERRORS, decode_bytes
from channels.email.text import html_to_text


def _part_bytes(part: Message) -> bytes:
    try:
        payload = part.get_payload(decode=True)
    except PARSE_ERRORS:
        payload = None
    if isinstance(payload, bytes):
        return payload
    raw = part.get_payload()
    if isinstance(raw, str):
        return raw.encode("utf-8", errors="surrogateescape")
    return b""


def _part_text(part: Message) -> str:
    try:
        charset = part.get_content_charset()
    except PARSE_ERRORS:
        charset = None
    return decode_bytes(_part_bytes(part), charset)


def _leaves(part: Message) -> Iterator[Message]:
    """Leaf parts in order; an attached message (message/rfc822) is one leaf."""
    try:
        maintype = part.get_content_maintype()
        multipart = part.is_multipart()
    except PARSE_ERRORS:
        yield part
        return
    if multipart and maintype == "multipart":
        payload = part.get_payload()
        for sub in payload if isinstance(payload, list) else ():
            if isinstance(sub, Message):
                yield from _leaves(sub)
    else:
        yield part


def _disposition(part: Message) -> str | None:
    try:
        return part.get_content_disposition()
    except PARSE_ERRORS:
        return None


def _filename(part: Message) -> str | None:
    try:
        name = part.get_filename()
    except PARSE_ERRORS:
        name = None
    if not name:
        return None
    return base_name(str(name)).strip(". ") or None


def _content_type(part: Message) -> str:
    try:
        return part.get_content_type()
    except PARSE_ERRORS:
        return "application/octet-stream"


def _attachment_bytes(part: Message) -> bytes:
    if part.is_multipart():  # an attached message/rfc822
        payload = part.get_payload()
        inner = payload[0] if isinstance(payload, list) and payload else None
        if isinstance(inner, Message):
            try:
                return inner.as_bytes()
            except PARSE_ERRORS:
                return b""
        return b""
    return _part_bytes(part)


def body_and_attachments(msg: Message) -> tuple[str, tuple[Attachment, ...]]:
    """(body text, attachments) of `msg`: the plain-text parts joined, else the
    HTML parts as text; every other non-empty leaf is an attachment. Never raises."""
    plain: list[str] = []
    html: list[str] = []
    attachments: list[Attachment] = []
    for part in _leaves(msg):
        ctype = _content_type(part)
        if ctype in BOILERPLATE_TYPES:
            continue
        filename = _filename(part)
        disposition = _disposition(part)
        if ctype in ("text/plain", "text/html") and disposition != "attachment" and not filename:
            (plain if ctype == "text/plain" else html).append(_part_text(part))
            continue
        data = _attachment_bytes(part)
        if not data and not filename:
            continue  # an empty non-text part carries nothing
        if not filename:
            filename = f"attachment-{len(attachments) + 1}"
        attachments.append(Attachment(url=None, content_type=ctype, filename=filename, size=len(data), data=data))
    if plain and any(p.strip() for p in plain):
        text = "\n".join(p.strip("\n") for p in plain)
    elif html:
        text = "\n\n".join(html_to_text(h) for h in html)
    else:
        text = "\n".join(plain)
    return text, tuple(attachments)
