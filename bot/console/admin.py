"""Admin pages: the console's users (add, role, deactivate, reset a password) and the
audit log. Admins only; every change is audited in the transaction that makes it."""
from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone
from typing import Any

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from werkzeug.routing import BuildError

from bot.console.blueprint import admin_only, audited, bp, db, me
from bot.console.forms import UserForm
from handoff import audit, users
from store.models import User
from store.states import Role

AUDIT_PAGE = 50


def when(moment: datetime | None) -> str:
    """A time as the admin pages show it (UTC, to the minute)."""
    if moment is None:
        return ""
    aware = moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)
    return aware.astimezone(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")


def _users_page(form: UserForm, status: int = 200, one_time: tuple[str, str] | None = None) -> Any:
    session = db()
    now = datetime.now(timezone.utc)
    rows = [
        {
            "user": user,
            "is_me": user.id == current_user.id,
            "locked": user.locked_until is not None and _aware(user.locked_until) > now,
        }
        for user in users.list_users(session)
    ]
    return render_template(
        "console/users.html", rows=rows, form=form, one_time=one_time, roles=list(Role), when=when,
    ), status


@bp.route("/users", methods=["GET", "POST"], endpoint="users")
@admin_only
def users_page() -> Any:
    """The users, and the form that adds one (its one-time password is shown once)."""
    form = UserForm()
    if request.method == "GET":
        return _users_page(form)
    if not form.validate_on_submit():
        return _users_page(form, 400)
    session = db()
    try:
        user, password = users.create_user(session, form.email.data or "", Role(form.role.data),
                                           name=(form.name.data or "").strip() or None)
    except users.UserError as exc:
        form.email.errors = [*form.email.errors, str(exc).capitalize() + "."]
        return _users_page(form, 400)
    audited(session, "user_add", user=user.email, role=user.role.value)
    session.commit()
    # Rendered, not redirected: the password never goes into a (readable) session cookie.
    return _users_page(UserForm(formdata=None), 200, one_time=(user.email, password))


def _target(user_id: int) -> User:
    """The user a form acts on (CSRFProtect has checked the form's token before the view)."""
    user = users.get_user(db(), user_id)
    if user is None:
        abort(404)
    return user


@bp.post("/users/<int:user_id>/role")
@admin_only
def user_role(user_id: int) -> Any:
    """Makes a user a coordinator or an admin."""
    user = _target(user_id)
    try:
        role = Role(request.form.get("role", ""))
    except ValueError:
        flash(_sentence("unknown role"), "error")
        return redirect(url_for("console.users"))
    return _update_user(user, f"{user.email} is now {role.value}.", role=role)


@bp.post("/users/<int:user_id>/active")
@admin_only
def user_active(user_id: int) -> Any:
    """Deactivates a user (their sessions end) or lets them sign in again."""
    user = _target(user_id)
    active = request.form.get("active") == "1"
    return _update_user(user, f"{user.email} is {'active again' if active else 'deactivated'}.", active=active)


def _update_user(user: User, done: str, **change: Any) -> Any:
    """One change to a user, audited; a refused one (the last admin, yourself) is said on the page."""
    session = db()
    try:
        changes = users.update_user(session, me(session), user, **change)
    except users.UserError as exc:
        flash(_sentence(exc), "error")
        return redirect(url_for("console.users"))
    if changes:
        audited(session, "user_update", user=user.email, changes=changes)
        session.commit()
        flash(done, "ok")
    return redirect(url_for("console.users"))


@bp.post("/users/<int:user_id>/password")
@admin_only
def user_password_reset(user_id: int) -> Any:
    """A new one-time password for a user, shown once; their sessions end."""
    session = db()
    user = _target(user_id)
    if user.id == current_user.id:
        flash("Change your own password on the Change password page.", "error")
        return redirect(url_for("console.users"))
    password = users.reset_password(session, user)
    audited(session, "password_reset", user=user.email)
    session.commit()
    return _users_page(UserForm(formdata=None), 200, one_time=(user.email, password))


# ------------------------------------------------------------------ the audit log


def _day(value: str | None) -> date | None:
    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        return None


def _case_url(ticket_public_id: str | None) -> str | None:
    if not ticket_public_id:
        return None
    try:
        return url_for("console.case", public_id=ticket_public_id)
    except BuildError:  # the case page is not registered (or named differently)
        return None


@bp.get("/audit")
@admin_only
def audit_log() -> Any:
    """The audit log, newest first, filtered by actor, action, case and dates (UTC)."""
    args = request.args
    since, until = _day(args.get("since")), _day(args.get("until"))
    bad_dates = [name for name in ("since", "until") if args.get(name) and _day(args.get(name)) is None]
    action = args.get("action") or None
    if action not in audit.ACTIONS:
        action = None
    page = max(1, args.get("page", 1, type=int) or 1)
    flt = audit.AuditFilter(
        actor=(args.get("actor") or "").strip() or None,
        action=action,
        case_public_id=(args.get("case") or "").strip() or None,
        since=datetime.combine(since, time.min, timezone.utc) if since else None,
        until=datetime.combine(until, time.min, timezone.utc) + timedelta(days=1) if until else None,
    )
    session = db()
    audited(session, "view_audit", filters={k: v for k, v in args.items() if v and k != "page"}, page=page)
    session.commit()
    rows = audit.entries(session, flt, limit=AUDIT_PAGE + 1, offset=(page - 1) * AUDIT_PAGE)
    more = len(rows) > AUDIT_PAGE
    filters = {k: args.get(k, "") for k in ("actor", "action", "case", "since", "until")}
    return render_template(
        "console/audit.html",
        rows=rows[:AUDIT_PAGE], filters=filters, actions=audit.ACTIONS, page=page, more=more,
        bad_dates=bad_dates, when=when, case_url=_case_url, detail_text=_detail_text,
        page_url=lambda n: url_for("console.audit_log", **{k: v for k, v in filters.items() if v}, page=n),
    )


def _detail_text(detail: dict[str, Any] | None) -> str:
    """The entry's detail as short `key: value` text (never HTML)."""
    parts = []
    for key, value in (detail or {}).items():
        if isinstance(value, dict):
            value = ", ".join(f"{k}={_plain(v)}" for k, v in value.items())
        parts.append(f"{key}: {_plain(value)}")
    return "; ".join(parts)


def _plain(value: Any) -> str:
    if isinstance(value, (list, tuple)):
        return " → ".join(_plain(v) for v in value) if len(value) == 2 else ", ".join(_plain(v) for v in value)
    return "–" if value is None else str(value)


def _sentence(message: Any) -> str:
    text = str(message)
    return text[:1].upper() + text[1:] + ("" if text.endswith(".") else ".")


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)
