"""The gateway's web security settings through Flask's test client: Secure, HttpOnly and
SameSite=Lax console cookies (not Secure only for plain http on a loopback host), the
client address behind trusted proxies (ProxyFix, server.trusted_proxies) as the login
rate limit sees it, and the login limit still holding when Redis is down."""
from __future__ import annotations

import itertools
import logging
import re
from pathlib import Path
from typing import Any

import pytest
from flask import jsonify, request

from bot import migrate
from bot.app import create_app
from handoff import users
from store.config import Settings, load_settings
from store.db import session_factory
from store.states import Role
from tests.conftest import TWILIO_SID, TWILIO_TOKEN
from tests.helpers import WHATSAPP_PATH, twilio_form

LOGIN = "/console/login"
PASSWORD = "correct horse battery staple"
_serial = itertools.count(1)


def _settings(tmp_path: Path, public_base_url: str = "https://intake.example.org", **overrides: Any) -> Settings:
    tmp_path.mkdir(parents=True, exist_ok=True)
    url = f"sqlite:///{tmp_path / 'web.db'}"
    migrate.upgrade(url)
    values: dict[str, Any] = {
        "data_dir": str(tmp_path / "var"),
        "database_url": url,
        "redis_url": None,
        "server": {"public_base_url": public_base_url, "trusted_proxies": 0},
        "simulator": {"enabled": False},
    }
    for key, value in overrides.items():
        if isinstance(value, dict) and isinstance(values.get(key), dict):
            values[key].update(value)
        else:
            values[key] = value
    s = load_settings(overrides=values)
    s["secrets"].update({
        "TWILIO_ACCOUNT_SID": TWILIO_SID,
        "TWILIO_AUTH_TOKEN": TWILIO_TOKEN,
        "TWILIO_WHATSAPP_FROM": "+14155238886",
        "SECRET_KEY": "web-security-test-secret-" + "k" * 24,
    })
    return s


def _app(settings: Settings) -> Any:
    """The real app factory, with an enqueue that only records (no worker, no Rasa)."""
    queued: list[int] = []
    app = create_app(settings, enqueue=queued.append)
    app.extensions["test_queued"] = queued
    return app


def _user(settings: Settings) -> str:
    email = f"coordinator{next(_serial)}@example.org"
    with session_factory(settings.database_url)() as session, session.begin():
        user, one_time = users.create_user(session, email, Role.coordinator, name="Web Security")
        users.change_password(session, user, one_time, PASSWORD)
    return email


def _csrf(client: Any, **headers: str) -> str:
    page = client.get(LOGIN, headers=headers)
    assert page.status_code == 200
    match = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page.text) or re.search(
        r'value="([^"]+)"[^>]*name="csrf_token"', page.text)
    assert match, "the login page has no csrf_token field"
    return match.group(1)


def _post_login(client: Any, email: str, password: str, **headers: str) -> Any:
    token = _csrf(client, **headers)
    return client.post(LOGIN, data={"email": email, "password": password, "csrf_token": token},
                       headers=headers, follow_redirects=False)


def _session_cookie(response: Any) -> str:
    cookies = [v for v in response.headers.getlist("Set-Cookie") if v.startswith("session=")]
    assert cookies, f"no session cookie in {response.headers.getlist('Set-Cookie')}"
    return cookies[-1]


def _attributes(set_cookie: str) -> dict[str, str | None]:
    attrs: dict[str, str | None] = {}
    for part in set_cookie.split(";")[1:]:
        key, sep, value = part.strip().partition("=")
        attrs[key.lower()] = value if sep else None
    return attrs


# ------------------------------------------------------------------ cookies


def test_https_sign_in_sets_a_secure_httponly_lax_session_cookie(tmp_path: Path) -> None:
    settings = _settings(tmp_path, "https://intake.example.org")
    app = _app(settings)
    email = _user(settings)
    resp = _post_login(app.test_client(), email, PASSWORD)
    assert resp.status_code == 302, resp.text
    attrs = _attributes(_session_cookie(resp))
    assert "secure" in attrs
    assert "httponly" in attrs
    assert (attrs.get("samesite") or "").lower() == "lax"
    # Flask-Login's remember cookie is held to the same rules.
    assert app.config["REMEMBER_COOKIE_SECURE"] is True
    assert app.config["REMEMBER_COOKIE_HTTPONLY"] is True
    assert app.config["REMEMBER_COOKIE_SAMESITE"] == "Lax"


@pytest.mark.parametrize("public_base_url", [
    "http://127.0.0.1:5000", "http://127.0.0.2:8000", "http://localhost:5000", "http://[::1]:5000",
])
def test_plain_http_on_a_loopback_host_is_not_secure(tmp_path: Path, public_base_url: str) -> None:
    settings = _settings(tmp_path, public_base_url)
    app = _app(settings)
    email = _user(settings)
    resp = _post_login(app.test_client(), email, PASSWORD)
    assert resp.status_code == 302, resp.text
    attrs = _attributes(_session_cookie(resp))
    assert "secure" not in attrs
    assert "httponly" in attrs and (attrs.get("samesite") or "").lower() == "lax"
    assert app.config["REMEMBER_COOKIE_SECURE"] is False


def test_plain_http_on_another_host_is_still_secure_and_warned_about(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    settings = _settings(tmp_path, "http://intake.example.org")
    with caplog.at_level(logging.WARNING, logger="bot.extensions"):
        app = _app(settings)
    warnings = [r for r in caplog.records if r.name == "bot.extensions" and "plain http" in r.getMessage()]
    assert len(warnings) == 1, [r.getMessage() for r in caplog.records]
    email = _user(settings)
    resp = _post_login(app.test_client(), email, PASSWORD)
    assert resp.status_code == 302, resp.text
    attrs = _attributes(_session_cookie(resp))
    assert "secure" in attrs
    assert "httponly" in attrs and (attrs.get("samesite") or "").lower() == "lax"
    assert app.config["REMEMBER_COOKIE_SECURE"] is True


# ------------------------------------------------------------------ behind a proxy


def _wrong_passwords(client: Any, forwarded_for: str | None, count: int) -> list[int]:
    """`count` wrong sign-ins, each for another address (so only the per-client limit counts)."""
    headers = {"X-Forwarded-For": forwarded_for} if forwarded_for else {}
    return [_post_login(client, f"nobody{next(_serial)}@example.org", "wrong password!", **headers).status_code
            for _ in range(count)]


def test_with_one_trusted_proxy_the_login_limit_counts_the_forwarded_client(tmp_path: Path) -> None:
    app = _app(_settings(tmp_path, server={"trusted_proxies": 1}))
    client = app.test_client()
    assert _wrong_passwords(client, "203.0.113.9", 6) == [401] * 5 + [429]
    # Another client behind the same proxy is not slowed by the first one's failures.
    assert _wrong_passwords(client, "198.51.100.7", 1) == [401]


def test_without_trusted_proxies_x_forwarded_for_is_ignored(tmp_path: Path) -> None:
    app = _app(_settings(tmp_path, server={"trusted_proxies": 0}))
    client = app.test_client()
    assert _wrong_passwords(client, "203.0.113.9", 5) == [401] * 5
    # Every request is the proxy's own address: a spoofed header does not reset the count.
    assert _wrong_passwords(client, "198.51.100.7", 1) == [429]


def _probe(app: Any) -> None:
    @app.get("/_test/whoami")
    def whoami() -> Any:
        return jsonify(remote_addr=request.remote_addr, scheme=request.scheme, host=request.host)


FORWARDED = {"X-Forwarded-For": "203.0.113.9", "X-Forwarded-Proto": "https", "X-Forwarded-Host": "intake.example.org"}


def test_trusted_proxy_headers_set_client_address_scheme_and_host(tmp_path: Path) -> None:
    app = _app(_settings(tmp_path, server={"trusted_proxies": 1}))
    _probe(app)
    seen = app.test_client().get("/_test/whoami", headers=FORWARDED).get_json()
    assert seen == {"remote_addr": "203.0.113.9", "scheme": "https", "host": "intake.example.org"}

    untrusted = _app(_settings(tmp_path / "untrusted", server={"trusted_proxies": 0}))
    _probe(untrusted)
    seen = untrusted.test_client().get("/_test/whoami", headers=FORWARDED).get_json()
    assert seen == {"remote_addr": "127.0.0.1", "scheme": "http", "host": "localhost"}


def test_console_forms_work_over_https_behind_the_proxy(tmp_path: Path) -> None:
    """Pages send no Referer (Referrer-Policy: no-referrer), so the console must not demand
    one once requests are https through the proxy."""
    settings = _settings(tmp_path, server={"trusted_proxies": 1})
    app = _app(settings)
    email = _user(settings)
    resp = _post_login(app.test_client(), email, PASSWORD, **FORWARDED)
    assert resp.status_code == 302, resp.text
    assert "secure" in _attributes(_session_cookie(resp))


def test_twilio_signatures_still_check_against_the_public_base_url_behind_the_proxy(tmp_path: Path) -> None:
    from twilio.request_validator import RequestValidator

    app = _app(_settings(tmp_path, "https://intake.example.org/intake", server={"trusted_proxies": 1}))
    form = twilio_form("SM" + "b" * 32, body="Hello from behind the proxy")
    signature = RequestValidator(TWILIO_TOKEN).compute_signature(
        "https://intake.example.org/intake" + WHATSAPP_PATH, form)
    headers = {"X-Twilio-Signature": signature, "X-Forwarded-For": "54.172.60.1",
               "X-Forwarded-Proto": "https", "X-Forwarded-Host": "proxy.internal:8443"}
    client = app.test_client()
    assert client.post(WHATSAPP_PATH, data=form, headers=headers).status_code == 200
    assert len(app.extensions["test_queued"]) == 1
    headers["X-Twilio-Signature"] = "bad" + signature
    assert client.post(WHATSAPP_PATH, data=form, headers=headers).status_code == 403


def test_trusted_proxies_comes_from_the_environment_and_must_be_a_count(tmp_path: Path) -> None:
    from bot.extensions import trusted_proxies

    assert load_settings(environ={}).get_path("server.trusted_proxies") == 0
    assert trusted_proxies(load_settings(environ={"TRUSTED_PROXIES": "2"})) == 2
    with pytest.raises(ValueError, match="trusted_proxies"):
        _app(_settings(tmp_path, server={"trusted_proxies": -1}))


# ------------------------------------------------------------------ Redis down


@pytest.fixture
def healthy_limiter_after() -> Any:
    """The limiter is one object for every app in the process: once it has found its storage
    down it stays on its in-memory fallback until a later backend check, so a later test's
    app would have its counts moved between storages mid-test. Start and end healthy."""
    from bot.extensions import limiter

    limiter._storage_dead = False  # noqa: SLF001 - Flask-Limiter keeps no public switch
    yield
    limiter._storage_dead = False  # noqa: SLF001


@pytest.mark.usefixtures("healthy_limiter_after")
def test_login_keeps_working_and_limited_when_redis_is_down(tmp_path: Path) -> None:
    closed = "redis://127.0.0.1:1/0"  # nothing listens there
    settings = _settings(tmp_path, redis_url=closed)
    app = _app(settings)
    assert app.config["RATELIMIT_STORAGE_URI"] == closed
    client = app.test_client()
    assert client.get(LOGIN).status_code == 200
    email = _user(settings)
    codes = [_post_login(client, email, "wrong password!").status_code for _ in range(6)]
    assert codes == [401] * 5 + [429]
    # A fresh client (another session) from the same address is still held by the limit.
    assert _post_login(app.test_client(), f"nobody{next(_serial)}@example.org", "wrong password!").status_code == 429
