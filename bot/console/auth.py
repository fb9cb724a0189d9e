"""Signing in and out, and the password change a one-time password forces."""
from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required, login_user, logout_user

from bot.console.blueprint import ConsoleUser, bp, db, me
from bot.console.forms import LoginForm, PasswordForm
from bot.extensions import limiter
from handoff import audit, users

# Wrong passwords only: a family's coordinator who signs in and out all day is never slowed.
LOGIN_LIMIT = "5 per 15 minutes"


def _failed(response: Any) -> bool:
    return response.status_code == 401


def _login_email() -> str:
    return "login:" + users.normal_email(request.form.get("email", ""))


def _safe_next(target: str | None) -> str:
    """Only a path inside the console: never an open redirect to another site."""
    if target and target.startswith("/console/") and not urlsplit(target).netloc and "\\" not in target:
        return target
    return url_for("console.queue")


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(LOGIN_LIMIT, methods=["POST"], deduct_when=_failed)
@limiter.limit(LOGIN_LIMIT, methods=["POST"], deduct_when=_failed, key_func=_login_email)
def login() -> Any:
    """The sign-in form."""
    form = LoginForm()
    if current_user.is_authenticated and request.method == "GET":
        return redirect(_safe_next(request.args.get("next")))
    if not form.validate_on_submit():
        status = 400 if request.method == "POST" else 200
        return render_template("console/login.html", form=form), status
    session = db()
    outcome = users.sign_in(session, form.email.data or "", form.password.data or "")
    if outcome.user is None:
        audit.record(session, None, "sign_in_refused", detail={"email": users.normal_email(form.email.data or ""), "why": outcome.refusal})
        session.commit()
        message = "This account is locked for a while after too many wrong passwords." if outcome.refusal == "locked" else "Wrong e-mail or password."
        flash(message, "error")
        return render_template("console/login.html", form=form), 401
    audit.record(session, outcome.user, "sign_in")
    session.commit()
    login_user(ConsoleUser.of(outcome.user))
    if outcome.user.must_change_password:
        return redirect(url_for("console.password"))
    return redirect(_safe_next(request.args.get("next")))


@bp.post("/logout")
@login_required
def logout() -> Any:
    """Ends the session (a form post, so another site cannot sign a coordinator out)."""
    session = db()
    audit.record(session, me(session), "sign_out")
    session.commit()
    logout_user()
    return redirect(url_for("console.login"))


@bp.route("/password", methods=["GET", "POST"])
@login_required
def password() -> Any:
    """Change the password (forced after a one-time password)."""
    form = PasswordForm()
    if form.validate_on_submit():
        session = db()
        user = me(session)
        try:
            users.change_password(session, user, form.current.data or "", form.new.data or "")
        except users.UserError as exc:
            flash(str(exc).capitalize() + ".", "error")
        else:
            audit.record(session, user, "password_changed")
            session.commit()
            login_user(ConsoleUser.of(user))  # the new session key
            flash("Password changed.", "ok")
            return redirect(url_for("console.queue"))
    return render_template("console/password.html", form=form), 400 if request.method == "POST" else 200
