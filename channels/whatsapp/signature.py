"""Twilio's webhook signature: which URL Twilio signed (behind a proxy) and
whether the X-Twilio-Signature header matches it. Checked before anything of
a request is read, so a forged post never reaches the parser.
"""

from __future__ import annotations

from collections.abc import Mapping

from twilio.request_validator import RequestValidator


def public_url(base_url: str, path: str, query: str | bytes = "") -> str:
    """Rebuild the URL Twilio signed from the configured public base URL.

    Behind a reverse proxy Flask sees "http://127.0.0.1:8000/..." while Twilio
    signed "https://intake.example.org/...". `base_url` is the public origin
    plus any mount prefix ("https://example.org/intake"); `path` is the path
    within the app (Flask's `request.path`); `query` is the raw query string
    (`request.query_string`), kept byte-for-byte because Twilio signs it as sent.
    """
    if isinstance(query, bytes):
        query = query.decode("latin-1")
    query = query.lstrip("?")
    url = base_url.rstrip("/") + "/" + path.lstrip("/")
    return f"{url}?{query}" if query else url


def verify_signature(url: str, params: Mapping[str, str], signature: str | None, auth_token: str) -> bool:
    """True when `signature` (the X-Twilio-Signature header) matches.

    Args:
        url: the full public URL Twilio posted to (see `public_url`).
        params: the POSTed form (a dict or Flask's MultiDict).
        signature: header value; missing or empty is never valid.
        auth_token: the account's auth token; empty is never valid.
    """
    if not signature or not auth_token:
        return False
    return bool(RequestValidator(auth_token).validate(url, params, signature))
