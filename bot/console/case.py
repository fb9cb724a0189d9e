"""The case page of a ticket, its record downloads and the estimate adjustments.

Every GET of the page writes `view_case`, every download `download_record` and every
adjustment `adjust_estimate` to the audit log, in the transaction of what they record.
"""
from __future__ import annotations

from typing import Any

from flask import abort, flash, redirect, render_template, send_file, url_for
from sqlalchemy.orm import Session

from bot import clock
from bot.console.actions import actions_panel
from bot.console.blueprint import audited, bp, db, me, signed_in
from bot.console.forms import AdjustForm
from bot.conversations import files_dir
from bot.extensions import intake
from handoff import adjustments, case_view
from handoff.adjustments import AdjustmentError
from store.models import Ticket


def _ticket(session: Session, public_id: str) -> Ticket:
    ticket = case_view.find_ticket(session, public_id)
    if ticket is None:
        abort(404, description=f"There is no ticket {public_id[:40]}.")
    return ticket


def _page(session: Session, ticket: Ticket, status: int = 200, refused: dict[str, Any] | None = None) -> Any:
    settings = intake()["settings"]
    view = case_view.build(session, ticket, clock.now(), settings["tickets"], files_dir(settings))
    return render_template(
        "console/case.html", view=view, actions=actions_panel(session, ticket), refused=refused,
    ), status


@bp.route("/tickets/<public_id>")
@signed_in
def case(public_id: str) -> Any:
    """A ticket's case: facts, recommendation, estimate, records, transcript, notes."""
    session = db()
    ticket = _ticket(session, public_id)
    audited(session, "view_case", case=ticket.case, ticket=ticket)
    session.commit()
    return _page(session, ticket)


@bp.route("/tickets/<public_id>/records/<int:message_id>/<int:index>")
@signed_in
def record(public_id: str, message_id: int, index: int) -> Any:
    """One record the patient sent, as a download (never shown inline)."""
    session = db()
    ticket = _ticket(session, public_id)
    found = case_view.record_file(session, ticket, message_id, index, files_dir(intake()["settings"]))
    if found is None:
        abort(404, description="This record is not kept here (it may never have been downloaded, or was erased).")
    audited(session, "download_record", case=ticket.case, ticket=ticket, message_id=message_id, index=index,
            kind=found.kind)
    session.commit()
    return send_file(found.path, as_attachment=True, download_name=found.filename, mimetype=found.content_type,
                     max_age=0)


@bp.post("/tickets/<public_id>/estimate")
@signed_in
def adjust_estimate(public_id: str) -> Any:
    """Changes one estimate item's range, with a reason; a refused change is shown on the page (400)."""
    session = db()
    ticket = _ticket(session, public_id)
    form = AdjustForm()
    entered = {"code": form.code.data or "", "pathway": form.pathway.data or "", "low": form.low.data or "",
               "high": form.high.data or "", "reason": form.reason.data or ""}
    try:
        if not form.validate():
            raise AdjustmentError(" ".join(e for errors in form.errors.values() for e in errors))
        low = adjustments.parse_amount(form.low.data, "low")
        high = adjustments.parse_amount(form.high.data, "high")
        row = adjustments.adjust_item(session, ticket.case, entered["code"], low, high, entered["reason"],
                                      me(session).email, clock.now(), pathway=entered["pathway"] or None)
    except AdjustmentError as exc:
        session.rollback()
        return _page(session, ticket, 400, refused={**entered, "message": str(exc)})
    audited(session, "adjust_estimate", case=ticket.case, ticket=ticket, code=row.code,
            pathway=entered["pathway"] or None, old=[row.old_low, row.old_high], new=[row.low, row.high])
    session.commit()
    flash("The estimate was adjusted.", "ok")
    return redirect(url_for("console.case", public_id=ticket.public_id, _anchor="estimate"))
