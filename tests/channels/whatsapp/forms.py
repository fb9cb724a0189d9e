"""Twilio forms shared by the WhatsApp adapter tests: account constants, an
inbound-message form, and the signature Twilio would put on it."""

from __future__ import annotations

import base64
import hashlib
import hmac

AUTH_TOKEN = "12345678901234567890123456789012"
ACCOUNT_SID = "AC" + "a" * 32
MEDIA_URL = f"https://api.twilio.com/2010-04-01/Accounts/{ACCOUNT_SID}/Messages/MM{'b' * 32}/Media/ME{'c' * 32}"


def twilio_signature(url: str, params: dict[str, str], token: str = AUTH_TOKEN) -> str:
    """Twilio's algorithm, written out independently: HMAC-SHA1 over the URL
    followed by every POST parameter name and value, sorted by name."""
    payload = url + "".join(k + params[k] for k in sorted(params))
    return base64.b64encode(hmac.new(token.encode(), payload.encode(), hashlib.sha1).digest()).decode()


def inbound(**fields: str) -> dict[str, str]:
    form = {
        "MessageSid": "SM" + "1" * 32,
        "AccountSid": ACCOUNT_SID,
        "From": "whatsapp:+254711000101",
        "To": "whatsapp:+14155238886",
        "Body": "Hello",
        "NumMedia": "0",
        "ProfileName": "Wanjiru K",
        "WaId": "254711000101",
        "ApiVersion": "2010-04-01",
    }
    form.update(fields)
    return {k: v for k, v in form.items() if v is not None}
