"""Mail we must never answer automatically: auto-replies, bounces, reports and
list mail (RFC 3834 section 2). Its own module because the rule is policy,
not parsing: the parser records the reason, the core decides to stay silent.
"""

from __future__ import annotations

import re
from email.message import Message

from channels.email.headers import addresses, header_text, raw_header
from channels.email.lenient import PARSE_ERRORS

# Machine-written report parts (RFC 6522, 3464, 8098, 5965): never the patient's words.
BOILERPLATE_TYPES = frozenset(
    {
        "message/delivery-status",
        "message/disposition-notification",
        "message/feedback-report",
        "text/rfc822-headers",
        "message/global-delivery-status",
        "message/global-disposition-notification",
        "message/global-headers",
    }
)


def auto_reply_reason(msg: Message) -> str | None:
    """Why `msg` must not get an automatic answer, or None when it may.

    RFC 3834 section 2 and common practice: Auto-Submitted other than "no";
    Precedence bulk/junk/list; mailing-list headers (RFC 2369, 2919); an empty
    Return-Path (bounces, RFC 5321 section 4.5.5); a multipart/report
    (delivery or read reports, RFC 6522); vendor X-Autoreply/X-Autorespond;
    mails from MAILER-DAEMON or postmaster.
    """
    auto = header_text(msg, "Auto-Submitted")
    if auto is not None:
        token = auto.split(";")[0].strip().lower()
        if token and token != "no":
            return f"auto-submitted:{token[:40]}"
    precedence = (header_text(msg, "Precedence") or "").strip().lower()
    if precedence in ("bulk", "junk", "list", "auto_reply"):
        return f"precedence:{precedence}"
    for name in ("List-Id", "List-Unsubscribe"):
        if raw_header(msg, name) is not None:
            return name.lower()
    return_path = raw_header(msg, "Return-Path")
    if return_path is not None and re.sub(r"\s", "", return_path) == "<>":
        return "empty-return-path"
    try:
        content_type = msg.get_content_type()
    except PARSE_ERRORS:
        content_type = ""
    if content_type == "multipart/report" or content_type in BOILERPLATE_TYPES:
        return "report"
    for name in ("X-Autoreply", "X-Autorespond"):
        if raw_header(msg, name) is not None:
            return name.lower()
    senders = addresses(msg, "From")
    if senders and senders[0][1].split("@")[0] in ("mailer-daemon", "postmaster"):
        return "mailer-daemon"
    return None

