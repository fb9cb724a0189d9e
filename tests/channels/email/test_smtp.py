"""channels/email/smtp.py: sending through a real local SMTP server (aiosmtpd)."""

from __future__ import annotations

import asyncio
import threading

import pytest

from channels.base import OutboundMessage, PermanentSendError, Sender, TransientSendError
from channels.email.smtp import EmailSender
from tests.channels.channel_fakes import free_port
from tests.channels.email.messages import reply


def make_sender(port: int) -> EmailSender:
    return EmailSender("127.0.0.1", port, "care@cancerfax.org", "CancerFax", timeout=5)


class TestEmailSender:
    def test_is_a_sender(self):
        assert isinstance(make_sender(25), Sender)

    def test_delivers_to_a_real_smtp_server(self, smtp_server):
        handler, port = smtp_server
        result = make_sender(port).send(reply(html="<p>Thank you</p>"))
        assert result.status == "sent"
        assert len(handler.received) == 1
        envelope = handler.received[0]
        assert envelope["mail_from"] == "care@cancerfax.org"
        assert envelope["rcpt_tos"] == ["selam.t@example.org"]
        got = handler.last_message()
        assert got["Message-ID"] == result.provider_id
        assert got["From"] == "CancerFax <care@cancerfax.org>"
        assert got["To"] == "selam.t@example.org"
        assert got["Subject"] == "Re: Help for my brother"
        assert got["In-Reply-To"] == "<reply-2@example.org>"
        assert got["References"].split() == ["<first-1@example.org>", "<bot-reply-1@cancerfax.org>", "<reply-2@example.org>"]
        assert got["Auto-Submitted"] == "auto-replied"
        assert got.get_body(("plain",)).get_content().replace("\r\n", "\n").rstrip("\n") == reply().text
        assert got.get_body(("html",)).get_content().strip() == "<p>Thank you</p>"

    def test_works_from_a_plain_thread(self, smtp_server):
        handler, port = smtp_server
        results: list = []
        worker = threading.Thread(target=lambda: results.append(make_sender(port).send(reply())))
        worker.start()
        worker.join(timeout=20)
        assert results and results[0].status == "sent"
        assert len(handler.received) == 1

    def test_works_when_called_inside_a_running_event_loop(self, smtp_server):
        handler, port = smtp_server

        async def caller():
            return make_sender(port).send(reply())

        result = asyncio.run(caller())
        assert result.provider_id == handler.last_message()["Message-ID"]

    def test_451_is_transient(self, smtp_server):
        handler, port = smtp_server
        handler.data_reply = "451 4.3.0 Mailbox temporarily unavailable"
        with pytest.raises(TransientSendError) as info:
            make_sender(port).send(reply())
        assert info.value.code == 451
        assert handler.received == []

    def test_550_is_permanent(self, smtp_server):
        handler, port = smtp_server
        handler.data_reply = "550 5.7.1 Message rejected"
        with pytest.raises(PermanentSendError) as info:
            make_sender(port).send(reply())
        assert info.value.code == 550

    def test_recipient_refused_550_is_permanent(self, smtp_server):
        handler, port = smtp_server
        handler.rcpt_reply = "550 5.1.1 No such user"
        with pytest.raises(PermanentSendError) as info:
            make_sender(port).send(reply())
        assert info.value.code == 550

    def test_recipient_greylisted_450_is_transient(self, smtp_server):
        handler, port = smtp_server
        handler.rcpt_reply = "450 4.2.0 Greylisted, try again"
        with pytest.raises(TransientSendError) as info:
            make_sender(port).send(reply())
        assert info.value.code == 450

    def test_nobody_listening_is_transient(self):
        with pytest.raises(TransientSendError):
            make_sender(free_port()).send(reply())

    def test_other_channel_is_refused(self):
        with pytest.raises(ValueError):
            make_sender(25).send(OutboundMessage(channel="whatsapp", to="+254711000101", text="hi"))
