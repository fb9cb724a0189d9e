"""A local chat page that talks to the bot like WhatsApp, through the same pipeline."""
from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, jsonify, render_template, request
from sqlalchemy import select

from bot.extensions import intake
from store.models import Case, Contact, Conversation, Message
from bot.webhooks import accept
from channels.base import InvalidPayload
from channels.simulator import parse_simulator
from handoff.cases import case_document

bp = Blueprint(
    "simulator", __name__, url_prefix="/simulator", template_folder="templates",
    static_folder="static", static_url_path="/static",
)
# Message ids are database integers: anything longer is not one of ours.
_MAX_ID_DIGITS = 18


@bp.get("/")
def page() -> str:
    return render_template("simulator.html", org=intake()["settings"]["organisation"]["name"])


@bp.post("/api/messages")
def post_message() -> Any:
    payload = request.get_json(silent=True)
    if not isinstance(payload, dict):
        abort(400, description="Send a JSON object: {from, id, text}.")
    try:
        msg = parse_simulator(payload)
    except InvalidPayload as exc:
        abort(400, description=str(exc))
    return accept(msg), 202


@bp.get("/api/messages")
def list_messages() -> Any:
    session_id = request.args.get("from", "")
    after = request.args.get("after", "0")
    if not session_id or len(session_id) > 64 or not after.isascii() or not after.isdigit() or len(after) > _MAX_ID_DIGITS:
        abort(400, description="Query parameters: from=<session id>, after=<message id>.")
    with intake()["factory"]() as session:
        contact = session.scalar(select(Contact).where(Contact.simulator_id == session_id))
        if contact is None:
            return jsonify(messages=[], case_id=None)
        rows = session.scalars(
            select(Message)
            .join(Conversation)
            .where(Conversation.contact_id == contact.id, Message.id > int(after))
            .order_by(Message.id)
        )
        messages = [
            {"id": m.id, "direction": m.direction.value, "text": m.body, "status": m.status_value} for m in rows
        ]
        case = session.scalar(
            select(Case).join(Conversation).where(Conversation.contact_id == contact.id).order_by(Case.id.desc()).limit(1)
        )
        return jsonify(messages=messages, case=case_document(session, case) if case else None)
