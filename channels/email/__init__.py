"""E-mail: parse raw MIME into an `InboundMessage`, build replies that thread,
and send them over SMTP.

The modules follow the path of a mail: `headers` (addresses, ids), `autoreply`
(mail never to answer), `text` (HTML to text, quotes, forwards), `mime` (body
and attachments), `parse` (the `InboundMessage`), `build` (the reply's MIME)
and `smtp` (the sender); `lenient` holds what they share to read broken mail.
This package re-exports the names the rest of the code imports.
"""

from __future__ import annotations

from channels.email.autoreply import auto_reply_reason
from channels.email.build import build_message
from channels.email.headers import derive_message_id
from channels.email.parse import DEFAULT_MAX_RAW_BYTES, MAX_TEXT_CHARS, parse_raw, parse_simple, read_limited
from channels.email.smtp import EmailSender
from channels.email.text import html_to_text, remove_quoted_text

__all__ = [
    "DEFAULT_MAX_RAW_BYTES",
    "MAX_TEXT_CHARS",
    "EmailSender",
    "auto_reply_reason",
    "build_message",
    "derive_message_id",
    "html_to_text",
    "parse_raw",
    "read_limited",
    "parse_simple",
    "remove_quoted_text",
]
