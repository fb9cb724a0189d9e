"""`intake user add`: a console user with a one-time password printed once; refusals exit 2."""
from __future__ import annotations

import os
import re
import subprocess
import sys

from sqlalchemy import select

from bot.cli import first_admin
from handoff import users
from store.models import User
from store.states import Role
from tests.conftest import REPO


def _intake(database_url: str, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "DATABASE_URL": database_url, "INTAKE_LOG_LEVEL": "WARNING"}
    return subprocess.run([sys.executable, "-m", "bot.cli", *args], cwd=REPO, env=env, capture_output=True,
                          text=True, timeout=120)


def test_user_add_prints_a_one_time_password_that_must_be_changed(database_url, factory) -> None:
    done = _intake(database_url, "user", "add", "Grace@Example.org", "--role", "admin", "--name", "Grace")
    assert done.returncode == 0, done.stderr
    match = re.search(r"grace@example\.org \(admin\) one-time password: (\S+)", done.stdout)
    assert match, done.stdout
    assert "changed at the first sign-in" in done.stdout
    one_time = match.group(1)
    with factory() as session, session.begin():
        user = session.scalar(select(User).where(User.email == "grace@example.org"))
        assert user.role is Role.admin and user.name == "Grace" and user.must_change_password
        assert one_time not in user.password_hash
        outcome = users.sign_in(session, "grace@example.org", one_time)
        assert outcome.user is not None and outcome.user.must_change_password


def test_a_duplicate_is_refused_with_exit_code_2(database_url, factory) -> None:
    assert _intake(database_url, "user", "add", "ops@example.org").returncode == 0
    done = _intake(database_url, "user", "add", "OPS@example.org", "--role", "admin")
    assert done.returncode == 2
    assert "exists" in done.stderr and "password" not in done.stdout
    with factory() as session:
        assert [u.role for u in session.scalars(select(User))] == [Role.coordinator]


def test_a_bad_address_or_role_is_refused_with_exit_code_2(database_url, factory) -> None:
    bad = _intake(database_url, "user", "add", "not-an-address")
    assert bad.returncode == 2 and "not an e-mail address" in bad.stderr
    assert _intake(database_url, "user", "add", "x@example.org", "--role", "owner").returncode == 2
    with factory() as session:
        assert session.scalar(select(User)) is None


def test_the_first_admin_is_created_once(settings, factory) -> None:
    created = first_admin(settings)
    assert created is not None
    email, password = created
    assert first_admin(settings) is None  # there is an admin now
    with factory() as session:
        assert users.sign_in(session, email, password).user is not None


def test_no_first_admin_when_its_address_is_a_coordinators_and_the_run_goes_on(settings, factory, capsys) -> None:
    with factory() as session, session.begin():
        users.create_user(session, settings.get_path("console.first_admin_email"), Role.coordinator)
    assert first_admin(settings) is None
    assert "intake user add EMAIL --role admin" in capsys.readouterr().err
    with factory() as session:
        assert [u.role for u in session.scalars(select(User))] == [Role.coordinator]


def test_user_add_migrates_a_database_that_does_not_exist_yet(tmp_path) -> None:
    url = f"sqlite:///{tmp_path / 'fresh.db'}"
    done = _intake(url, "user", "add", "first@example.org", "--role", "admin")
    assert done.returncode == 0, done.stderr
    assert "first@example.org (admin) one-time password: " in done.stdout
