"""WhatsApp and e-mail webhooks: signature, storage, dedupe, bad input (no Rasa needed)."""
from __future__ import annotations

import threading
from typing import Any

import pytest
import requests
from sqlalchemy import func, select
from werkzeug.serving import make_server

from bot.app import create_app
from store.models import Contact, DeliveryStatus, Direction, InboundStatus, Message
from tests.helpers import WHATSAPP_PATH, post_signed, sign, twilio_form


class EnqueueRecorder:
    def __init__(self) -> None:
        self.calls: list[int] = []
        self.lock = threading.Lock()

    def __call__(self, conversation_id: int) -> None:
        with self.lock:
            self.calls.append(conversation_id)


@pytest.fixture
def queued() -> EnqueueRecorder:
    return EnqueueRecorder()


@pytest.fixture
def client(settings, queued):  # type: ignore[no-untyped-def]
    return create_app(settings, enqueue=queued).test_client()


def _count(factory: Any) -> int:
    with factory() as session:
        return session.scalar(select(func.count()).select_from(Message))


def test_signed_message_is_stored_and_queued(client, factory, queued) -> None:
    form = twilio_form("SM" + "a" * 32, body="My mum has breast cancer")
    resp = post_signed(client, form)
    assert resp.status_code == 200
    assert resp.mimetype == "text/xml"
    assert b"<Response" in resp.data
    with factory() as session:
        msg = session.scalar(select(Message))
        assert msg.body == "My mum has breast cancer"
        assert msg.inbound_status == InboundStatus.received
        assert msg.direction == Direction.inbound
        assert msg.conversation.contact.whatsapp == "+254711000101"
        assert msg.conversation.contact.name == "Test Family"
    assert queued.calls == [msg.conversation_id]


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"X-Twilio-Signature": "bm90IGEgc2lnbmF0dXJl"},
        {"X-Twilio-Signature": "SIGNED-FOR-ANOTHER-URL"},
    ],
    ids=["missing", "wrong", "other-url"],
)
def test_bad_signature_is_refused_and_nothing_stored(client, factory, queued, headers) -> None:
    form = twilio_form("SM" + "b" * 32)
    if headers.get("X-Twilio-Signature") == "SIGNED-FOR-ANOTHER-URL":
        headers = {"X-Twilio-Signature": sign("/webhooks/twilio/other", form)}
    resp = client.post(WHATSAPP_PATH, data=form, headers=headers)
    assert resp.status_code == 403
    assert _count(factory) == 0
    with factory() as session:
        assert session.scalar(select(func.count()).select_from(Contact)) == 0
    assert queued.calls == []


def test_tampered_body_is_refused(client, factory) -> None:
    form = twilio_form("SM" + "c" * 32, body="original")
    signature = sign(WHATSAPP_PATH, form)
    form["Body"] = "tampered"
    resp = client.post(WHATSAPP_PATH, data=form, headers={"X-Twilio-Signature": signature})
    assert resp.status_code == 403
    assert _count(factory) == 0


def test_media_only_message_is_stored_not_a_500(client, factory, queued) -> None:
    form = twilio_form(
        "SM" + "d" * 32,
        body="",
        NumMedia="1",
        MediaUrl0="https://api.twilio.com/2010-04-01/Accounts/AC1/Messages/MM1/Media/ME1",
        MediaContentType0="application/pdf",
    )
    del form["Body"]
    resp = post_signed(client, form)
    assert resp.status_code == 200
    with factory() as session:
        msg = session.scalar(select(Message))
        assert msg.body == ""
        assert msg.attachments[0]["content_type"] == "application/pdf"
    assert len(queued.calls) == 1


def test_malformed_payload_is_a_clear_400(client, factory) -> None:
    form = twilio_form("SM" + "e" * 32)
    del form["MessageSid"]
    resp = post_signed(client, form)
    assert resp.status_code == 400
    assert "MessageSid" in resp.get_json()["detail"]
    assert _count(factory) == 0


def test_same_sid_posted_five_times_concurrently_is_stored_once(settings, factory, queued) -> None:
    app = create_app(settings, enqueue=queued)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{server.server_port}{WHATSAPP_PATH}"
    form = twilio_form("SM" + "f" * 32, body="retry me")
    headers = {"X-Twilio-Signature": sign(WHATSAPP_PATH, form)}
    barrier = threading.Barrier(5)
    statuses: list[int] = []

    def post() -> None:
        barrier.wait()
        statuses.append(requests.post(url, data=form, headers=headers, timeout=30).status_code)

    workers = [threading.Thread(target=post) for _ in range(5)]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    server.shutdown()
    assert statuses == [200] * 5
    assert _count(factory) == 1
    assert len(queued.calls) == 1


def _sent_part(factory, settings, sid: str = "SMout1") -> tuple[int, int]:  # type: ignore[no-untyped-def]
    """A reply queued and sent through the outbox (Twilio recorded at its HTTP edge)."""
    from bot import outbox
    from handoff.outbound import queue_outbound
    from store.models import Conversation, OutboxItem
    from bot.senders import sender_factory
    from tests.bot.test_outbox import _conversation
    from tests.channels.channel_fakes import RecordingTwilioHttpClient, message_created

    conversation_id = _conversation(factory)
    with factory() as session, session.begin():
        conversation = session.get(Conversation, conversation_id)
        item = queue_outbound(session, conversation, "hi", {})
    http = RecordingTwilioHttpClient([message_created(sid)])
    assert outbox.deliver(factory, settings, item, sender_factory(settings, http)).status == "sent"
    with factory() as session:
        return item, session.get(OutboxItem, item).parts[0].id


def _status(client, sid: str, status: str, ref: int | None = None, **extra: str):  # type: ignore[no-untyped-def]
    path = "/webhooks/twilio/status" + (f"?ref={ref}" if ref is not None else "")
    form = {"MessageSid": sid, "MessageStatus": status, "AccountSid": "AC" + "1" * 32, **extra}
    return client.post(path, data=form, headers={"X-Twilio-Signature": sign(path, form)})


def test_status_callback_never_moves_backwards(client, factory, settings) -> None:
    _sent_part(factory, settings)
    for status in ("delivered", "sent", "queued"):
        assert _status(client, "SMout1", status).status_code == 200
    with factory() as session:
        assert session.scalar(select(Message).where(Message.provider_id == "SMout1")).delivery_status == DeliveryStatus.delivered
    unsigned = client.post("/webhooks/twilio/status", data={"MessageSid": "SMout1", "MessageStatus": "read"})
    assert unsigned.status_code == 403


@pytest.mark.parametrize("status", ["failed", "undelivered", "canceled"])
def test_a_failure_callback_fails_the_message_and_flags_the_ticket(client, factory, settings, status) -> None:
    from store.models import Ticket

    _sent_part(factory, settings)
    assert _status(client, "SMout1", status, ErrorCode="63016").status_code == 200
    with factory() as session:
        message = session.scalar(select(Message).where(Message.provider_id == "SMout1"))
        assert message.delivery_status == DeliveryStatus.failed and message.error_code == "63016"
        assert session.scalar(select(Ticket)).flagged


def test_a_callback_before_the_sid_is_stored_is_kept_and_applied(client, factory, settings) -> None:
    from store.models import StatusEvent

    assert _status(client, "SMearly", "delivered").status_code == 200  # no message has this SID yet
    with factory() as session:
        assert session.scalar(select(func.count()).select_from(StatusEvent)) == 1
    _sent_part(factory, settings, sid="SMearly")
    with factory() as session:
        assert session.scalar(select(Message).where(Message.provider_id == "SMearly")).delivery_status == DeliveryStatus.delivered
        assert session.scalar(select(func.count()).select_from(StatusEvent)) == 0


def test_a_callback_naming_its_part_links_the_sid(client, factory, settings) -> None:
    from store.models import OutboxPart

    _, part_id = _sent_part(factory, settings, sid="SMlater")
    with factory() as session, session.begin():
        session.get(OutboxPart, part_id).provider_id = None  # as if the send's answer was lost
    assert _status(client, "SMlater", "sent", ref=part_id).status_code == 200
    with factory() as session:
        assert session.get(OutboxPart, part_id).provider_id == "SMlater"


def test_email_webhook_requires_token_and_stores_raw_mime(client, factory, queued) -> None:
    raw = (
        b"From: Amina <amina@example.org>\r\nTo: care@intake.localhost\r\nSubject: My father\r\n"
        b"Message-ID: <m1@example.org>\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n"
        b"My father has lymphoma.\r\n"
    )
    assert client.post("/webhooks/email/inbound", data=raw).status_code == 403
    assert _count(factory) == 0
    auth = {"Authorization": "Bearer test-mail-token", "Content-Type": "message/rfc822"}
    resp = client.post("/webhooks/email/inbound", data=raw, headers=auth)
    assert resp.status_code == 202
    again = client.post("/webhooks/email/inbound", data=raw, headers=auth)
    assert again.get_json()["duplicate"] is True
    with factory() as session:
        msg = session.scalar(select(Message))
        assert msg.channel == "email" and "lymphoma" in msg.body
        assert msg.conversation.contact.email == "amina@example.org"
    assert len(queued.calls) == 1
    assert client.post("/webhooks/email/inbound", data=b"", headers=auth).status_code == 400


def test_email_auto_reply_is_stored_but_never_answered(client, factory, queued) -> None:
    raw = (
        b"From: bob@example.org\r\nSubject: Out of office\r\nAuto-Submitted: auto-replied\r\n"
        b"Message-ID: <ooo@example.org>\r\n\r\nI am away.\r\n"
    )
    resp = client.post("/webhooks/email/inbound", data=raw, headers={"Authorization": "Bearer test-mail-token"})
    assert resp.status_code == 202
    with factory() as session:
        assert session.scalar(select(Message)).inbound_status == InboundStatus.ignored
    assert queued.calls == []


def test_case_api_requires_bearer_token(client) -> None:
    assert client.get("/api/cases/C-000001").status_code == 401
    assert client.get("/api/cases/C-000001", headers={"Authorization": "Bearer nope"}).status_code == 401
    resp = client.get("/api/cases/C-404", headers={"Authorization": "Bearer test-api-token"})
    assert resp.status_code == 404


@pytest.fixture
def sim_client(settings, queued):  # type: ignore[no-untyped-def]
    settings["simulator"] = {"enabled": True}
    return create_app(settings, enqueue=queued).test_client()


def test_simulator_rejects_bad_json(sim_client, factory) -> None:
    client = sim_client
    assert client.post("/simulator/api/messages", data="not json", content_type="application/json").status_code == 400
    assert client.post("/simulator/api/messages", json={"from": "sim-1"}).status_code == 400
    assert _count(factory) == 0
    assert client.get("/simulator/api/messages?from=sim-1&after=x").status_code == 400
    assert client.get("/simulator/api/messages?from=sim-1&after=" + "9" * 40).status_code == 400
    assert client.get("/simulator/api/messages?from=sim-1&after=٣").status_code == 400
    page = client.get("/simulator/")
    assert page.status_code == 200 and b"simulator" in page.data
    assert client.get("/simulator/static/simulator.js").status_code == 200


def test_simulator_is_off_when_twilio_is_configured(client) -> None:
    assert client.get("/simulator/").status_code == 404
    assert client.post("/simulator/api/messages", json={"from": "sim-1", "id": "x", "text": "hi"}).status_code == 404


def test_pages_carry_security_headers(sim_client) -> None:
    resp = sim_client.get("/simulator/")
    csp = resp.headers["Content-Security-Policy"]
    assert "default-src 'self'" in csp and "unsafe-inline" not in csp
    assert resp.headers["X-Frame-Options"] == "DENY"
    assert resp.headers["X-Content-Type-Options"] == "nosniff"
    assert resp.headers["Referrer-Policy"] == "no-referrer"


def test_health_is_alive_and_readiness_names_what_is_down(client) -> None:
    assert client.get("/healthz").get_json() == {"status": "ok"}
    ready = client.get("/readyz")
    body = ready.get_json()
    assert body["checks"]["database"] is True and body["checks"]["queue"] is True
    if not all(body["checks"].values()):
        assert ready.status_code == 503 and body["status"] == "not ready"


def test_oversized_request_is_refused_with_a_clear_413(client, factory) -> None:
    form = twilio_form("SM" + "9" * 32, body="x" * 1_100_000)
    resp = client.post(WHATSAPP_PATH, data=form, headers={"X-Twilio-Signature": sign(WHATSAPP_PATH, form)})
    assert resp.status_code == 413
    assert resp.get_json()["error"] == "Request Entity Too Large"
    assert _count(factory) == 0


def test_script_and_control_characters_are_kept_as_text(client, factory) -> None:
    body = "<script>alert(1)</script> مرحبا 🙏\u0000 end"
    resp = post_signed(client, twilio_form("SM" + "8" * 32, body=body))
    assert resp.status_code == 200
    with factory() as session:
        stored = session.scalar(select(Message)).body
    assert "<script>alert(1)</script>" in stored and "🙏" in stored and "\u0000" not in stored


def test_email_attachment_is_kept_on_disk_with_a_safe_name(client, factory, settings) -> None:
    raw = (
        b"From: amina@example.org\r\nSubject: report\r\nMessage-ID: <att@example.org>\r\nMIME-Version: 1.0\r\n"
        b'Content-Type: multipart/mixed; boundary="b"\r\n\r\n--b\r\nContent-Type: text/plain\r\n\r\nHere is the report.\r\n'
        b'--b\r\nContent-Type: application/pdf\r\nContent-Disposition: attachment; filename="../../biopsy report.pdf"\r\n'
        b"Content-Transfer-Encoding: base64\r\n\r\nJVBERi0xLjQK\r\n--b--\r\n"
    )
    resp = client.post("/webhooks/email/inbound", data=raw, headers={"Authorization": "Bearer test-mail-token"})
    assert resp.status_code == 202
    with factory() as session:
        [attachment] = session.scalar(select(Message)).attachments
    assert attachment["kind"] == "pathology_report"
    assert ".." not in attachment["path"] and attachment["path"].endswith("biopsy_report.pdf")
    stored = settings.data_dir / "records" / attachment["path"]
    assert stored.read_bytes() == b"%PDF-1.4\n"


def _mail_with_attachment(message_id: str, size: int) -> bytes:
    from email.message import EmailMessage

    mail = EmailMessage()
    mail["From"], mail["To"], mail["Subject"], mail["Message-ID"] = "amina@example.org", "care@intake.localhost", "scan", message_id
    mail.set_content("My father has lung cancer, here is his CT scan.")
    mail.add_attachment(b"\x00\x01" * (size // 2), maintype="application", subtype="dicom", filename="ct.dcm")
    return mail.as_bytes()


def test_an_8_mb_email_attachment_is_stored(client, factory, settings) -> None:
    raw = _mail_with_attachment("<big8@example.org>", 8_000_000)
    resp = client.post("/webhooks/email/inbound", data=raw, headers={"Authorization": "Bearer test-mail-token"})
    assert resp.status_code == 202
    with factory() as session:
        message = session.scalar(select(Message))
        [attachment] = message.attachments
        assert message.notices == []
    assert (settings.data_dir / "records" / attachment["path"]).stat().st_size == 8_000_000


def test_an_email_over_the_limit_keeps_its_text_and_asks_for_smaller_files(client, factory, settings) -> None:
    raw = _mail_with_attachment("<big60@example.org>", 60_000_000)
    resp = client.post("/webhooks/email/inbound", data=raw, headers={"Authorization": "Bearer test-mail-token"})
    assert resp.status_code == 202
    with factory() as session:
        message = session.scalar(select(Message))
        assert "lung cancer" in message.body and message.attachments == []
        assert message.notices == ["email_too_large"]
