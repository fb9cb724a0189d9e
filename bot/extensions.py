"""The Flask extensions, created once here and bound to an app by `init_app`.

Security headers (Talisman), console sessions (Flask-Login), CSRF on every form
(Flask-WTF) and rate limits (Flask-Limiter, on Redis when configured so that every
gateway process shares the count).
"""
from __future__ import annotations

from typing import Any

from flask import Flask, current_app
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_talisman import Talisman
from flask_wtf.csrf import CSRFProtect

from store.config import Settings

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
limiter = Limiter(key_func=get_remote_address, default_limits=[], headers_enabled=True)


def init_app(app: Flask, settings: Settings) -> None:
    https = str(settings.get_path("server.public_base_url", "")).startswith("https://")
    app.config.setdefault("SESSION_COOKIE_HTTPONLY", True)
    app.config.setdefault("SESSION_COOKIE_SAMESITE", "Lax")
    app.config.setdefault("SESSION_COOKIE_SECURE", https)
    app.config.setdefault("REMEMBER_COOKIE_HTTPONLY", True)
    app.config.setdefault("REMEMBER_COOKIE_SAMESITE", "Lax")
    app.config.setdefault("REMEMBER_COOKIE_SECURE", https)
    app.config.setdefault("WTF_CSRF_TIME_LIMIT", None)  # valid for the session's life
    app.config.setdefault("RATELIMIT_STORAGE_URI", settings.get("redis_url") or "memory://")
    app.config.setdefault("RATELIMIT_KEY_PREFIX", "intake-limits")
    talisman.init_app(
        app,
        force_https=False,  # TLS ends at the proxy; Twilio signs the public URL
        strict_transport_security=https,
        session_cookie_secure=https,
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
