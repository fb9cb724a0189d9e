"""channels/whatsapp/signature.py: X-Twilio-Signature and the public URL behind a proxy."""

from __future__ import annotations

import pytest
from werkzeug.datastructures import MultiDict

from channels.whatsapp.signature import public_url, verify_signature
from tests.channels.whatsapp.forms import AUTH_TOKEN, inbound, twilio_signature


class TestSignature:
    URL = "https://intake.example.org/webhooks/twilio"

    def test_valid_signature_is_accepted(self):
        form = inbound()
        assert verify_signature(self.URL, form, twilio_signature(self.URL, form), AUTH_TOKEN) is True

    def test_tampered_body_is_rejected(self):
        form = inbound()
        signature = twilio_signature(self.URL, form)
        form["Body"] = "Hello, changed in transit"
        assert verify_signature(self.URL, form, signature, AUTH_TOKEN) is False

    def test_wrong_token_is_rejected(self):
        form = inbound()
        signature = twilio_signature(self.URL, form, token="another-token")
        assert verify_signature(self.URL, form, signature, AUTH_TOKEN) is False

    @pytest.mark.parametrize("signature", [None, ""])
    def test_missing_signature_is_rejected(self, signature):
        assert verify_signature(self.URL, inbound(), signature, AUTH_TOKEN) is False

    def test_empty_auth_token_never_validates(self):
        form = inbound()
        assert verify_signature(self.URL, form, twilio_signature(self.URL, form, token=""), "") is False

    def test_flask_multidict_form_is_accepted(self):
        form = inbound(Body="Habari 👋")
        signature = twilio_signature(self.URL, form)
        assert verify_signature(self.URL, MultiDict(list(form.items())), signature, AUTH_TOKEN) is True

    def test_behind_a_proxy_the_configured_public_url_validates(self):
        # Twilio signed the public URL; the app behind the proxy sees a local one.
        signed = "https://intake.example.org/intake/webhooks/twilio?channel=wa"
        form = inbound()
        signature = twilio_signature(signed, form)
        local = "http://127.0.0.1:8000/webhooks/twilio?channel=wa"
        assert verify_signature(local, form, signature, AUTH_TOKEN) is False
        rebuilt = public_url("https://intake.example.org/intake/", "/webhooks/twilio", b"channel=wa")
        assert rebuilt == signed
        assert verify_signature(rebuilt, form, signature, AUTH_TOKEN) is True

    @pytest.mark.parametrize(
        "base, path, query, expected",
        [
            ("https://x.org", "/hook", "", "https://x.org/hook"),
            ("https://x.org/", "hook", "", "https://x.org/hook"),
            ("https://x.org/app/", "/hook", "?a=1&b=2", "https://x.org/app/hook?a=1&b=2"),
            ("https://x.org", "/hook", b"a=%20x", "https://x.org/hook?a=%20x"),
        ],
    )
    def test_public_url_joins_without_double_or_missing_slashes(self, base, path, query, expected):
        assert public_url(base, path, query) == expected
