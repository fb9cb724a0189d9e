"""Outbound e-mail: an `OutboundMessage` into a MIME message that threads in
the patient's client and says it was sent automatically. Kept apart from the
SMTP sender so a reply can be built (and tested) without a server.
"""

from __future__ import annotations

import email.utils
import re
from datetime import datetime, timezone
from email import policy
from email.headerregistry import Address
from email.message import EmailMessage

from channels.base import InvalidPayload, OutboundMessage, clean_line, clean_text
from channels.email.headers import MAX_REFERENCES, clean_address, normalize_id

# Build with 7bit transfer encodings (quoted-printable/base64 for non-ASCII) so
# any relay accepts the message, with or without 8BITMIME.
_BUILD_POLICY = policy.default.clone(cte_type="7bit")
# Set by build_message itself; msg.headers cannot replace them (threading and
# addressing stay authoritative). The Message-ID is msg.message_id; an
# Auto-Submitted given there is read by build_message itself.
_RESERVED_HEADERS = frozenset(
    {"message-id", "auto-submitted", "from", "to", "subject", "date", "in-reply-to", "references",
     "content-type", "content-transfer-encoding", "mime-version"}
)
_HEADER_NAME_RE = re.compile(r"^[!-9;-~]+$")  # RFC 5322 field name: printable, no colon


def build_message(msg: OutboundMessage, from_addr: str, org_name: str) -> EmailMessage:
    """A reply ready for SMTP: From "org_name <from_addr>", a Message-ID (msg.message_id,
    else a new one), Date, In-Reply-To and References so the
    patient's client threads it (RFC 5322 section 3.6.4), and
    "Auto-Submitted: auto-replied" (RFC 3834 section 5) unless msg.headers says
    otherwise. Text part plus an optional HTML alternative, UTF-8.

    Raises:
        InvalidPayload: the recipient is not an e-mail address.
    """
    to = clean_address(email.utils.parseaddr(msg.to)[1])
    if not to:
        raise InvalidPayload("recipient is not an e-mail address")
    out = EmailMessage(policy=_BUILD_POLICY)
    out["From"] = Address(display_name=clean_line(org_name, 200), addr_spec=from_addr)
    out["To"] = to
    out["Subject"] = clean_line(msg.subject or org_name, 998)
    out["Date"] = email.utils.format_datetime(datetime.now(timezone.utc))

    headers = {k: v for k, v in (msg.headers or {}).items()}
    domain = from_addr.rpartition("@")[2] or "intake.invalid"
    out["Message-ID"] = normalize_id(msg.message_id) if msg.message_id else email.utils.make_msgid(domain=domain)

    references = [normalize_id(r) for r in msg.references if r]
    if msg.in_reply_to:
        parent = normalize_id(msg.in_reply_to)
        out["In-Reply-To"] = parent
        if parent not in references:
            references.append(parent)  # parent's References followed by the parent
    if references:
        out["References"] = " ".join(references[-MAX_REFERENCES:])

    auto = next((v for k, v in headers.items() if k.lower() == "auto-submitted"), None)
    out["Auto-Submitted"] = clean_line(auto, 100) if auto else "auto-replied"
    for name, value in headers.items():
        if name.lower() in _RESERVED_HEADERS:
            continue
        if not _HEADER_NAME_RE.match(name):
            raise ValueError(f"invalid header name {name!r}")
        del out[name]
        out[name] = clean_line(str(value), 998)

    out.set_content(clean_text(msg.text), charset="utf-8")
    if msg.html:
        out.add_alternative(msg.html, subtype="html", charset="utf-8")
    return out
