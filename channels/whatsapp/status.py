"""Twilio status callbacks for messages we sent, and the rule that a stored
status only ever moves forward (callbacks arrive out of order).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

from channels.base import InvalidPayload, clean_line
from channels.whatsapp.inbound import SID_RE

# Forward order of a message's life. "accepted" and "scheduled" come from a
# Messaging Service before the message is queued.
STATUS_ORDER: tuple[str, ...] = ("accepted", "scheduled", "queued", "sending", "sent", "delivered", "read")
# Failure states are terminal.
FAILURE_STATUSES = frozenset({"failed", "undelivered", "canceled"})
_STATUS_RANK = {status: rank for rank, status in enumerate(STATUS_ORDER)}
_STATUS_RE = re.compile(r"^[a-z_]{1,32}$")


@dataclass(frozen=True)
class StatusUpdate:
    """One Twilio status callback for a message we sent."""

    provider_id: str
    status: str
    error_code: int | None = None
    error_message: str | None = None


def parse_status_callback(form: Mapping[str, str]) -> StatusUpdate:
    """Turn Twilio's status-callback form into a `StatusUpdate`.

    ErrorCode (e.g. 63016, outside the 24-hour window) is kept when numeric.

    Raises:
        InvalidPayload: MessageSid or MessageStatus missing or malformed.
    """
    sid = (form.get("MessageSid") or form.get("SmsSid") or "").strip()
    if not sid or not SID_RE.match(sid):
        raise InvalidPayload("MessageSid is missing or malformed")
    status = (form.get("MessageStatus") or form.get("SmsStatus") or "").strip().lower()
    if not status:
        raise InvalidPayload("MessageStatus is missing")
    if not _STATUS_RE.match(status):
        raise InvalidPayload("MessageStatus is malformed")
    raw_code = (form.get("ErrorCode") or "").strip()
    error_code = int(raw_code) if raw_code.isascii() and raw_code.isdigit() else None
    error_message = clean_line(form.get("ErrorMessage") or "", 500) or None
    return StatusUpdate(provider_id=sid, status=status, error_code=error_code, error_message=error_message)


def status_moves_forward(old: str | None, new: str) -> bool:
    """Should a stored status `old` be replaced by `new`?

    Callbacks arrive out of order, so a status never moves backwards:
    - along STATUS_ORDER only a later status wins (sent -> delivered, not back);
    - failed/undelivered/canceled may replace any status before "delivered",
      and nothing replaces them afterwards (terminal);
    - "delivered" and "read" are proof of delivery, so a late failure does not
      replace them;
    - the same status again, or an unknown new status, is not a move;
    - an unknown stored status (None or a value we do not know) is replaced by
      any known status.
    """
    if new not in _STATUS_RANK and new not in FAILURE_STATUSES:
        return False
    if old == new:
        return False
    if old in FAILURE_STATUSES:
        return False
    if old not in _STATUS_RANK:
        return True
    if new in FAILURE_STATUSES:
        return _STATUS_RANK[old] < _STATUS_RANK["delivered"]
    return _STATUS_RANK[new] > _STATUS_RANK[old]
