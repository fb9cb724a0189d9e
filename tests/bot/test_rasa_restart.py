"""Rasa's SQL tracker store: a restarted Rasa server continues the conversation where it was."""
from __future__ import annotations

import uuid

import pytest

from store.config import load_settings
from bot.dialogue import RasaClient
from bot.rasa_runtime import DialogueServers
from tests.conftest import free_port

pytestmark = pytest.mark.rasa


def test_restart_loses_no_conversation(rasa_servers, tmp_path) -> None:
    settings = load_settings(overrides={"data_dir": str(tmp_path), "database_url": None,
                                        "rasa": {"url": f"http://127.0.0.1:{free_port()}"}})
    sender = uuid.uuid4().hex
    meta = {"channel": "whatsapp", "attachments": []}
    with DialogueServers(settings, tmp_path / "logs") as servers:
        assert len(servers.processes) == 1  # only Rasa: the session's action server is reused
        client = RasaClient(settings.get_path("rasa.url"))
        first = client.send(sender, "My father has prostate cancer, he is 70", meta)
        assert any("YES" in m.get("text", "") for m in first)
        client.send(sender, "yes", meta)
    assert (tmp_path / "rasa_tracker.db").exists()
    with DialogueServers(settings, tmp_path / "logs"):
        replies = RasaClient(settings.get_path("rasa.url")).send(sender, "He had radiotherapy last year", meta)
    case = next(m["custom"]["intake"]["case"] for m in replies if "custom" in m)
    assert case["consent"] == "given"  # remembered across the restart
    assert case["diagnosis"]["cancer_type"] == "prostate"
    assert case["patient"]["age"] == 70
    assert not any("YES" in m.get("text", "") for m in replies)  # consent is not asked again


def test_action_server_down_keeps_the_message_for_a_retry(rasa_servers, settings, factory, tmp_path) -> None:
    """Rasa answers HTTP 200 with nothing when its action server is down: that is not a reply."""
    from sqlalchemy import select

    from bot.conversations import receive
    from bot.rasa_runtime import dialogue_client
    from bot.turns import process_conversation
    from store.models import InboundStatus, Message
    from bot.rasa_runtime import ensure_model, rasa_ready, start_rasa_server, wait_until
    from channels.base import InboundMessage

    broken = load_settings(overrides={"data_dir": str(tmp_path / "rasa"), "database_url": None,
                                      "rasa": {"url": f"http://127.0.0.1:{free_port()}", "action_port": free_port()}})
    proc = start_rasa_server(broken, ensure_model(broken.get_path("rasa.version")), tmp_path / "rasa.log")
    try:
        wait_until(lambda: rasa_ready(broken), 180, "Rasa", proc)
        msg = InboundMessage(channel="simulator", sender="sim-down", text="My father has lung cancer", provider_id="down-1")
        received = receive(factory, msg)
        outcome = process_conversation(factory, settings, dialogue_client(broken), received.conversation_id)
        assert outcome.status == "retry"  # an outage waits: it is not counted against the message
        with factory() as session:
            message = session.scalar(select(Message))
            assert message.inbound_status == InboundStatus.received and message.attempts == 0
        # With the real action server behind it, the same message is answered.
        outcome = process_conversation(factory, settings, dialogue_client(rasa_servers), received.conversation_id)
        assert outcome.status == "done" and outcome.outbox_ids
        with factory() as session:
            assert session.scalar(select(Message).where(Message.provider_id == "down-1")).inbound_status == InboundStatus.processed
    finally:
        import os
        import signal

        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=30)
