"""`intake replay` input handling: raw RFC 822 files, media, and bad lines that do not stop the run."""
from __future__ import annotations

import io
import json

import pytest

from bot.replay import run_replay

pytestmark = pytest.mark.rasa

RAW = """From: Nadim H <nadim.h@example.com>
To: care@intake.localhost
Subject: Remote second opinion please
Message-ID: <raw-1@example.com>
MIME-Version: 1.0
Content-Type: multipart/mixed; boundary="b1"

--b1
Content-Type: text/plain; charset=utf-8

I am 57, I live in Beirut, Lebanon, and I have intrahepatic cholangiocarcinoma.
I am on gemcitabine and cisplatin. I want a remote second opinion only.
--b1
Content-Type: application/pdf
Content-Disposition: attachment; filename="pathology_report.pdf"
Content-Transfer-Encoding: base64

JVBERi0xLjQKJcfsj6IKMSAwIG9iago8PD4+CmVuZG9iagp0cmFpbGVyCjw8Pj4KJSVFT0YK
--b1--
"""


def test_replay_raw_mail_media_and_bad_lines(rasa_servers, tmp_path) -> None:
    (tmp_path / "mail").mkdir()
    (tmp_path / "mail" / "inquiry.eml").write_text(RAW, encoding="utf-8")
    lines = [
        json.dumps({"id": "raw", "events": [{"channel": "email", "raw": "mail/inquiry.eml"}]}),
        "{not json",
        json.dumps({"id": "nochannel", "events": [{"channel": "fax", "body": "hi"}]}),
        json.dumps({"id": "media", "events": [
            {"channel": "whatsapp", "from": "whatsapp:+8801711000999", "body": "",
             "media": [{"content_type": "application/pdf", "filename": "histopathology.pdf"}]}]}),
    ]
    path = tmp_path / "conversations.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    out = io.StringIO()
    failures = run_replay(path, as_json=True, out=out)
    results = [json.loads(line) for line in out.getvalue().splitlines()]
    assert failures == 2
    assert [r.get("id") for r in results] == ["raw", None, None, "media"]
    raw = results[0]
    assert raw["case"]["channel"] == "email"
    assert raw["case"]["diagnosis"]["cancer_type"] == "cholangiocarcinoma"
    assert raw["case"]["request"]["service"] == "remote_second_opinion"
    assert raw["case"]["records"]["received"][0]["kind"] == "pathology_report"
    assert raw["replies"] and "indicative" in raw["replies"][0].lower()
    assert "not valid JSON" in results[1]["error"] or "Expecting" in results[1]["error"]
    assert "fax" in results[2]["error"]
    media = results[3]
    assert media["replies"]
    assert media["case"]["records"]["received"][0]["content_type"] == "application/pdf"
