"""Provider webhooks: check, store, enqueue, answer (STYLE 4)."""
from __future__ import annotations

import hmac
import logging
from typing import Any

from flask import Blueprint, Response, abort, request
from twilio.twiml.messaging_response import MessagingResponse

from bot.extensions import intake
from bot import delivery_status
from bot.conversations import files_dir, receive
from handoff.outbound import notify_coordinators
from channels import email as email_channel
from channels import whatsapp
from channels.base import InboundMessage, InvalidPayload

log = logging.getLogger(__name__)
bp = Blueprint("webhooks", __name__, url_prefix="/webhooks")
DISCARD_FACTOR = 4


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
    """Twilio's status callback; `ref` (our part id, in the callback URL we gave) finds
    the part even when the callback comes before the send returned its SID."""
    _check_twilio_signature()
    try:
        update = whatsapp.parse_status_callback(request.form.to_dict(flat=True))
    except InvalidPayload as exc:
        abort(400, description=str(exc))
    ctx = intake()
    with ctx["factory"]() as session, session.begin():
        notifications = delivery_status.apply_callback(
            session, ctx["settings"], update, request.args.get("ref"),
            notify=lambda s, case: notify_coordinators(s, ctx["settings"], case),
        )
    for outbox_id in notifications:
        ctx["deliver"](outbox_id)
    return _empty_twiml()


@bp.post("/email/inbound")
def email_inbound() -> Any:
    """Raw-MIME inbound e-mail (inbound-parse services post the full message).

    One limit (limits.max_email_bytes) is enforced while reading: past it the rest
    is discarded, the text is kept and the patient is told how to send large files.
    """
    settings = intake()["settings"]
    token = settings.secret("EMAIL_WEBHOOK_TOKEN")
    given = request.headers.get("Authorization", "").removeprefix("Bearer ").strip()
    if not token or not hmac.compare_digest(given.encode(), token.encode()):
        abort(403, description="Missing or wrong bearer token.")
    limit = int(settings.get_path("limits.max_email_bytes", email_channel.DEFAULT_MAX_RAW_BYTES))
    # Read past the limit (discarding) so the patient gets an answer; only a body
    # several times the limit is refused outright (413) as not an e-mail at all.
    request.max_content_length = limit * DISCARD_FACTOR
    raw, over = email_channel.read_limited(request.stream, limit)
    if not raw:
        abort(400, description="Empty body: post the full RFC 822 message.")
    try:
        msg = email_channel.parse_raw(raw, truncated=over)
    except InvalidPayload as exc:
        abort(400, description=str(exc))
    if over:
        log.warning("inbound e-mail over the size limit: text kept, attachments dropped")
    return accept(msg), 202
