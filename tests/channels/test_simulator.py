"""channels/simulator.py: payload validation and the local sender."""

from __future__ import annotations

import uuid

import pytest

from channels.base import InboundMessage, InvalidPayload, OutboundMessage, Sender
from channels.simulator import SimulatorSender, parse_simulator


def payload(**fields):
    data = {"from": "sim-abc123", "text": "Hello, my mum has breast cancer", "id": "web-1700000000000-x1y2z3", "name": "Ana"}
    data.update(fields)
    return {k: v for k, v in data.items() if v is not ...}


class TestParseSimulator:
    def test_valid_payload(self):
        msg = parse_simulator(payload())
        assert isinstance(msg, InboundMessage)
        assert msg.channel == "simulator"
        assert msg.sender == "sim-abc123"
        assert msg.text == "Hello, my mum has breast cancer"
        assert msg.provider_id == "web-1700000000000-x1y2z3"
        assert msg.profile_name == "Ana"
        assert msg.attachments == () and msg.auto_submitted is False

    def test_name_is_optional_and_cleaned(self):
        assert parse_simulator(payload(name=None)).profile_name is None
        assert parse_simulator(payload(name=...)).profile_name is None
        assert parse_simulator(payload(name="  Ana\x00 María \n")).profile_name == "Ana María"

    def test_text_keeps_unicode_and_html_but_drops_control_chars(self):
        text = "<script>alert(1)</script> مرحبا 👋\x00\r\nsecond line"
        assert parse_simulator(payload(text=text)).text == "<script>alert(1)</script> مرحبا 👋\nsecond line"

    @pytest.mark.parametrize(
        "fields, message",
        [
            ({"from": ...}, '"from"'),
            ({"from": ""}, '"from"'),
            ({"from": 42}, '"from"'),
            ({"from": "sim abc"}, '"from"'),
            ({"from": "s" * 101}, '"from"'),
            ({"id": ...}, '"id"'),
            ({"id": ["x"]}, '"id"'),
            ({"id": "<x>"}, '"id"'),
            ({"text": 5}, '"text" must be a string'),
            ({"text": "a" * 10_001}, "too long"),
            ({"text": "   "}, "empty"),
            ({"text": ...}, "empty"),
            ({"name": 7}, '"name"'),
            ({"attachments": "x"}, '"attachments" must be a list'),
            ({"attachments": [{"filename": "a.pdf"}]}, "content_type"),
            ({"attachments": [{"content_type": "application/pdf", "size": -1}]}, "size"),
        ],
    )
    def test_invalid_payloads_have_clear_messages(self, fields, message):
        with pytest.raises(InvalidPayload, match=message):
            parse_simulator(payload(**fields))

    @pytest.mark.parametrize("value", [None, [], "text", 3])
    def test_non_object_payload_is_invalid(self, value):
        with pytest.raises(InvalidPayload, match="JSON object"):
            parse_simulator(value)

    def test_media_only_with_attachments(self):
        msg = parse_simulator(
            payload(text="", attachments=[{"content_type": "application/pdf", "filename": "../report.pdf", "size": 1234}])
        )
        assert msg.text == ""
        assert msg.attachments[0].filename == "report.pdf"
        assert msg.attachments[0].content_type == "application/pdf" and msg.attachments[0].size == 1234

    def test_unknown_keys_are_ignored(self):
        assert parse_simulator(payload(extra_key="x")).extra == {}


class TestSimulatorSender:
    def test_is_a_sender_and_returns_a_fresh_uuid(self):
        sender = SimulatorSender()
        assert isinstance(sender, Sender)
        first = sender.send(OutboundMessage(channel="simulator", to="sim-abc", text="Hi"))
        second = sender.send(OutboundMessage(channel="simulator", to="sim-abc", text="Hi"))
        assert first.status == "delivered"
        assert uuid.UUID(first.provider_id).version == 4
        assert first.provider_id != second.provider_id

    def test_other_channel_is_refused(self):
        with pytest.raises(ValueError):
            SimulatorSender().send(OutboundMessage(channel="whatsapp", to="+254711000101", text="Hi"))
