"""Provider webhooks: check, store, enqueue, answer (STYLE 4)."""
from __future__ import annotations

import hmac
import logging
from typing import Any

from flask import Blueprint, Response, abort, request
from sqlalchemy import select
from twilio.twiml.messaging_response import MessagingResponse

from bot.app import intake
from bot.conversations import files_dir, receive
from bot.models import Direction, Message, MessageStatus
from channels import email as email_channel
from channels import whatsapp
from channels.base import InboundMessage, InvalidPayload

log = logging.getLogger(__name__)
bp = Blueprint("webhooks", __name__, url_prefix="/webhooks")


def accept(msg: InboundMessage) -> dict[str, Any]:
    """Store the message, then queue it; a queue hiccup is healed by the worker's sweep."""
    ctx = intake()
    received = receive(ctx["factory"], msg, files_dir(ctx["settings"]))
    if received.created and received.needs_processing:
        try:
            ctx["enqueue"](received.conversation_id)
        except Exception:  # the message is stored; the sweep re-queues it
            log.exception("enqueue failed for conversation %s", received.conversation_id)
    return {"message_id": received.message_id, "conversation_id": received.conversation_id, "duplicate": not received.created}


def _check_twilio_signature() -> None:
    settings = intake()["settings"]
    token = settings.secret("TWILIO_AUTH_TOKEN")
    url = whatsapp.public_url(
        settings.get_path("server.public_base_url"), request.path, request.query_string.decode("latin-1")
    )
    signature = request.headers.get("X-Twilio-Signature")
    if not token or not whatsapp.verify_signature(url, request.form.to_dict(flat=True), signature, token):
        log.warning("refused Twilio request with a missing or wrong signature")
        abort(403, description="Invalid or missing X-Twilio-Signature.")


def _empty_twiml() -> Response:
    return Response(str(MessagingResponse()), mimetype="text/xml")


@bp.post("/twilio/whatsapp")
def twilio_whatsapp() -> Response:
    _check_twilio_signature()
    try:
        msg = whatsapp.parse_webhook(request.form.to_dict(flat=True))
    except InvalidPayload as exc:
        abort(400, description=str(exc))
    accept(msg)
    return _empty_twiml()


@bp.post("/twilio/status")
def twilio_status() -> Response:
    _check_twilio_signature()
    try:
        update = whatsapp.parse_status_callback(request.form.to_dict(flat=True))
    except InvalidPayload as exc:
        abort(400, description=str(exc))
    with intake()["factory"]() as session, session.begin():
        message = session.scalar(
            select(Message).where(
                Message.channel == "whatsapp",
                Message.direction == Direction.outbound,
                Message.provider_id == update.provider_id,
            )
        )
        if message is not None and update.status in MessageStatus.__members__:
            # Callbacks arrive out of order; a status never moves backwards.
            if whatsapp.status_moves_forward(message.status.value, update.status):
                message.status = MessageStatus(update.status)
                if update.error_code:
                    message.error_code = str(update.error_code)
    return _empty_twiml()


@bp.post("/email/inbound")
def email_inbound() -> Any:
    """Raw-MIME inbound e-mail (inbound-parse services post the full message)."""
    token = intake()["settings"].secret("EMAIL_WEBHOOK_TOKEN")
    given = request.headers.get("Authorization", "").removeprefix("Bearer ").strip()
    if not token or not hmac.compare_digest(given.encode(), token.encode()):
        abort(403, description="Missing or wrong bearer token.")
    raw = request.get_data(cache=False)
    if not raw:
        abort(400, description="Empty body: post the full RFC 822 message.")
    try:
        msg = email_channel.parse_raw(raw)
    except InvalidPayload as exc:
        abort(400, description=str(exc))
    return accept(msg), 202
