"""Console users: one-time passwords, argon2 hashes, sign-in with lockout.

The rate limit on the login form (bot.extensions) slows guessing from one place;
the lockout here stops it across places: after `MAX_FAILURES` wrong passwords in a
row the account refuses every password for `LOCK_MINUTES`.
"""
from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from store.models import User, new_key
from store.states import Role

MAX_FAILURES = 10
LOCK_MINUTES = 15
MIN_PASSWORD_LENGTH = 12

_hasher = PasswordHasher()
# One @, something before it, a dotted domain after it, no spaces or angle brackets.
_EMAIL = re.compile(r"[^@\s<>]+@[^@\s<>.]+(\.[^@\s<>.]+)+")


class UserError(ValueError):
    """A request about users that cannot be carried out (said to the person, not logged as ours)."""


@dataclass(frozen=True)
class SignIn:
    """The outcome of a sign-in attempt: the user, or why not (`wrong`, `locked`, `inactive`)."""

    user: User | None
    refusal: str | None = None


def normal_email(email: str) -> str:
    return email.strip().lower()


def one_time_password() -> str:
    return secrets.token_urlsafe(12)


def create_user(session: Session, email: str, role: Role, name: str | None = None) -> tuple[User, str]:
    """A new user and their one-time password (shown once, changed at first sign-in).

    Raises:
        UserError: the address is not an e-mail address or is taken.
    """
    address = normal_email(email)
    if len(address) > 320 or not _EMAIL.fullmatch(address):
        raise UserError("not an e-mail address")
    if session.scalar(select(User.id).where(User.email == address)) is not None:
        raise UserError("a user with this e-mail address exists")
    password = one_time_password()
    user = User(email=address, name=name, role=role, password_hash=_hasher.hash(password), must_change_password=True)
    session.add(user)
    session.flush()
    return user, password


def reset_password(session: Session, user: User) -> str:
    """A fresh one-time password; sessions signed in with the old one end."""
    password = one_time_password()
    user.password_hash = _hasher.hash(password)
    user.must_change_password = True
    user.failed_logins = 0
    user.locked_until = None
    user.session_key = new_key()
    return password


def change_password(session: Session, user: User, current: str, new: str) -> None:
    """Raises:
        UserError: the current password is wrong, or the new one is too short or unchanged.
    """
    if not _matches(user, current):
        raise UserError("the current password is not right")
    if len(new) < MIN_PASSWORD_LENGTH:
        raise UserError(f"a password needs at least {MIN_PASSWORD_LENGTH} characters")
    if new == current:
        raise UserError("the new password must differ from the old one")
    user.password_hash = _hasher.hash(new)
    user.must_change_password = False
    user.session_key = new_key()


def sign_in(session: Session, email: str, password: str, now: datetime | None = None) -> SignIn:
    """Checks the password, counting failures; a locked or inactive account is refused
    whatever the password (and the hash is still computed, so timing tells nothing)."""
    now = now or datetime.now(timezone.utc)
    user = session.scalar(select(User).where(User.email == normal_email(email)))
    if user is None:
        _hasher.hash(password)
        return SignIn(None, "wrong")
    if not user.active:
        return SignIn(None, "inactive")
    if user.locked_until is not None and _aware(user.locked_until) > now:
        return SignIn(None, "locked")
    if not _matches(user, password):
        user.failed_logins += 1
        if user.failed_logins >= MAX_FAILURES:
            user.locked_until = now + timedelta(minutes=LOCK_MINUTES)
            user.failed_logins = 0
        return SignIn(None, "wrong")
    if _hasher.check_needs_rehash(user.password_hash):
        user.password_hash = _hasher.hash(password)
    user.failed_logins = 0
    user.locked_until = None
    user.last_login_at = now
    return SignIn(user)


def user_by_session(session: Session, user_id: str) -> User | None:
    """The user a session cookie names (`<id>:<session_key>`), if still valid and active."""
    ident, _, key = user_id.partition(":")
    if not ident.isdigit():
        return None
    user = session.get(User, int(ident))
    if user is None or not user.active or not secrets.compare_digest(user.session_key, key):
        return None
    return user


def update_user(
    session: Session, actor: User, user: User, role: Role | None = None, active: bool | None = None,
    name: str | None = None,
) -> dict[str, list[str | bool | None]]:
    """Changes a user's role, name or whether they may sign in; returns what changed
    (`{"role": [old, new]}`). A deactivated user's sessions end at once.

    Raises:
        UserError: an admin deactivating or demoting themself (the console would be left
            without the person who is looking at it), or the last active admin.
    """
    changes: dict[str, list[str | bool | None]] = {}
    if role is not None and role is not user.role:
        if user.id == actor.id:
            raise UserError("you cannot change your own role")
        if user.role is Role.admin and user.active and _other_active_admins(session, user) == 0:
            raise UserError("the last active admin must stay an admin")
        changes["role"] = [user.role.value, role.value]
        user.role = role
    if active is not None and active != user.active:
        if user.id == actor.id:
            raise UserError("you cannot deactivate yourself")
        if not active and user.role is Role.admin and _other_active_admins(session, user) == 0:
            raise UserError("the last active admin cannot be deactivated")
        changes["active"] = [user.active, active]
        user.active = active
        if not active:
            user.session_key = new_key()
    if name is not None and (name.strip() or None) != user.name:
        changes["name"] = [user.name, name.strip() or None]
        user.name = name.strip() or None
    return changes


def get_user(session: Session, user_id: int) -> User | None:
    return session.get(User, user_id)


def _other_active_admins(session: Session, user: User) -> int:
    return int(session.scalar(
        select(func.count(User.id)).where(User.role == Role.admin, User.active.is_(True), User.id != user.id)
    ) or 0)


def has_admin(session: Session) -> bool:
    return bool(session.scalar(select(func.count(User.id)).where(User.role == Role.admin, User.active.is_(True))))


def list_users(session: Session) -> list[User]:
    return list(session.scalars(select(User).order_by(User.email)))


def _matches(user: User, password: str) -> bool:
    try:
        return _hasher.verify(user.password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)
