"""Fixtures for the channel adapter tests (fakes live in channel_fakes.py)."""

from __future__ import annotations

import pytest
from aiosmtpd.controller import Controller

from tests.channels.channel_fakes import RecordingSender, RecordingTwilioHttpClient, SMTPHandler, free_port


@pytest.fixture
def recording_sender() -> RecordingSender:
    return RecordingSender()


@pytest.fixture
def twilio_http() -> RecordingTwilioHttpClient:
    return RecordingTwilioHttpClient()


@pytest.fixture
def smtp_server():
    """A real SMTP server on 127.0.0.1 and a free port; yields (handler, port)."""
    handler = SMTPHandler()
    port = free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield handler, port
    finally:
        controller.stop()
