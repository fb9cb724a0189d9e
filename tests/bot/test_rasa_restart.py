"""Rasa's SQL tracker store: a restarted Rasa server continues the conversation where it was."""
from __future__ import annotations

import uuid

import pytest

from bot.config import load_settings
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
