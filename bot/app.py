"""Flask app factory for the gateway: webhooks, simulator (when enabled), API, console, health."""
from __future__ import annotations

import logging
from typing import Any, Callable

from flask import Flask, jsonify, render_template, request
from werkzeug.exceptions import HTTPException

from bot import extensions
from bot.api import bp as api_bp
from bot.console import bp as console_bp
from bot.health import bp as health_bp
from bot.simulator import bp as simulator_bp
from bot.webhooks import bp as webhooks_bp
from store.config import Settings, load_settings
from store.db import session_factory
from estimates import load_catalog

log = logging.getLogger(__name__)


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
        SECRET_KEY=settings.secret_or_generated("SECRET_KEY"),
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
    extensions.init_app(app, settings)

    # Providers and API clients authenticate by signature or bearer token, not by a
    # browser session, so CSRF tokens are for the console's forms only.
    for machine_bp in (webhooks_bp, api_bp, health_bp):
        extensions.csrf.exempt(machine_bp)
        app.register_blueprint(machine_bp)
    app.register_blueprint(console_bp)
    if simulator_enabled(settings):
        extensions.csrf.exempt(simulator_bp)
        app.register_blueprint(simulator_bp)

    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException) -> Any:
        if request.blueprint == "console":
            return render_template("console/error.html", error=exc), exc.code
        return jsonify(error=exc.name, detail=exc.description), exc.code

    return app
