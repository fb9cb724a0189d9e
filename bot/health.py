"""Health: `/healthz` says the gateway process is alive; `/readyz` says whether it
can do its work (database, queue, Rasa and the action server reachable)."""
from __future__ import annotations

import logging
from typing import Any

from flask import Blueprint, jsonify
from sqlalchemy import text

from bot.extensions import intake
from bot.rasa_runtime import dialogue_client
from store.config import Settings
from store.db import session_factory

log = logging.getLogger(__name__)

bp = Blueprint("health", __name__)


@bp.get("/healthz")
def healthz() -> Any:
    return jsonify(status="ok")


@bp.get("/readyz")
def readyz() -> Any:
    ctx = intake()
    settings = ctx["settings"]
    dialogue = dialogue_client(settings)
    try:
        queue = bool(ctx["queue_ready"]())
    except Exception:  # noqa: BLE001 - an unreachable queue is "not ready", not a 500
        queue = False
    checks = {
        "database": database_ready(settings),
        "queue": queue,
        "rasa": dialogue.is_ready(),
        "action_server": dialogue.actions_ready(),
    }
    ready = all(checks.values())
    return jsonify(status="ready" if ready else "not ready", checks=checks), 200 if ready else 503


def database_ready(settings: Settings) -> bool:
    try:
        with session_factory(settings.database_url)() as session:
            session.execute(text("SELECT 1"))
        return True
    except Exception:  # noqa: BLE001 - any failure means "not ready", reported, not raised
        log.warning("readiness: database unreachable", exc_info=True)
        return False
