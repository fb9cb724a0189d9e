"""channels/whatsapp/sender.py: sending through a recording Twilio HTTP client."""

from __future__ import annotations

import json
from urllib.parse import parse_qs

import pytest
import requests

from channels.base import OutboundMessage, PermanentSendError, Sender, TransientSendError
from channels.whatsapp.sender import WhatsAppSender
from tests.channels.channel_fakes import RecordingTwilioHttpClient, twilio_error
from tests.channels.whatsapp.forms import ACCOUNT_SID, AUTH_TOKEN

MESSAGES_URL = f"https://api.twilio.com/2010-04-01/Accounts/{ACCOUNT_SID}/Messages.json"


def make_sender(http: RecordingTwilioHttpClient, **kwargs) -> WhatsAppSender:
    return WhatsAppSender(ACCOUNT_SID, AUTH_TOKEN, "+14155238886", http_client=http, **kwargs)


def out(text: str = "Thank you, a coordinator will contact you.", to: str = "+254711000101") -> OutboundMessage:
    return OutboundMessage(channel="whatsapp", to=to, text=text)


class TestWhatsAppSender:
    def test_is_a_sender(self, twilio_http):
        assert isinstance(make_sender(twilio_http), Sender)

    def test_posts_exactly_what_twilio_expects(self, twilio_http):
        sender = make_sender(twilio_http, status_callback="https://intake.example.org/webhooks/twilio/status")
        result = sender.send(out("Karibu! 🙏"))
        assert len(twilio_http.requests) == 1
        request = twilio_http.requests[0]
        assert request.method == "POST"
        assert request.uri == MESSAGES_URL
        assert request.auth == (ACCOUNT_SID, AUTH_TOKEN)
        assert request.data == {
            "To": "whatsapp:+254711000101",
            "From": "whatsapp:+14155238886",
            "Body": "Karibu! 🙏",
            "StatusCallback": "https://intake.example.org/webhooks/twilio/status",
        }
        assert result.provider_id == "SM" + f"{1:032x}"
        assert result.status == "queued"

    def test_an_approved_template_goes_out_as_content_sid_and_variables_without_a_body(self, twilio_http):
        # Outside the 24-hour window only an approved template may be sent (Twilio error 63016).
        template = OutboundMessage(
            channel="whatsapp",
            to="+254711000101",
            text="Hello أمينة, about your case C-000001.",
            content_sid="HX" + "d" * 32,
            content_variables={"1": "أمينة", "2": "C-000001"},
        )
        result = make_sender(twilio_http).send(template)
        assert len(twilio_http.requests) == 1
        data = twilio_http.requests[0].data
        assert data == {
            "To": "whatsapp:+254711000101",
            "From": "whatsapp:+14155238886",
            "ContentSid": "HX" + "d" * 32,
            "ContentVariables": '{"1": "أمينة", "2": "C-000001"}',
        }
        assert "Body" not in data
        assert json.loads(data["ContentVariables"]) == {"1": "أمينة", "2": "C-000001"}
        assert result.provider_id == "SM" + f"{1:032x}"

    def test_no_status_callback_parameter_when_not_configured(self, twilio_http):
        make_sender(twilio_http).send(out())
        assert "StatusCallback" not in twilio_http.requests[0].data

    def test_recipient_with_whatsapp_prefix_or_spaces_is_normalised(self, twilio_http):
        make_sender(twilio_http).send(out(to="whatsapp:+254 711 000 101"))
        assert twilio_http.requests[0].data["To"] == "whatsapp:+254711000101"

    def test_long_text_is_split_into_parts_each_sent_as_one_message(self, twilio_http):
        text = "This is one sentence of a long estimate. " * 100  # about 4100 chars
        sender = make_sender(twilio_http)
        parts = sender.split(text)
        assert len(parts) == 3 and all(len(p) <= 1600 for p in parts)
        ids = [sender.send(out(part)).provider_id for part in parts]
        assert [r.data["Body"] for r in twilio_http.requests] == parts
        assert " ".join(parts).split() == text.split()
        assert ids == ["SM" + f"{i:032x}" for i in (1, 2, 3)]

    def test_a_text_over_the_limit_is_refused_unsplit(self, twilio_http):
        with pytest.raises(ValueError, match="split"):
            make_sender(twilio_http).send(out("x" * 1601))
        assert twilio_http.requests == []

    def test_reference_goes_into_the_status_callback_url(self, twilio_http):
        sender = make_sender(twilio_http, status_callback="https://intake.example.org/webhooks/twilio/status")
        sender.send(OutboundMessage(channel="whatsapp", to="+254711000101", text="hi", reference="42"))
        assert twilio_http.requests[0].data["StatusCallback"] == "https://intake.example.org/webhooks/twilio/status?ref=42"

    def test_empty_text_is_refused_before_calling_twilio(self, twilio_http):
        with pytest.raises(ValueError):
            make_sender(twilio_http).send(out("   "))
        assert twilio_http.requests == []

    def test_other_channel_is_refused(self, twilio_http):
        with pytest.raises(ValueError):
            make_sender(twilio_http).send(OutboundMessage(channel="email", to="a@b.org", text="hi"))

    @pytest.mark.parametrize("status, code", [(429, 20429), (500, 20500), (503, 20503)])
    def test_throttling_and_server_errors_are_transient(self, status, code):
        http = RecordingTwilioHttpClient([twilio_error(status, code)])
        with pytest.raises(TransientSendError) as info:
            make_sender(http).send(out())
        assert info.value.code == code

    @pytest.mark.parametrize(
        "status, code",
        [
            (400, 63016),  # outside the 24-hour window
            (400, 21610),  # recipient opted out (STOP)
            (400, 21211),  # invalid "To" number
            (400, 21606),  # any other 4xx
            (401, 20003),  # authentication
        ],
    )
    def test_client_errors_are_permanent_with_twilio_code(self, status, code):
        http = RecordingTwilioHttpClient([twilio_error(status, code)])
        with pytest.raises(PermanentSendError) as info:
            make_sender(http).send(out())
        assert info.value.code == code

    def test_permanent_code_wins_even_on_a_5xx(self):
        http = RecordingTwilioHttpClient([twilio_error(503, 63016)])
        with pytest.raises(PermanentSendError) as info:
            make_sender(http).send(out())
        assert info.value.code == 63016

    @pytest.mark.parametrize(
        "error, maybe_sent",
        [
            (requests.exceptions.ConnectTimeout("no route"), False),
            (requests.exceptions.ConnectionError("NewConnectionError: Connection refused"), False),
            (requests.exceptions.ReadTimeout("slow"), True),
            (ConnectionResetError(), True),
        ],
    )
    def test_network_errors_are_transient_and_say_whether_twilio_may_have_it(self, error, maybe_sent):
        http = RecordingTwilioHttpClient([error])
        with pytest.raises(TransientSendError) as info:
            make_sender(http).send(out())
        assert info.value.maybe_sent is maybe_sent

    def test_twilio_refusals_are_certainly_not_sent(self):
        http = RecordingTwilioHttpClient([twilio_error(503, 20503)])
        with pytest.raises(TransientSendError) as info:
            make_sender(http).send(out())
        assert not info.value.maybe_sent

    def test_form_body_twilio_would_receive_is_urlencoded_utf8(self, twilio_http):
        # The real HTTP client url-encodes `data`; check the values survive that.
        from urllib.parse import urlencode

        make_sender(twilio_http).send(out("مرحبا 👋 <b>"))
        encoded = urlencode(twilio_http.requests[0].data)
        assert parse_qs(encoded)["Body"] == ["مرحبا 👋 <b>"]
