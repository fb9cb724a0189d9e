"""WhatsApp through Twilio: webhook `signature`, `inbound` parsing, `status`
callbacks, `split`ting long texts and the `sender`.

Twilio posts a form for each inbound message and for each status change of a
message we sent; we check the X-Twilio-Signature, whitelist the fields we use,
and hand back one neutral `InboundMessage`. This package re-exports the names
the rest of the code imports.
"""

from __future__ import annotations

from channels.whatsapp.inbound import EXTRA_FIELDS, MAX_BODY_CHARS, MAX_MEDIA, normalize_number, parse_webhook
from channels.whatsapp.sender import PERMANENT_TWILIO_CODES, WhatsAppSender
from channels.whatsapp.signature import public_url, verify_signature
from channels.whatsapp.split import TWILIO_BODY_LIMIT, split_text
from channels.whatsapp.status import FAILURE_STATUSES, STATUS_ORDER, StatusUpdate, parse_status_callback, status_moves_forward

__all__ = [
    "EXTRA_FIELDS",
    "FAILURE_STATUSES",
    "MAX_BODY_CHARS",
    "MAX_MEDIA",
    "PERMANENT_TWILIO_CODES",
    "STATUS_ORDER",
    "StatusUpdate",
    "TWILIO_BODY_LIMIT",
    "WhatsAppSender",
    "normalize_number",
    "parse_status_callback",
    "parse_webhook",
    "public_url",
    "split_text",
    "status_moves_forward",
    "verify_signature",
]
