"""The dashboard: a period's tickets per day by pathway, time to first reply, overdue
tickets and the intake funnel, as server-drawn charts and as a CSV export."""
from __future__ import annotations

import csv
import io
from datetime import timedelta
from typing import Any

from flask import Response, abort, render_template, request, url_for

from bot import clock
from bot.console import charts
from bot.console.blueprint import audited, bp, db, signed_in
from bot.extensions import intake, talisman
from handoff import metrics
from handoff.metrics import Dashboard, Period, PeriodError

# A chart is an SVG document shown by <img> (no script runs in an image). Its own
# response may use pygal's inline <style>, and nothing else: no script, no fetch, no
# frame. The pages keep the site-wide CSP, which allows no inline style at all.
CHART_CSP = {
    "default-src": "'none'",
    "style-src": "'unsafe-inline'",
    "img-src": "data:",
    "frame-ancestors": "'none'",
    "base-uri": "'none'",
    "form-action": "'none'",
}
QUICK_RANGES = (7, 30, 90, 365)


def _timezone() -> str:
    return str(intake()["settings"]["tickets"].get("timezone", "UTC"))


def _period() -> Period:
    """The period from ?since=&until= (YYYY-MM-DD), by default the last 30 days.

    Raises:
        PeriodError: a bad date, a start after the end, or a period over 366 days.
    """
    return metrics.parse_period(request.args.get("since"), request.args.get("until"), clock.now(), _timezone())


def _params(period: Period) -> dict[str, str]:
    return {"since": period.since.isoformat(), "until": period.until.isoformat()}


def _board(period: Period) -> Dashboard:
    return metrics.dashboard(db(), period, clock.now())


@bp.route("/dashboard")
@signed_in
def dashboard() -> Any:
    """The dashboard page for a period (a bad period: the form again, with why, as a 400)."""
    tz = _timezone()
    today = metrics.parse_period(None, None, clock.now(), tz).until
    quick = [(days, {"since": (today - timedelta(days=days - 1)).isoformat(), "until": today.isoformat()})
             for days in QUICK_RANGES]
    try:
        period = _period()
    except PeriodError as exc:
        form = {"since": request.args.get("since", ""), "until": request.args.get("until", "")}
        return render_template("console/dashboard.html", error=str(exc), form=form, board=None,
                               quick=quick, tz=tz), 400
    session = db()
    board = metrics.dashboard(session, period, clock.now())
    audited(session, "view_dashboard", **_params(period))
    session.commit()
    params = _params(period)

    def chart_url(name: str, size: str) -> str:
        return url_for("console.dashboard_chart", name=name, size=size, **params)

    return render_template(
        "console/dashboard.html", error=None, form=params, board=board, quick=quick, tz=tz,
        chart_url=chart_url, sizes=charts.SIZES, csv_url=url_for("console.dashboard_csv", **params),
        labels=board.reply_labels(), stages=metrics.FUNNEL_STAGES,
    )


@bp.route("/dashboard/charts/<name>.svg")
@talisman(content_security_policy=CHART_CSP)
@signed_in
def dashboard_chart(name: str) -> Any:
    """One chart of the dashboard as SVG (`size`: wide or phone)."""
    size = request.args.get("size", "wide")
    if name not in charts.CHARTS or size not in charts.SIZES:
        abort(404)
    try:
        period = _period()
    except PeriodError as exc:
        return _plain(str(exc), 400)
    # The page that shows the chart was audited (`view_dashboard`); its images are not views.
    svg = charts.render(name, _board(period), size)
    response = Response(svg, mimetype="image/svg+xml")
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.route("/dashboard.csv")
@signed_in
def dashboard_csv() -> Any:
    """The dashboard's figures as one CSV table (stdlib csv), as a download."""
    try:
        period = _period()
    except PeriodError as exc:
        return _plain(str(exc), 400)
    session = db()
    board = metrics.dashboard(session, period, clock.now())
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(metrics.CSV_COLUMNS)
    writer.writerows(board.csv_rows())
    audited(session, "export_csv", rows=len(board.csv_rows()), **_params(period))
    session.commit()
    name = f"dashboard_{period.since.isoformat()}_{period.until.isoformat()}.csv"
    response = Response(out.getvalue(), mimetype="text/csv")
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    response.headers["Cache-Control"] = "private, no-store"
    return response


def _plain(message: str, status: int) -> Response:
    return Response(f"Bad period: {message}.\n", status=status, mimetype="text/plain")
