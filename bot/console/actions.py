"""What a coordinator does on a case page: claim, assign, reply, note, wait on the
patient, resolve, reopen, hand back. Each view calls one verb of handoff.verbs and
writes the audit entry in the same transaction; a refused move is said on the page,
never half done."""
from __future__ import annotations

from typing import Any, Callable

from flask import abort, flash, redirect, request, url_for
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import Session
from werkzeug.wrappers import Response

from bot import clock
from bot.console.blueprint import audited, bp, db, me, signed_in
from bot.extensions import intake
from handoff import replies, users, verbs
from store.models import Ticket
from store.states import IllegalTransition, Owner, TicketStatus

MAX_REPLY_CHARS = 10_000
MAX_NOTE_CHARS = 5_000


def actions_panel(session: Session, ticket: Ticket) -> dict[str, Any]:
    """What the case page's action panel (console/case_actions.html) needs."""
    user = me(session)
    settings = intake()["settings"]
    conversation = ticket.case.conversation
    status, owner = ticket.status, conversation.owner
    opts = replies.options(session, ticket, settings, user.name or user.email, clock.now())
    can_reply = status in (TicketStatus.claimed, TicketStatus.waiting_patient) and owner == Owner.coordinator
    return {
        "ticket": ticket,
        "mine": ticket.assignee == user.email,
        "can_claim": status != TicketStatus.resolved and not (ticket.assignee == user.email and owner == Owner.coordinator),
        "can_reply": can_reply and not conversation.contact.opted_out,
        "opted_out": conversation.contact.opted_out,
        "can_wait": status == TicketStatus.claimed,
        "can_resolve": status != TicketStatus.resolved,
        "can_reopen": status == TicketStatus.resolved,
        "can_hand_back": owner in (Owner.waiting, Owner.coordinator),
        "owner": owner.value,
        "coordinators": [u for u in users.list_users(session) if u.active],
        "options": opts,
    }


def _ticket(session: Session, public_id: str) -> Ticket:
    ticket = session.scalar(select(Ticket).where(Ticket.public_id == public_id))
    if ticket is None:
        abort(404)
    return ticket


def _act(public_id: str, action: str, do: Callable[[Session, Ticket], dict[str, Any] | None], done: str) -> Response:
    """Runs one verb and its audit entry in one transaction, then back to the case page."""
    session = db()
    ticket = _ticket(session, public_id)
    try:
        detail = do(session, ticket) or {}
    except (IllegalTransition, replies.ReplyError) as exc:
        session.rollback()
        flash(_sentence(str(exc)), "error")
        return redirect(url_for("console.case", public_id=public_id) + "#actions")
    audited(session, action, ticket=ticket, **detail)
    session.commit()
    flash(done, "ok")
    return redirect(url_for("console.case", public_id=public_id) + "#actions")


def _deliver() -> Callable[[int], None] | None:
    return intake().get("deliver")


@bp.post("/tickets/<public_id>/claim", endpoint="claim")
@signed_in
def claim(public_id: str) -> Response:
    return _act(public_id, "claim", lambda s, t: verbs.claim(s, t, current_user.email) and None,
                "You have claimed this ticket; the bot stays silent in this conversation.")


@bp.post("/tickets/<public_id>/assign", endpoint="assign")
@signed_in
def assign(public_id: str) -> Response:
    wanted = (request.form.get("assignee") or "").strip().lower() or None

    def do(session: Session, ticket: Ticket) -> dict[str, Any]:
        if wanted and not any(u.email == wanted and u.active for u in users.list_users(session)):
            raise IllegalTransition("no active console user has that e-mail")
        before = ticket.assignee
        verbs.assign(session, ticket, wanted)
        return {"assignee": [before, wanted]}

    return _act(public_id, "assign", do, f"Assigned to {wanted}." if wanted else "Unassigned.")


@bp.post("/tickets/<public_id>/reply", endpoint="reply")
@signed_in
def reply(public_id: str) -> Response:
    text = (request.form.get("text") or "").strip()
    key = (request.form.get("template") or "").strip()

    def do(session: Session, ticket: Ticket) -> dict[str, Any]:
        if key:
            user = me(session)
            opts = replies.options(session, ticket, intake()["settings"], user.name or user.email, clock.now())
            chosen = replies.template(opts, key)
            outbox_id = verbs.reply_template(session, ticket, chosen, _deliver())
            return {"outbox": outbox_id, "template": key, "content_sid": chosen.content_sid}
        if len(text) > MAX_REPLY_CHARS:
            raise replies.ReplyError(f"a reply is at most {MAX_REPLY_CHARS} characters")
        outbox_id = verbs.reply(session, ticket, text, _deliver(), now=clock.now())
        return {"outbox": outbox_id, "chars": len(text)}

    return _act(public_id, "reply_template" if key else "reply", do,
                "Template sent to the patient." if key else "Reply sent to the patient.")


@bp.post("/tickets/<public_id>/note", endpoint="note")
@signed_in
def note(public_id: str) -> Response:
    text = (request.form.get("text") or "").strip()

    def do(session: Session, ticket: Ticket) -> dict[str, Any]:
        if not text or len(text) > MAX_NOTE_CHARS:
            raise IllegalTransition(f"a note needs between 1 and {MAX_NOTE_CHARS} characters")
        verbs.add_note(session, ticket, current_user.email, text)
        return {"chars": len(text)}

    return _act(public_id, "note", do, "Note added (only coordinators see it).")


@bp.post("/tickets/<public_id>/wait", endpoint="wait")
@signed_in
def wait(public_id: str) -> Response:
    return _act(public_id, "wait_on_patient", lambda s, t: verbs.wait_on_patient(s, t) and None,
                "Waiting on the patient: the ticket reopens when they write.")


@bp.post("/tickets/<public_id>/resolve", endpoint="resolve")
@signed_in
def resolve(public_id: str) -> Response:
    return _act(public_id, "resolve", lambda s, t: verbs.resolve(s, t) and None, "Ticket resolved.")


@bp.post("/tickets/<public_id>/reopen", endpoint="reopen")
@signed_in
def reopen(public_id: str) -> Response:
    return _act(public_id, "reopen", lambda s, t: verbs.reopen(s, t) and None, "Ticket reopened.")


@bp.post("/tickets/<public_id>/hand-back", endpoint="hand_back")
@signed_in
def hand_back(public_id: str) -> Response:
    return _act(public_id, "hand_back", lambda s, t: verbs.hand_back(s, t.case.conversation) and None,
                "Handed back: the bot answers the patient's next message.")


def _sentence(text: str) -> str:
    return text[:1].upper() + text[1:] + ("" if text.endswith(".") else ".")
