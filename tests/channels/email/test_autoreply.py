"""channels/email/autoreply.py: mail we never answer automatically (RFC 3834)."""

from __future__ import annotations

from email import policy
from email.parser import BytesParser

import pytest

from channels.email.autoreply import auto_reply_reason
from channels.email.parse import parse_raw
from tests.channels.email.messages import PLAIN_FIRST_CONTACT, OUT_OF_OFFICE, BOUNCE, headers_only


class TestAutoSubmitted:
    def test_out_of_office_is_flagged(self):
        msg = parse_raw(OUT_OF_OFFICE)
        assert msg.auto_submitted is True
        assert msg.extra["auto_reason"] == "auto-submitted:auto-replied"

    def test_bounce_is_flagged_and_report_parts_are_not_attachments(self):
        msg = parse_raw(BOUNCE)
        assert msg.auto_submitted is True
        assert msg.sender == "mailer-daemon@mx.example.com"
        assert "could not be delivered" in msg.text
        assert msg.attachments == ()

    @pytest.mark.parametrize(
        "header, reason",
        [
            ("Auto-Submitted: auto-generated", "auto-submitted:auto-generated"),
            ("Auto-Submitted: auto-notified; owner-email=x@y", "auto-submitted:auto-notified"),
            ("Precedence: bulk", "precedence:bulk"),
            ("Precedence: junk", "precedence:junk"),
            ("Precedence: list", "precedence:list"),
            ("List-Id: Patients <patients.lists.example.org>", "list-id"),
            ("List-Unsubscribe: <mailto:unsub@example.org>", "list-unsubscribe"),
            ("Return-Path: <>", "empty-return-path"),
            ("Return-Path: < >", "empty-return-path"),
            ("X-Autorespond: yes", "x-autorespond"),
        ],
    )
    def test_rfc3834_signals(self, header, reason):
        msg = parse_raw(headers_only(header))
        assert msg.auto_submitted is True
        assert msg.extra["auto_reason"] == reason

    @pytest.mark.parametrize(
        "header", ["Auto-Submitted: no", "Auto-Submitted: No", "Precedence: first-class", "Return-Path: <someone@example.org>", "X-Mailer: Foo"]
    )
    def test_human_mail_is_not_flagged(self, header):
        msg = parse_raw(headers_only(header))
        assert msg.auto_submitted is False
        assert "auto_reason" not in msg.extra

    def test_auto_reply_reason_on_a_parsed_message(self):
        parsed = BytesParser(policy=policy.default).parsebytes(OUT_OF_OFFICE)
        assert auto_reply_reason(parsed) is not None
        assert auto_reply_reason(BytesParser(policy=policy.default).parsebytes(PLAIN_FIRST_CONTACT)) is None
