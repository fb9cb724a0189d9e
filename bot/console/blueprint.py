"""The console blueprint and what every console view shares: the signed-in user,
the request's database session, role checks and the audit trail."""
from __future__ import annotations

from dataclasses import dataclass
from functools import wraps
from typing import Any, Callable, TypeVar

from flask import Blueprint, abort, g, redirect, url_for
from flask_login import current_user, login_required
from sqlalchemy.orm import Session

from bot.extensions import intake, login_manager
from handoff import audit, users
from store.models import Case, Ticket, User
from store.states import Role

bp = Blueprint(
    "console",
    __name__,
    url_prefix="/console",
    template_folder="templates",
    static_folder="static",
    static_url_path="/static",
)

F = TypeVar("F", bound=Callable[..., Any])


@dataclass(frozen=True)
class ConsoleUser:
    """The signed-in user as Flask-Login sees it: a detached copy, safe across sessions."""

    id: int
    email: str
    name: str | None
    role: Role
    must_change_password: bool
    session_key: str

    is_authenticated = True
    is_active = True
    is_anonymous = False

    @classmethod
    def of(cls, user: User) -> "ConsoleUser":
        return cls(user.id, user.email, user.name, user.role, user.must_change_password, user.session_key)

    def get_id(self) -> str:
        # The key changes with the password, so a changed password ends older sessions.
        return f"{self.id}:{self.session_key}"

    @property
    def is_admin(self) -> bool:
        return self.role is Role.admin


@login_manager.user_loader
def _load_user(user_id: str) -> ConsoleUser | None:
    user = users.user_by_session(db(), user_id)
    return ConsoleUser.of(user) if user else None


def db() -> Session:
    """One database session per request, closed when the request ends."""
    if "console_db" not in g:
        g.console_db = intake()["factory"]()
    return g.console_db


@bp.teardown_app_request
def _close_db(_exc: BaseException | None) -> None:
    session = g.pop("console_db", None)
    if session is not None:
        session.close()


def signed_in(view: F) -> F:
    """A console page: signed in, and past the first-login password change."""

    @wraps(view)
    @login_required
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        if current_user.must_change_password:
            return redirect(url_for("console.password"))
        return view(*args, **kwargs)

    return wrapper  # type: ignore[return-value]


def admin_only(view: F) -> F:
    """An admin page: coordinators get 403."""

    @wraps(view)
    @signed_in
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        if not current_user.is_admin:
            abort(403)
        return view(*args, **kwargs)

    return wrapper  # type: ignore[return-value]


def me(session: Session) -> User:
    """The signed-in user as a row of `session`."""
    user = session.get(User, current_user.id)
    if user is None:
        abort(403)
    return user


def audited(
    session: Session, action: str, case: Case | None = None, ticket: Ticket | None = None, **detail: Any
) -> None:
    """Writes the audit entry in the caller's transaction (committed with the action)."""
    audit.record(session, me(session), action, case=case, ticket=ticket, detail=detail)
