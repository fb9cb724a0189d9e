"""The Flask extensions, created once here and bound to an app by `init_app`.

Security headers (Talisman), console sessions (Flask-Login), CSRF on every form
(Flask-WTF) and rate limits (Flask-Limiter, on Redis when configured so that every
gateway process shares the count; in memory, per process, while Redis is down).
Behind reverse proxies (`server.trusted_proxies`) the client's address, scheme and
host come from their X-Forwarded-* headers (werkzeug's ProxyFix).
"""
from __future__ import annotations

import ipaddress
import logging
from typing import Any
from urllib.parse import urlsplit

from flask import Flask, current_app
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_talisman import Talisman
from flask_wtf.csrf import CSRFProtect
from werkzeug.middleware.proxy_fix import ProxyFix

from store.config import Settings

log = logging.getLogger(__name__)

# Everything the pages load comes from the app itself: no inline script, no CDN.
CSP = {
    "default-src": "'self'",
    "img-src": "'self' data:",
    "object-src": "'none'",
    "base-uri": "'none'",
    "frame-ancestors": "'none'",
    "form-action": "'self'",
}

talisman = Talisman()
login_manager = LoginManager()
csrf = CSRFProtect()
# Redis down: the limits are counted in this process's memory until it is back (the
# login limit still holds, per process) instead of every limited page answering 500.
limiter = Limiter(key_func=get_remote_address, default_limits=[], headers_enabled=True,
                  in_memory_fallback_enabled=True)


def _loopback_http(public_base_url: str) -> bool:
    """Plain http to this machine (127.0.0.0/8, ::1, localhost): local development."""
    parts = urlsplit(public_base_url)
    if parts.scheme.lower() != "http":
        return False
    host = (parts.hostname or "").rstrip(".").lower()
    if host == "localhost":
        return True
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return False
    mapped = getattr(address, "ipv4_mapped", None)
    return bool(address.is_loopback or (mapped is not None and mapped.is_loopback))


def trusted_proxies(settings: Settings) -> int:
    """How many reverse proxies in front of the gateway set X-Forwarded-For/-Proto/-Host."""
    value = settings.get_path("server.trusted_proxies", 0)
    if value is None:
        return 0
    if isinstance(value, bool) or not isinstance(value, (int, str)) or not str(value).strip().isdigit():
        raise ValueError(f"server.trusted_proxies (TRUSTED_PROXIES) must be a whole number >= 0, not {value!r}")
    return int(value)


def init_app(app: Flask, settings: Settings) -> None:
    public_base_url = str(settings.get_path("server.public_base_url", "") or "")
    https = public_base_url.lower().startswith("https://")
    # Secure cookies everywhere but plain http on a loopback host, where browsers would
    # not reliably send a Secure cookie back (local development).
    secure = not _loopback_http(public_base_url)
    if secure and not https:
        log.warning(
            "server.public_base_url %r is not https: the session cookies are Secure, so the "
            "console will not sign in over plain http there (serve it over https)", public_base_url)
    # Set, not setdefault: Flask's defaults already hold SESSION_COOKIE_SECURE (False)
    # and SESSION_COOKIE_SAMESITE (None), so a setdefault would never take.
    app.config.update(
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=secure,
        REMEMBER_COOKIE_HTTPONLY=True,
        REMEMBER_COOKIE_SAMESITE="Lax",
        REMEMBER_COOKIE_SECURE=secure,
    )
    app.config.setdefault("WTF_CSRF_TIME_LIMIT", None)  # valid for the session's life
    # Flask-WTF's extra Referer check on https requests cannot pass: every page is served
    # with Referrer-Policy: no-referrer, so browsers send no Referer with the forms. The
    # CSRF token (and SameSite=Lax cookies) still guard every form.
    app.config.setdefault("WTF_CSRF_SSL_STRICT", False)
    app.config.setdefault("RATELIMIT_STORAGE_URI", settings.get("redis_url") or "memory://")
    app.config.setdefault("RATELIMIT_KEY_PREFIX", "intake-limits")
    proxies = trusted_proxies(settings)
    if proxies:
        # The limiter's client address (request.remote_addr), the scheme and the host come
        # from the proxies' X-Forwarded-* headers, trusting only the last `proxies` hops.
        # Twilio's signature is checked against server.public_base_url plus the path and
        # query, which ProxyFix leaves alone (no X-Forwarded-Prefix/-Port).
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies, x_host=proxies,  # type: ignore[method-assign]
                                x_port=0, x_prefix=0)
    talisman.init_app(
        app,
        force_https=False,  # TLS ends at the proxy; Twilio signs the public URL
        strict_transport_security=https,
        session_cookie_secure=secure,
        session_cookie_http_only=True,
        session_cookie_samesite="Lax",
        content_security_policy=CSP,
        referrer_policy="no-referrer",
        frame_options="DENY",
    )
    login_manager.init_app(app)
    login_manager.login_view = "console.login"
    login_manager.session_protection = "strong"
    csrf.init_app(app)
    limiter.init_app(app)


def intake(app: Flask | None = None) -> dict[str, Any]:
    """The app's services (settings, session factory, enqueue, deliver), set by create_app."""
    return (app or current_app).extensions["intake"]
