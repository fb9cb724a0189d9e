"""An e-mail conversation on real components: raw MIME webhook -> Rasa -> one threaded
reply over SMTP (real local server) -> YES by e-mail -> consent given; case API valid."""
from __future__ import annotations

import json

import jsonschema
import pytest
from huey import MemoryHuey

from bot.app import create_app
from bot.dialogue import RasaClient
from bot.senders import sender_factory
from bot.worker import Worker
from tests.conftest import REPO

pytestmark = pytest.mark.rasa
AUTH = {"Authorization": "Bearer test-mail-token", "Content-Type": "message/rfc822"}

FIRST = """From: Yaw Boateng <yaw.b@example.com>
To: care@intake.localhost
Subject: Enquiry for my father
Message-ID: <first@example.com>
Content-Type: text/plain; charset=utf-8

Dear team, my father is 61 and lives in Kumasi, Ghana. He has diffuse large B-cell
lymphoma. He had R-CHOP and then R-GemOx as second line, and now it has relapsed again.
We do not know which service fits, please recommend one.
Yaw
"""

SECOND = """From: Yaw Boateng <yaw.b@example.com>
To: care@intake.localhost
Subject: Re: Enquiry for my father
Message-ID: <second@example.com>
In-Reply-To: {reply_id}
References: <first@example.com> {reply_id}
Content-Type: text/plain; charset=utf-8

YES, I agree to share my father's records with your specialists.

On Friday, Intake wrote:
> Thank you for writing to us.
"""


def test_email_intake_reply_threading_and_late_consent(rasa_servers, settings, mail_sink) -> None:
    settings["smtp"].update({"host": "127.0.0.1", "port": mail_sink.port})
    worker = Worker(settings, huey=MemoryHuey("mail", immediate=True),
                    dialogue=RasaClient(rasa_servers.get_path("rasa.url")), sender_for=sender_factory(settings))
    client = create_app(settings, enqueue=worker.enqueue).test_client()
    assert client.post("/webhooks/email/inbound", data=FIRST.encode(), headers=AUTH).status_code == 202
    assert len(mail_sink.messages) == 2  # the patient's one complete reply + the coordinators' notification
    reply = next(m for m in mail_sink.messages if m["To"] == "yaw.b@example.com")
    notice = next(m for m in mail_sink.messages if m["To"] != "yaw.b@example.com")
    text = reply.get_body(("plain",)).get_content()
    assert reply["In-Reply-To"] == "<first@example.com>"
    assert reply["Subject"].startswith("Re:")
    assert reply["Auto-Submitted"] == "auto-replied"
    assert "YES" in text and "indicative" in text.lower()
    assert "HIGH" in notice["Subject"]

    second = SECOND.format(reply_id=reply["Message-ID"])
    assert client.post("/webhooks/email/inbound", data=second.encode(), headers=AUTH).status_code == 202
    case = client.get("/api/cases/C-000001", headers={"Authorization": "Bearer test-api-token"}).get_json()
    schema = json.loads((REPO / "bot" / "contract" / "case.schema.json").read_text())
    jsonschema.validate(case, schema)
    assert case["channel"] == "email"
    assert case["consent"] == "given"
    assert case["diagnosis"]["cancer_type"] == "large_b_cell_lymphoma"
    assert case["recommendation"]["primary"] == "car_t_eligibility"
    assert case["ticket"]["priority"] == "high"
    assert case["contact"]["email"] == "yaw.b@example.com"


def test_an_email_over_the_size_limit_is_answered_with_its_text_kept(rasa_servers, settings, mail_sink) -> None:
    """A 60 MB scan: the text is read and answered, and the reply says how to send large files."""
    from email.message import EmailMessage

    settings["smtp"].update({"host": "127.0.0.1", "port": mail_sink.port})
    worker = Worker(settings, huey=MemoryHuey("big-mail", immediate=True),
                    dialogue=RasaClient(rasa_servers.get_path("rasa.url")), sender_for=sender_factory(settings))
    client = create_app(settings, enqueue=worker.enqueue).test_client()
    mail = EmailMessage()
    mail["From"], mail["To"], mail["Subject"] = "Amina <amina@example.org>", "care@intake.localhost", "CT scan"
    mail["Message-ID"] = "<scan60@example.org>"
    mail.set_content("My mother has breast cancer and lives in Nairobi, Kenya. She had surgery. Here is her CT scan.")
    mail.add_attachment(b"\x00" * 60_000_000, maintype="application", subtype="dicom", filename="ct.dcm")
    resp = client.post("/webhooks/email/inbound", data=mail.as_bytes(), headers=AUTH)
    assert resp.status_code == 202
    [reply] = mail_sink.messages
    text = reply.get_body(("plain",)).get_content()
    assert "larger than we can receive" in text and "smaller e-mails" in text
    case = client.get("/api/cases/C-000001", headers={"Authorization": "Bearer test-api-token"}).get_json()
    assert case["diagnosis"]["cancer_type"] == "breast" and case["records"]["received"] == []
