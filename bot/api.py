"""HTTP API: the case JSON (contract/case.schema.json), behind a bearer token."""
from __future__ import annotations

import hmac
from typing import Any

from flask import Blueprint, abort, jsonify, request
from sqlalchemy import select

from bot.extensions import intake
from store.models import Case
from handoff.cases import case_document

bp = Blueprint("api", __name__, url_prefix="/api")


@bp.before_request
def require_token() -> None:
    token = intake()["settings"].secret("API_TOKEN")
    header = request.headers.get("Authorization", "")
    given = header[len("Bearer "):].strip() if header.startswith("Bearer ") else ""
    if not token:
        abort(503, description="The API is disabled: set API_TOKEN.")
    if not hmac.compare_digest(given.encode(), token.encode()):
        abort(401, description="Missing or wrong bearer token.")


@bp.get("/cases/<case_id>")
def get_case(case_id: str) -> Any:
    with intake()["factory"]() as session:
        case = session.scalar(select(Case).where(Case.public_id == case_id))
        if case is None:
            abort(404, description=f"No case {case_id!r}.")
        return jsonify(case_document(session, case))
