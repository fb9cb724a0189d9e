"""The queue: unresolved tickets in priority then due order, filtered, kept live by polling."""
from __future__ import annotations

import re
from datetime import datetime, timezone
from typing import Any

from flask import abort, jsonify, render_template, request, url_for
from flask_login import current_user
from werkzeug.datastructures import MultiDict

from bot import clock
from bot.console.blueprint import audited, bp, db, signed_in
from bot.extensions import intake
from handoff import queue as ticket_queue
from handoff.queue import FilterError, QueueFilter
from store.models import utcnow

_TRUE = {"1", "on", "true", "yes"}


def _filter(args: MultiDict[str, str]) -> QueueFilter:
    """The queue filter from GET parameters.

    Raises:
        FilterError: a value the queue does not know.
    """
    def flag(name: str) -> bool:
        return args.get(name, "").strip().lower() in _TRUE

    def choice(name: str) -> str | None:
        return args.get(name, "").strip() or None

    return QueueFilter(
        mine=flag("mine"),
        unassigned=flag("unassigned"),
        urgent=flag("urgent"),
        overdue=flag("overdue"),
        language=choice("language"),
        pathway=choice("pathway"),
        status=choice("status") or "unresolved",
        channel=choice("channel"),
        me=current_user.email,
    )


def _ago(moment: datetime | None, now: datetime) -> str:
    if moment is None:
        return "—"
    seconds = int((now - moment).total_seconds())
    if seconds < 60:
        return "just now"
    return ticket_queue.duration(seconds) + " ago"


def _rows_html(page: ticket_queue.QueuePage) -> str:
    return render_template("console/queue_rows.html", page=page, ago=_ago, seen=utcnow())


def _settings() -> Any:
    return intake()["settings"]


@bp.route("/")
@signed_in
def queue() -> Any:
    """The ticket queue with its filter form."""
    try:
        flt = _filter(request.args)
    except FilterError as exc:
        abort(400, description=str(exc))
    settings = _settings()
    session = db()
    cursor = utcnow()
    page = ticket_queue.queue(session, flt, clock.now(), settings["tickets"])
    audited(session, "view_queue", filters=flt.params(), shown=len(page.rows))
    session.commit()
    return render_template(
        "console/queue.html",
        page=page,
        choices=ticket_queue.filter_choices(),
        ago=_ago,
        seen=cursor,
        since=cursor.isoformat(),
        updates_url=url_for("console.queue_updates", **flt.params()),
        poll_seconds=float(settings.get_path("console.queue_poll_seconds", 5)),
    )


@bp.route("/queue/updates")
@signed_in
def queue_updates() -> Any:
    """JSON for the queue page's polling: the rows again, and what is new since `since`."""
    raw = request.args.get("since", "").strip()
    since = _parse_since(raw)
    if since is None:
        return jsonify(error="`since` must be an ISO 8601 time with its timezone, "
                             "as the previous answer's `cursor` (e.g. 2026-12-02T09:30:00+00:00)"), 400
    try:
        flt = _filter(request.args)
    except FilterError as exc:
        return jsonify(error=str(exc)), 400
    settings = _settings()
    cursor = utcnow()
    found = ticket_queue.updates(db(), flt, since, clock.now(), settings["tickets"])
    page = found["page"]
    # Polling is not a view of the queue: the page load was audited (`view_queue`) once.
    return jsonify(
        cursor=cursor.isoformat(),
        count=len(page.rows),
        counts=page.counts,
        tickets=[row.ticket for row in page.rows],
        new_tickets=found["new_tickets"],
        new_messages=found["new_messages"],
        rows_html=_rows_html(page),
    )


def _parse_since(raw: str) -> datetime | None:
    """An aware ISO 8601 time (a naive one is ambiguous), or None."""
    if not raw:
        return None
    try:
        # An unencoded "+" in a query string arrives as a space.
        value = datetime.fromisoformat(re.sub(r" (\d\d:?\d\d)$", r"+\1", raw.replace("Z", "+00:00")))
    except ValueError:
        return None
    if value.tzinfo is None:
        return None
    return value.astimezone(timezone.utc)
