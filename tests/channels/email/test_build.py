"""channels/email/build.py: the MIME of a reply (threading, RFC 3834, injection)."""

from __future__ import annotations

from email import policy
from email.parser import BytesParser

import pytest

from channels.base import InvalidPayload
from channels.email.build import build_message
from channels.email.parse import parse_raw
from tests.channels.email.messages import reply


class TestBuildMessage:
    def test_threading_and_rfc3834_headers(self):
        built = build_message(reply(), "care@cancerfax.org", "CancerFax")
        assert built["From"] == "CancerFax <care@cancerfax.org>"
        assert built["To"] == "selam.t@example.org"
        assert built["Subject"] == "Re: Help for my brother"
        assert built["In-Reply-To"] == "<reply-2@example.org>"
        assert built["References"] == "<first-1@example.org> <bot-reply-1@cancerfax.org> <reply-2@example.org>"
        assert built["Auto-Submitted"] == "auto-replied"
        assert built["Message-ID"].startswith("<") and built["Message-ID"].endswith("@cancerfax.org>")
        assert built["Date"]

    def test_text_is_utf8_and_7bit_safe(self):
        built = build_message(reply(), "care@cancerfax.org", "CancerFax")
        raw = built.as_bytes()
        assert raw.isascii()  # quoted-printable/base64, accepted by any relay
        reparsed = BytesParser(policy=policy.default).parsebytes(raw)
        assert reparsed.get_body(("plain",)).get_content().rstrip("\n") == reply().text

    def test_html_alternative(self):
        built = build_message(reply(html="<p>Thank you</p>"), "care@cancerfax.org", "CancerFax")
        assert built.get_content_type() == "multipart/alternative"
        assert built.get_body(("html",)).get_content().strip() == "<p>Thank you</p>"
        assert "Your estimate" in built.get_body(("plain",)).get_content()

    def test_given_message_id_and_auto_submitted_are_used(self):
        built = build_message(
            reply(message_id="outbox-42@cancerfax.org", headers={"Auto-Submitted": "no", "X-Intake-Case": "42"}),
            "care@cancerfax.org",
            "CancerFax",
        )
        assert built["Message-ID"] == "<outbox-42@cancerfax.org>"
        assert built["Auto-Submitted"] == "no"
        assert built["X-Intake-Case"] == "42"

    def test_header_injection_is_neutralised(self):
        built = build_message(reply(subject="Hello\r\nBcc: victim@example.org"), "care@cancerfax.org", "CancerFax")
        assert built["Bcc"] is None
        assert built["Subject"] == "Hello Bcc: victim@example.org"

    def test_no_subject_uses_org_name_and_no_threading_headers_when_new(self):
        built = build_message(reply(subject=None, in_reply_to=None, references=()), "care@cancerfax.org", "CancerFax")
        assert built["Subject"] == "CancerFax"
        assert built["In-Reply-To"] is None and built["References"] is None

    def test_bad_recipient_is_invalid(self):
        with pytest.raises(InvalidPayload):
            build_message(reply(to="not-an-address"), "care@cancerfax.org", "CancerFax")

    def test_parse_raw_reads_our_own_reply_as_auto_submitted(self):
        # loop protection: our reply echoed back must never be answered
        built = build_message(reply(), "care@cancerfax.org", "CancerFax")
        parsed = parse_raw(built.as_bytes())
        assert parsed.auto_submitted is True
        assert parsed.thread_key == "<first-1@example.org>"
