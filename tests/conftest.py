"""Shared fixtures: settings on a temporary data folder, a migrated database
(SQLite, and PostgreSQL when DATABASE_URL_PG is set), the real Rasa and action
servers on test ports, a real SMTP server, and a recording Twilio HTTP client."""
from __future__ import annotations

import os
import socket
import tempfile
import uuid
from pathlib import Path
from typing import Any, Iterator

import pytest
from sqlalchemy import create_engine, text

# PostgreSQL and Redis for the tests: DATABASE_URL_PG / REDIS_URL_TEST, else DATABASE_URL / REDIS_URL.
if os.environ.get("DATABASE_URL", "").startswith("postgres"):
    os.environ.setdefault("DATABASE_URL_PG", os.environ["DATABASE_URL"])
if os.environ.get("REDIS_URL"):
    os.environ.setdefault("REDIS_URL_TEST", os.environ["REDIS_URL"])
# The servers the tests start listen on free ports of their own, so neither a running
# `intake run` nor a server left behind by another checkout's test run is ever reused.
_SESSION_DIR = Path(tempfile.mkdtemp(prefix="intake-tests-"))


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


os.environ.setdefault("RASA_URL", f"http://127.0.0.1:{_free_port()}")
os.environ.setdefault("ACTION_SERVER_PORT", str(_free_port()))
os.environ.setdefault("INTAKE_DATA_DIR", str(_SESSION_DIR / "var"))
for _secret in ("TWILIO_ACCOUNT_SID", "TWILIO_AUTH_TOKEN", "TWILIO_WHATSAPP_FROM", "API_TOKEN", "EMAIL_WEBHOOK_TOKEN"):
    os.environ.pop(_secret, None)
# One Rasa API token for the session's servers and every client the tests build.
os.environ["RASA_TOKEN"] = uuid.uuid4().hex

from bot import migrate  # noqa: E402
from store.config import Settings, load_settings  # noqa: E402
from store.db import session_factory  # noqa: E402
from bot.mailsink import MailSink  # noqa: E402
from tests.channels.channel_fakes import RecordingTwilioHttpClient  # noqa: E402

REPO = Path(__file__).resolve().parent.parent
SHARED = REPO.parent / "shared"
TWILIO_SID = "AC" + "1" * 32
TWILIO_TOKEN = "test-auth-token-" + "x" * 16
PUBLIC_BASE = "https://intake.example.org"


def _database_urls() -> list[Any]:
    urls: list[Any] = ["sqlite"]
    if os.environ.get("DATABASE_URL_PG"):
        urls.append("postgresql")
    return urls


@pytest.fixture(params=_database_urls())
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A fresh, migrated database: SQLite, and a throwaway PostgreSQL schema-database when available."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'intake.db'}"
        migrate.upgrade(url)
        yield url
        return
    admin_url = os.environ["DATABASE_URL_PG"].replace("postgresql://", "postgresql+psycopg://")
    name = f"intake_test_{uuid.uuid4().hex[:10]}"
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = admin_url.rsplit("/", 1)[0] + f"/{name}"
    migrate.upgrade(url)
    yield url
    from store.db import get_engine

    get_engine(url).dispose()
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture
def settings(tmp_path: Path, database_url: str) -> Settings:
    s = load_settings(
        overrides={
            "data_dir": str(tmp_path / "var"),
            "database_url": database_url,
            "server": {"public_base_url": PUBLIC_BASE},
            "rasa": {"retry_delay": 0.2},
            "worker": {"sweep_seconds": 0.2, "stale_after_seconds": 0.5, "requeue_lost_after_seconds": 2,
                       "turn_retry_base": 0.1, "turn_retry_max": 0.5},
            "outbox": {"backoff_base": 0.01, "backoff_max": 0.05},
        }
    )
    s["secrets"].update(
        {
            "TWILIO_ACCOUNT_SID": TWILIO_SID,
            "TWILIO_AUTH_TOKEN": TWILIO_TOKEN,
            "TWILIO_WHATSAPP_FROM": "+14155238886",
            "API_TOKEN": "test-api-token",
            "EMAIL_WEBHOOK_TOKEN": "test-mail-token",
        }
    )
    return s


@pytest.fixture
def factory(settings: Settings):  # type: ignore[no-untyped-def]
    return session_factory(settings.database_url)


@pytest.fixture
def test_clock(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    """Business time that a test moves forward: `test_clock(seconds)`."""
    from bot import clock

    monkeypatch.setenv(clock.CLOCK_FILE_ENV, str(tmp_path / "clock"))
    return clock.advance


@pytest.fixture
def twilio_http() -> RecordingTwilioHttpClient:
    """Twilio's HTTP client at the network edge: records requests, answers like Twilio."""
    return RecordingTwilioHttpClient()


@pytest.fixture
def mail_sink(tmp_path: Path) -> Iterator[MailSink]:
    sink = MailSink(folder=tmp_path / "mail").start()
    yield sink
    sink.stop()


@pytest.fixture(scope="session")
def rasa_servers() -> Iterator[Settings]:
    """The real trained model on a real Rasa server, and the real action server."""
    from bot.rasa_runtime import DialogueServers

    s = load_settings()
    servers = DialogueServers(s, _SESSION_DIR / "logs").start()
    yield s
    servers.stop()


def free_port() -> int:
    return _free_port()
