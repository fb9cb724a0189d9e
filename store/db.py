"""Engine and sessions. SQLite runs in WAL mode so the gateway and worker can share it."""
from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache
from pathlib import Path

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.orm import Session, sessionmaker


@lru_cache(maxsize=8)
def get_engine(url: str) -> Engine:
    """One engine per URL per process."""
    if url.startswith("sqlite"):
        path = url.split("///", 1)[-1]
        if path and path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"timeout": 30, "check_same_thread": False})

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_conn, _record) -> None:  # type: ignore[no-untyped-def]
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute("PRAGMA busy_timeout=30000")
            cur.close()

        return engine
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://"):]
    return create_engine(url, pool_pre_ping=True)


_ON_COMMIT = "intake.on_commit"


def on_commit(session: Session, fn: Callable[[], None]) -> None:
    """Run `fn` once the session's transaction has committed, never if it rolls back
    (side effects of a state change, STYLE 5: zulip's send_event_on_commit)."""
    session.info.setdefault(_ON_COMMIT, []).append(fn)


@event.listens_for(Session, "after_commit")
def _run_on_commit(session: Session) -> None:
    for fn in session.info.pop(_ON_COMMIT, []):
        fn()


@event.listens_for(Session, "after_rollback")
def _drop_on_rollback(session: Session) -> None:
    session.info.pop(_ON_COMMIT, None)


def session_factory(url: str) -> sessionmaker[Session]:
    return sessionmaker(bind=get_engine(url), expire_on_commit=False)
