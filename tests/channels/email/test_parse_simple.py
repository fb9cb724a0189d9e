"""channels/email/parse.py: the simple format (replays and simple webhooks)."""

from __future__ import annotations

import pytest

from channels.base import Attachment, InvalidPayload
from channels.email.parse import parse_simple


class TestParseSimple:
    def test_replay_event(self):
        msg = parse_simple("Yaw.B@Example.com", "Enquiry", "Dear team,\n\nMy father...")
        assert msg.channel == "email"
        assert msg.sender == "yaw.b@example.com"
        assert msg.subject == "Enquiry"
        assert msg.text == "Dear team,\n\nMy father..."
        assert msg.thread_key == msg.provider_id
        assert msg.extra["message_id_derived"] is True

    def test_derived_id_is_stable_and_content_dependent(self):
        a = parse_simple("a@example.org", "s", "body")
        assert a.provider_id == parse_simple("a@example.org", "s", "body").provider_id
        assert a.provider_id != parse_simple("a@example.org", "s", "body 2").provider_id

    def test_display_name_and_message_id(self):
        msg = parse_simple("Nadim H <nadim.h@example.com>", None, "hi", message_id="abc@example.com")
        assert msg.profile_name == "Nadim H"
        assert msg.provider_id == "<abc@example.com>"
        assert msg.subject is None

    def test_threading_fields(self):
        msg = parse_simple("a@example.org", "Re: x", "ok", "<c@x>", in_reply_to="<b@x>", references=["<a@x>", "<b@x>"])
        assert msg.thread_key == "<a@x>" and msg.in_reply_to == "<b@x>"

    def test_attachments_from_mappings_and_objects(self):
        msg = parse_simple(
            "a@example.org",
            "s",
            "",
            attachments=[
                {"content_type": "application/pdf", "filename": "scan.pdf", "data": b"%PDF"},
                Attachment(url=None, content_type="image/png", filename="x.png", size=3, data=b"abc"),
            ],
        )
        assert msg.text == ""
        assert msg.attachments[0] == Attachment(url=None, content_type="application/pdf", filename="scan.pdf", size=4, data=b"%PDF")
        assert msg.attachments[1].filename == "x.png"

    @pytest.mark.parametrize("sender", ["", "not an address", "a@", "@b.org"])
    def test_bad_sender_is_invalid(self, sender):
        with pytest.raises(InvalidPayload, match="e-mail address"):
            parse_simple(sender, "s", "body")

    def test_quoted_text_is_removed_like_raw_mail(self):
        msg = parse_simple("a@example.org", "Re: s", "Yes.\n\nOn Mon, 3 Mar 2025, X <x@y.org> wrote:\n> question")
        assert msg.text == "Yes."


def test_forwarded_letter_is_read_not_cut_as_a_quote():
    """Regression: a first e-mail forwarding the doctor's summary lost the summary and the patient's words after it."""
    body = (
        "Please see my father's summary below, we are not sure which service he needs.\n\n"
        "---------- Forwarded message ---------\nFrom: Dr Mensah <dr@hospital.example>\nDate: Mon, 3 Nov 2026\n"
        "Subject: Summary\n\nDiagnosis: DLBCL, relapsed after R-CHOP and R-ICE.\n\nThanks, Kofi"
    )
    msg = parse_simple("kofi@example.org", "Fwd: Summary", body)
    assert "relapsed after R-CHOP" in msg.text and "Thanks, Kofi" in msg.text
    reply = parse_simple("kofi@example.org", "Re: your questions", "Yes.\n\nOn Mon, 3 Nov 2026, CancerFax <care@x.org> wrote:\n> What stage?")
    assert reply.text == "Yes."
