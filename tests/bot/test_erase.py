"""`intake erase`: a confirmed erasure removes the contact's messages, files, case and dialogue history."""
from __future__ import annotations

import pytest
import requests
from huey import MemoryHuey
from sqlalchemy import func, select

from bot.app import create_app
from bot.dialogue import RasaClient
from bot.erase import EraseError, erase_case
from store.models import Case, Contact, Message, OutboxItem, Ticket
from bot.senders import sender_factory
from bot.rasa_runtime import rasa_token
from bot.worker import Worker

pytestmark = pytest.mark.rasa

RAW = (
    b"From: amina@example.org\r\nSubject: my mother\r\nMessage-ID: <erase-1@example.org>\r\nMIME-Version: 1.0\r\n"
    b'Content-Type: multipart/mixed; boundary="b"\r\n\r\n--b\r\nContent-Type: text/plain\r\n\r\n'
    b"My mother is 60, she has breast cancer, no treatment yet, we live in Nairobi, Kenya. Not sure which service."
    b"\r\n--b\r\nContent-Type: application/pdf\r\nContent-Disposition: attachment; filename=\"biopsy.pdf\"\r\n"
    b"Content-Transfer-Encoding: base64\r\n\r\nJVBERi0xLjQK\r\n--b--\r\n"
)


def test_erase_removes_everything_of_the_contact(rasa_servers, settings, factory, mail_sink) -> None:
    settings["smtp"].update({"host": "127.0.0.1", "port": mail_sink.port})
    worker = Worker(settings, huey=MemoryHuey("erase", immediate=True),
                    dialogue=RasaClient(rasa_servers.get_path("rasa.url")), sender_for=sender_factory(settings))
    client = create_app(settings, enqueue=worker.enqueue).test_client()
    assert client.post("/webhooks/email/inbound", data=RAW, headers={"Authorization": "Bearer test-mail-token"}).status_code == 202
    with factory() as session:
        [path] = [a["path"] for a in session.scalar(select(Message)).attachments]
        key = session.scalar(select(Case)).conversation.dialogue_key
    stored = settings.data_dir / "records" / path
    assert stored.exists()
    tracker_url = f"{rasa_servers.get_path('rasa.url')}/conversations/{key}/tracker"
    token = {"token": rasa_token(rasa_servers)}
    # Rasa's HTTP API holds the family's words: without the token it refuses.
    assert requests.get(tracker_url, timeout=10).status_code == 401
    assert requests.get(tracker_url, params={"token": "wrong"}, timeout=10).status_code in (401, 403)
    assert requests.get(tracker_url, params=token, timeout=10).json()["events"]

    erased = erase_case(factory, settings, "C-000001", tracker_settings=rasa_servers)
    assert erased.messages >= 2 and erased.files == 1 and erased.dialogue_events > 0
    assert not stored.exists()
    with factory() as session:
        for model in (Contact, Message, Case, Ticket):
            assert session.scalar(select(func.count()).select_from(model)) == 0, model.__name__
        # Only the coordinators' notification records stay (ids and codes, no patient words).
        left = session.scalars(select(OutboxItem)).all()
        assert all(item.message_id is None and item.payload.get("kind") == "notification" for item in left)
        assert not any("Nairobi" in item.payload["text"] or "amina@" in item.payload["text"] for item in left), [i.payload for i in left]
    events = requests.get(tracker_url, params=token, timeout=10).json()["events"]
    assert not any(e.get("event") == "user" for e in events)
    with pytest.raises(EraseError):
        erase_case(factory, settings, "C-000001")
