"""Fakes for the channel adapter tests: a recording Sender, a recording Twilio
HTTP client with canned responses, and an aiosmtpd handler."""

from __future__ import annotations

import json
import logging
import socket
from dataclasses import dataclass, field
from datetime import datetime
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser

from twilio.http import HttpClient
from twilio.http.response import Response

from channels.base import OutboundMessage, SendResult, single_part


class RecordingSender:
    """A `channels.base.Sender` that keeps what it was asked to send."""

    def __init__(self, channel: str = "whatsapp") -> None:
        self.channel = channel
        self.sent: list[OutboundMessage] = []

    def split(self, text: str) -> list[str]:
        return single_part(text)

    def send(self, msg: OutboundMessage) -> SendResult:
        self.sent.append(msg)
        return SendResult(provider_id=f"rec-{len(self.sent)}", status="sent")

    def lookup(self, msg: OutboundMessage, since: datetime) -> list[str]:
        return []


@dataclass
class RecordedRequest:
    method: str
    uri: str
    params: dict
    data: dict
    headers: dict
    auth: tuple | None


class RecordingTwilioHttpClient(HttpClient):
    """Stands in for Twilio's HTTP client: records every request and answers
    with queued canned responses (or raises queued exceptions); with nothing
    queued it answers 201 with a fresh message SID, like the real API."""

    def __init__(self, responses: list | None = None) -> None:
        super().__init__(logger=logging.getLogger("tests.fake_twilio"), is_async=False)
        self.requests: list[RecordedRequest] = []
        self.responses = list(responses or [])

    def request(self, method, uri, params=None, data=None, headers=None, auth=None, timeout=None, allow_redirects=False):
        self.requests.append(
            RecordedRequest(method, uri, dict(params or {}), dict(data or {}), dict(headers or {}), auth)
        )
        if self.responses:
            answer = self.responses.pop(0)
            if isinstance(answer, BaseException):
                raise answer
            return answer
        return message_created(f"SM{len(self.requests):032x}")


def message_created(sid: str, status: str = "queued") -> Response:
    """A 201 as Twilio answers POST /Messages.json."""
    return Response(201, json.dumps({"sid": sid, "status": status, "body": "", "num_segments": "1"}))


def message_list(*messages: dict) -> Response:
    """A 200 as Twilio answers GET /Messages.json (one page)."""
    return Response(200, json.dumps({"messages": list(messages), "next_page_uri": None, "page": 0, "page_size": 50}))


def twilio_error(status: int, code: int, message: str = "error") -> Response:
    """An error response in Twilio's JSON error format."""
    return Response(
        status,
        json.dumps({"code": code, "message": message, "more_info": f"https://www.twilio.com/docs/errors/{code}", "status": status}),
    )


# --------------------------------------------------------------------------- SMTP


@dataclass
class SMTPHandler:
    """aiosmtpd handler: stores accepted messages; replies can be forced to
    simulate a full mailbox (451) or a refusal (550)."""

    rcpt_reply: str | None = None
    data_reply: str | None = None
    received: list[dict] = field(default_factory=list)

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if self.rcpt_reply:
            return self.rcpt_reply
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        if self.data_reply:
            return self.data_reply
        self.received.append(
            {
                "mail_from": envelope.mail_from,
                "rcpt_tos": list(envelope.rcpt_tos),
                "raw": bytes(envelope.content),
            }
        )
        return "250 Message accepted"

    def last_message(self) -> EmailMessage:
        return BytesParser(policy=policy.default).parsebytes(self.received[-1]["raw"])


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]
