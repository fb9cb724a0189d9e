"""channels/email/parse.py on broken and hostile input: only `InvalidPayload`
ever comes out, and the size limit keeps the text."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from channels.base import InvalidPayload
from channels.email.parse import parse_raw
from tests.channels.email.messages import crlf


class TestGarbage:
    def test_no_from_at_all_is_invalid(self):
        with pytest.raises(InvalidPayload, match="no sender"):
            parse_raw(b"\x00\xff\xfe\x80 garbage without headers \n\n more")

    def test_empty_bytes_are_invalid(self):
        with pytest.raises(InvalidPayload):
            parse_raw(b"")

    def test_unparseable_from_falls_back_to_sender_header(self):
        raw = crlf("From: <<<>>>\nSender: real@example.org\nMessage-ID: <g@x>\n\nhi\n")
        assert parse_raw(raw).sender == "real@example.org"

    def test_broken_mime_structure_is_still_read(self):
        raw = crlf(
            "From: a@example.org\nMessage-ID: <b@x>\nContent-Type: multipart/mixed; boundary=missing\n\n"
            "no boundary ever appears\n"
        )
        msg = parse_raw(raw)
        assert msg.sender == "a@example.org"
        assert "defects" in msg.extra

    def test_truncated_base64_attachment_does_not_raise(self):
        raw = crlf(
            "From: a@example.org\nMessage-ID: <t@x>\nContent-Type: multipart/mixed; boundary=b\n\n--b\n"
            "Content-Type: application/pdf; name=a.pdf\nContent-Transfer-Encoding: base64\n\nJVBERi0xLj!!!\n"
        )
        msg = parse_raw(raw)
        assert msg.attachments and msg.attachments[0].filename == "a.pdf"

    def test_truncated_message_keeps_its_text_and_drops_attachments(self):
        raw = (
            "From: a@example.org\nSubject: scan\nMessage-ID: <big@example.org>\nMIME-Version: 1.0\n"
            "Content-Type: multipart/mixed; boundary=b\n\n--b\nContent-Type: text/plain\n\nMy father has lung cancer.\n"
            "--b\nContent-Type: application/pdf; name=a.pdf\nContent-Transfer-Encoding: base64\n\nJVBERi0xLj"
        ).encode()
        msg = parse_raw(raw, truncated=True)
        assert "lung cancer" in msg.text
        assert msg.attachments == ()
        assert msg.extra["notices"] == ["email_too_large"] and msg.extra["attachments_dropped"] == 1

    def test_read_limited_keeps_the_limit_and_drains_the_rest(self):
        import io

        from channels.email.parse import read_limited

        stream = io.BytesIO(b"x" * 200_000)
        kept, over = read_limited(stream, 100_000)
        assert len(kept) == 100_000 and over and stream.read() == b""
        assert read_limited(io.BytesIO(b"y" * 10), 10) == (b"y" * 10, False)

    @settings(max_examples=300, deadline=None)
    @given(st.binary(max_size=2000))
    def test_random_bytes_only_ever_raise_invalid_payload(self, raw):
        try:
            msg = parse_raw(raw)
        except InvalidPayload:
            return
        assert msg.sender and msg.provider_id

    @settings(max_examples=300, deadline=None)
    @given(st.binary(max_size=2000))
    def test_any_body_after_valid_headers_parses(self, tail):
        msg = parse_raw(b"From: a@example.org\r\nMessage-ID: <f@x>\r\n\r\n" + tail)
        assert msg.sender == "a@example.org"
        assert msg.provider_id == "<f@x>"
        assert "\x00" not in msg.text

    @settings(max_examples=300, deadline=None)
    @given(st.binary(max_size=1000), st.binary(max_size=1000))
    def test_random_headers_around_a_from_line_never_crash(self, before, after):
        try:
            msg = parse_raw(before + b"\r\nFrom: a@example.org\r\n" + after)
        except InvalidPayload:
            return
        assert msg.sender and msg.provider_id.startswith("<")
