"""Outbound WhatsApp through Twilio's REST API: one provider message per
call, free text or an approved template, Twilio errors mapped to transient and
permanent send errors, and the lookup that reconciles an unrecorded send.
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from urllib.parse import urlencode

import requests
from twilio.base.exceptions import TwilioRestException
from twilio.http import HttpClient
from twilio.http.http_client import TwilioHttpClient
from twilio.rest import Client

from channels.base import OutboundMessage, PermanentSendError, SendResult, TransientSendError, utf16_len
from channels.whatsapp.inbound import normalize_number
from channels.whatsapp.split import TWILIO_BODY_LIMIT, split_text

# Twilio error codes that no retry will fix.
# 63016: outside the 24-hour customer-service window, needs a template.
# 21610: the recipient replied STOP (opted out).
# 21211: invalid "To" number. 21614: "To" is not a valid mobile number.
# 63003: channel could not find the "To" address (not on WhatsApp).
PERMANENT_TWILIO_CODES = frozenset({63016, 21610, 21211, 21614, 63003})


class WhatsAppSender:
    """Send WhatsApp messages through Twilio's REST API, one provider message per call.

    `http_client` is injectable (any `twilio.http.HttpClient`), so tests record
    the exact request Twilio would receive without network access; `api_base_url`
    points the client at another host (a proxy, or a local stand-in in fault tests).
    """

    channel = "whatsapp"

    def __init__(
        self,
        account_sid: str,
        auth_token: str,
        from_number: str,
        status_callback: str | None = None,
        http_client: HttpClient | None = None,
        timeout: float = 30,
        api_base_url: str | None = None,
    ) -> None:
        self.from_number = normalize_number(from_number)
        self.status_callback = status_callback
        self._client = Client(account_sid, auth_token, http_client=http_client or TwilioHttpClient(timeout=timeout))
        if api_base_url:
            self._client.api.base_url = api_base_url.rstrip("/")

    def split(self, text: str) -> list[str]:
        """Twilio caps a body at 1600 characters: longer texts go out in parts."""
        return split_text(text, TWILIO_BODY_LIMIT)

    def _callback_url(self, reference: str | None) -> str | None:
        if not self.status_callback or not reference:
            return self.status_callback
        joiner = "&" if "?" in self.status_callback else "?"
        return f"{self.status_callback}{joiner}{urlencode({'ref': reference})}"

    def send(self, msg: OutboundMessage) -> SendResult:
        """Send `msg.text` (at most 1600 characters: split it first) as one message.

        Raises:
            ValueError: not a WhatsApp message, nothing to send, or too long for one message.
            TransientSendError: Twilio 429 or 5xx, or a network error (`maybe_sent`
                when the request may have reached Twilio).
            PermanentSendError: Twilio 4xx (63016, 21610, 21211, ...).
            InvalidPayload: `msg.to` is not a phone number.
        """
        if msg.channel != "whatsapp":
            raise ValueError(f"WhatsAppSender cannot send {msg.channel!r} messages")
        if not msg.text.strip():
            raise ValueError("nothing to send: the text is empty")
        if utf16_len(msg.text) > TWILIO_BODY_LIMIT:
            raise ValueError(f"a WhatsApp message is at most {TWILIO_BODY_LIMIT} characters: split it first")
        options: dict[str, str] = {}
        callback = self._callback_url(msg.reference)
        if callback:
            options["status_callback"] = callback
        if msg.content_sid:  # an approved template: the only thing allowed outside the 24-hour window
            options["content_sid"] = msg.content_sid
            options["content_variables"] = json.dumps(msg.content_variables, ensure_ascii=False)
        else:
            options["body"] = msg.text
        try:
            created = self._client.messages.create(
                from_=f"whatsapp:{self.from_number}", to=f"whatsapp:{normalize_number(msg.to)}", **options
            )
        except TwilioRestException as exc:
            raise _map_twilio_error(exc) from exc
        except (requests.exceptions.RequestException, OSError) as exc:
            # A read timeout or a reset after sending: Twilio may have the message.
            raise TransientSendError(
                f"network error talking to Twilio: {type(exc).__name__}", maybe_sent=not _never_left(exc)
            ) from exc
        return SendResult(provider_id=created.sid, status=str(created.status or "queued"))

    def lookup(self, msg: OutboundMessage, since: datetime) -> list[str]:
        """Ask Twilio for messages like `msg` (same recipient and body, created at or
        after `since`): a send whose answer we never recorded.

        Raises:
            TransientSendError: Twilio could not be asked now.
        """
        try:
            candidates = self._client.messages.list(
                to=f"whatsapp:{normalize_number(msg.to)}", from_=f"whatsapp:{self.from_number}",
                date_sent_after=since - timedelta(days=1), limit=50,
            )
        except TwilioRestException as exc:
            raise TransientSendError(f"Twilio lookup failed: HTTP {exc.status}") from exc
        except (requests.exceptions.RequestException, OSError) as exc:
            raise TransientSendError(f"network error looking up at Twilio: {type(exc).__name__}") from exc
        earliest = since - timedelta(minutes=1)
        return [
            str(c.sid) for c in candidates
            if c.body == msg.text and (c.date_created is None or c.date_created >= earliest)
        ]


def _never_left(exc: BaseException) -> bool:
    """True when the request certainly did not reach Twilio: the connection was
    never made (refused, unresolved, connect timeout). requests reports a reset
    after sending as a ConnectionError too, so the cause decides."""
    if isinstance(exc, requests.exceptions.ConnectTimeout):
        return True
    return "NewConnectionError" in repr(exc) or isinstance(exc, ConnectionRefusedError)


def _map_twilio_error(exc: TwilioRestException) -> Exception:
    """Twilio 429 and 5xx are transient; known codes and other 4xx are permanent."""
    status = int(exc.status or 0)
    code = exc.code if isinstance(exc.code, int) else None
    label = f"Twilio HTTP {status}" + (f", error {code}" if code is not None else "")
    if code in PERMANENT_TWILIO_CODES:
        return PermanentSendError(code, label)
    if status == 429 or status >= 500 or status == 0:
        return TransientSendError(label, code=code)
    return PermanentSendError(code if code is not None else status, label)
