"""Flask app factory for the gateway: webhooks, simulator and API."""
from __future__ import annotations

import logging
import secrets
from typing import Any, Callable

from flask import Flask, jsonify
from werkzeug.exceptions import HTTPException

from bot.config import Settings, load_settings
from estimates import load_catalog
from bot.db import session_factory

log = logging.getLogger(__name__)


def create_app(
    settings: Settings | None = None,
    enqueue: Callable[[int], None] | None = None,
    test_config: dict[str, Any] | None = None,
) -> Flask:
    settings = settings or load_settings()
    load_catalog()  # refuse to start on an invalid price catalog (raises CatalogError naming the entry)
    app = Flask(__name__)
    app.config.update(
        SECRET_KEY=settings.secret("SECRET_KEY") or secrets.token_hex(32),
        MAX_CONTENT_LENGTH=int(settings.get_path("limits.max_request_bytes", 5_000_000)),
        JSON_SORT_KEYS=False,
    )
    if test_config:
        app.config.update(test_config)
    if enqueue is None:
        from bot.worker import Worker

        enqueue = Worker(settings).enqueue
    app.extensions["intake"] = {
        "settings": settings,
        "factory": session_factory(settings.database_url),
        "enqueue": enqueue,
    }

    from bot.api import bp as api_bp
    from bot.simulator import bp as simulator_bp
    from bot.webhooks import bp as webhooks_bp

    app.register_blueprint(webhooks_bp)
    app.register_blueprint(simulator_bp)
    app.register_blueprint(api_bp)

    @app.get("/healthz")
    def healthz() -> Any:
        return jsonify(status="ok")

    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException) -> Any:
        return jsonify(error=exc.name, detail=exc.description), exc.code

    return app


def intake(app: Flask | None = None) -> dict[str, Any]:
    from flask import current_app

    return (app or current_app).extensions["intake"]
