"""channels/base.py: the neutral message types and the shared text helpers."""

from __future__ import annotations

import dataclasses

import pytest

from channels.base import (
    Attachment,
    InboundMessage,
    InvalidPayload,
    OutboundMessage,
    PermanentSendError,
    SendError,
    Sender,
    SendResult,
    TransientSendError,
    base_name,
    clean_line,
    clean_text,
    is_content_type,
    utf16_len,
)
from tests.channels.channel_fakes import RecordingSender


def test_inbound_message_is_frozen_and_has_defaults():
    msg = InboundMessage(channel="whatsapp", sender="+254711000101", provider_id="SM1")
    assert msg.text == "" and msg.attachments == () and msg.references == () and msg.extra == {}
    with pytest.raises(dataclasses.FrozenInstanceError):
        msg.text = "changed"  # type: ignore[misc]


@pytest.mark.parametrize(
    "fields", [{"channel": "sms"}, {"sender": ""}, {"provider_id": ""}]
)
def test_inbound_message_rejects_impossible_values(fields):
    base = {"channel": "email", "sender": "a@example.org", "provider_id": "<a@x>"}
    base.update(fields)
    with pytest.raises(ValueError):
        InboundMessage(**base)


def test_attachment_repr_hides_data():
    attachment = Attachment(url=None, content_type="application/pdf", filename="secret-name.pdf", size=3, data=b"abc")
    assert "abc" not in repr(attachment) and "secret-name" not in repr(attachment)
    assert "application/pdf" in repr(attachment)


def test_outbound_repr_hides_text_and_recipient():
    msg = OutboundMessage(channel="email", to="patient@example.org", text="your diagnosis")
    assert "patient" not in repr(msg) and "diagnosis" not in repr(msg)


def test_error_hierarchy():
    assert issubclass(InvalidPayload, ValueError)
    assert issubclass(TransientSendError, SendError) and issubclass(PermanentSendError, SendError)
    error = PermanentSendError(63016)
    assert error.code == 63016 and "63016" in str(error)
    assert TransientSendError("x", code=451, maybe_sent=True).maybe_sent
    assert not TransientSendError("x", code=451).maybe_sent


def test_recording_sender_satisfies_the_protocol():
    sender = RecordingSender()
    assert isinstance(sender, Sender)
    result = sender.send(OutboundMessage(channel="whatsapp", to="+1", text="hi"))
    assert result == SendResult(provider_id="rec-1", status="sent")
    assert [m.text for m in sender.sent] == ["hi"]


@pytest.mark.parametrize(
    "raw, expected",
    [
        ("a\x00b", "ab"),
        ("line\r\nnext\rlast", "line\nnext\nlast"),
        ("tab\tkept", "tab\tkept"),
        ("esc\x1b[0m del\x7f c1\x85", "esc[0m del c1"),
        ("lone \ud800 surrogate", "lone  surrogate"),
        ("rtl \u200f mark and zwj 👨\u200d👩", "rtl \u200f mark and zwj 👨\u200d👩"),
    ],
)
def test_clean_text(raw, expected):
    assert clean_text(raw) == expected


def test_clean_line_collapses_whitespace_and_caps():
    assert clean_line("  a\n\n b\t c  ", 100) == "a b c"
    assert clean_line("abcdef", 3) == "abc"


@pytest.mark.parametrize(
    "name, expected",
    [
        ("scan.pdf", "scan.pdf"),
        ("../../etc/passwd", "passwd"),
        ("C:\\Users\\amina\\report.pdf", "report.pdf"),
        ("dir/", ""),
        ("two\nlines.txt", "two lines.txt"),
    ],
)
def test_base_name_never_lets_a_sender_choose_a_path(name, expected):
    assert base_name(name) == expected


@pytest.mark.parametrize(
    "value, expected",
    [("application/pdf", True), ("image/svg+xml", True), ("Image/PNG", False), ("text/plain; charset=x", False), ("pdf", False)],
)
def test_is_content_type(value, expected):
    assert is_content_type(value) is expected


def test_utf16_len_counts_astral_characters_twice():
    assert utf16_len("abc") == 3
    assert utf16_len("😀") == 2
    assert utf16_len("中文") == 2


def test_each_channel_states_its_own_rules_for_the_core() -> None:
    import channels

    email, whatsapp = channels.rules("email"), channels.rules("whatsapp")
    assert email.address("Amina@Example.ORG") == "amina@example.org"
    assert whatsapp.address("+254711000101") == "+254711000101"
    assert email.reply_headers("My father", "<t1@x>", "<m2@x>") == {
        "subject": "Re: My father", "in_reply_to": "<m2@x>", "references": ["<t1@x>", "<m2@x>"],
    }
    assert email.reply_headers("Re: My father", None, "<m2@x>")["subject"] == "Re: My father"
    assert whatsapp.reply_headers("x", None, "SM1") == {}
    assert whatsapp.reply_window is not None and email.reply_window is None
    assert channels.rules("simulator").address_field == "simulator_id"
    assert whatsapp.region("+254711000101") == "KE" and whatsapp.region("+999") is None
    assert email.region("amina@example.fr") is None and whatsapp.region(None) is None
    assert whatsapp.masked("+254711000101") == "···0101" and email.masked("amina@example.org") == "a···@example.org"
    assert email.masked("not-an-address") is None and channels.rules("simulator").masked("s-1") is None
    first, second = email.new_message_id("cancerfax.org"), email.new_message_id("cancerfax.org")
    assert first != second and first.endswith("@cancerfax.org>") and whatsapp.new_message_id("x.org") is None
    with pytest.raises(KeyError):
        channels.rules("fax")
