"""Flask app factory for the gateway: webhooks, simulator (when enabled), API, health."""
from __future__ import annotations

import logging
import secrets
from typing import Any, Callable

from flask import Flask, jsonify
from flask_talisman import Talisman
from sqlalchemy import text
from werkzeug.exceptions import HTTPException

from store.config import Settings, load_settings
from store.db import session_factory
from estimates import load_catalog

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


def simulator_enabled(settings: Settings) -> bool:
    """`auto`: the simulator stands in for WhatsApp only when Twilio is not configured."""
    value = settings.get_path("simulator.enabled", "auto")
    if isinstance(value, bool):
        return value
    if str(value).lower() == "auto":
        return not settings.twilio_configured
    return str(value).lower() in ("true", "yes", "on", "1")


def create_app(
    settings: Settings | None = None,
    enqueue: Callable[[int], None] | None = None,
    test_config: dict[str, Any] | None = None,
    deliver: Callable[[int], None] | None = None,
    queue_ready: Callable[[], bool] | None = None,
) -> Flask:
    settings = settings or load_settings()
    load_catalog()  # refuse to start on an invalid price catalog (raises CatalogError naming the entry)
    app = Flask(__name__)
    app.config.update(
        SECRET_KEY=settings.secret("SECRET_KEY") or secrets.token_hex(32),
        MAX_CONTENT_LENGTH=int(settings.get_path("limits.max_request_bytes", 1_000_000)),
        JSON_SORT_KEYS=False,
    )
    if test_config:
        app.config.update(test_config)
    if enqueue is None:
        from bot.worker import Worker

        worker = Worker(settings)
        enqueue, deliver = worker.enqueue, worker.deliver_outbox
        queue_ready = queue_ready or (lambda: worker.huey.storage.queue_size() >= 0)
    app.extensions["intake"] = {
        "settings": settings,
        "factory": session_factory(settings.database_url),
        "enqueue": enqueue,
        "deliver": deliver or (lambda _outbox_id: None),
        "queue_ready": queue_ready or (lambda: True),
    }
    https = str(settings.get_path("server.public_base_url", "")).startswith("https://")
    Talisman(
        app,
        force_https=False,  # TLS ends at the proxy; Twilio signs the public URL
        strict_transport_security=https,
        session_cookie_secure=https,
        content_security_policy=CSP,
        referrer_policy="no-referrer",
        frame_options="DENY",
    )

    from bot.api import bp as api_bp
    from bot.health import bp as health_bp
    from bot.webhooks import bp as webhooks_bp

    app.register_blueprint(webhooks_bp)
    app.register_blueprint(api_bp)
    app.register_blueprint(health_bp)
    if simulator_enabled(settings):
        from bot.simulator import bp as simulator_bp

        app.register_blueprint(simulator_bp)

    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException) -> Any:
        return jsonify(error=exc.name, detail=exc.description), exc.code

    return app


def intake(app: Flask | None = None) -> dict[str, Any]:
    from flask import current_app

    return (app or current_app).extensions["intake"]


def database_ready(settings: Settings) -> bool:
    try:
        with session_factory(settings.database_url)() as session:
            session.execute(text("SELECT 1"))
        return True
    except Exception:  # noqa: BLE001 - any failure means "not ready", reported, not raised
        log.warning("readiness: database unreachable", exc_info=True)
        return False
