"""Sending e-mail over SMTP with aiosmtplib from synchronous code, and the
mapping of SMTP replies to transient and permanent send errors.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import TypeVar

import aiosmtplib

from channels.base import OutboundMessage, PermanentSendError, SendResult, TransientSendError, single_part
from channels.email.build import build_message

T = TypeVar("T")


def _run(coro_factory: Callable[[], Awaitable[T]]) -> T:
    """Run a coroutine to completion from synchronous code: directly in a plain
    thread, or in a helper thread when this thread already runs an event loop."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(coro_factory())
    with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(lambda: asyncio.run(coro_factory())).result()


class EmailSender:
    """Send e-mail replies over SMTP (aiosmtplib) from synchronous code."""

    channel = "email"

    def __init__(
        self,
        hostname: str,
        port: int,
        from_addr: str,
        org_name: str,
        username: str | None = None,
        password: str | None = None,
        use_tls: bool = False,
        start_tls: bool | None = None,
        timeout: float = 10,
    ) -> None:
        self.hostname = hostname
        self.port = port
        self.from_addr = from_addr
        self.org_name = org_name
        self.username = username
        self.password = password
        self.use_tls = use_tls
        self.start_tls = start_tls
        self.timeout = timeout

    def send(self, msg: OutboundMessage) -> SendResult:
        """Build and send `msg`; SendResult.provider_id is its Message-ID.

        Raises:
            ValueError: not an e-mail message.
            InvalidPayload: the recipient is not an e-mail address.
            TransientSendError: SMTP 4xx, connection or timeout errors.
            PermanentSendError: SMTP 5xx (code is the SMTP reply code).
        """
        if msg.channel != "email":
            raise ValueError(f"EmailSender cannot send {msg.channel!r} messages")
        message = build_message(msg, self.from_addr, self.org_name)
        message_id = str(message["Message-ID"])

        def submit():
            return aiosmtplib.send(
                message,
                sender=self.from_addr,
                recipients=[str(message["To"])],
                hostname=self.hostname,
                port=self.port,
                username=self.username,
                password=self.password,
                use_tls=self.use_tls,
                start_tls=self.start_tls,
                timeout=self.timeout,
            )

        try:
            _run(submit)
        except aiosmtplib.SMTPRecipientsRefused as exc:
            codes = [r.code for r in exc.recipients] or [550]
            raise _smtp_error(codes[0], "recipient refused") from exc
        except aiosmtplib.SMTPResponseException as exc:
            raise _smtp_error(exc.code, "SMTP server refused the message") from exc
        except (aiosmtplib.SMTPException, OSError, asyncio.TimeoutError) as exc:
            # Connection refused/reset, timeouts, server disconnects, STARTTLS
            # trouble: worth retrying later (with the same Message-ID).
            raise TransientSendError(f"SMTP connection problem: {type(exc).__name__}", maybe_sent=True) from exc
        return SendResult(provider_id=message_id, status="sent")

    def split(self, text: str) -> list[str]:
        return single_part(text)

    def lookup(self, msg: OutboundMessage, since: datetime) -> list[str]:
        # SMTP cannot be asked what it has; a resend keeps the same Message-ID
        # (chosen once by the outbox), so receiving clients see one message.
        return []


def _smtp_error(code: int, label: str) -> Exception:
    """SMTP 4xx is transient, 5xx permanent (RFC 5321 section 4.2.1)."""
    if 400 <= code < 500:
        return TransientSendError(f"{label} (SMTP {code})", code=code)
    if code >= 500:
        return PermanentSendError(code, f"{label} (SMTP {code})")
    return TransientSendError(f"{label} (unexpected SMTP reply {code})", code=code)
