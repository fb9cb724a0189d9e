"""The schema comes from Alembic: upgrade, downgrade and upgrade again on each database."""
from __future__ import annotations

from sqlalchemy import inspect

from bot import migrate
from store.db import get_engine


def test_migrations_round_trip(database_url) -> None:
    tables = {"contacts", "conversations", "messages", "cases", "tickets", "outbox"}
    assert tables <= set(inspect(get_engine(database_url)).get_table_names())
    migrate.downgrade(database_url, "base")
    assert not tables & set(inspect(get_engine(database_url)).get_table_names())
    migrate.upgrade(database_url)
    inspector = inspect(get_engine(database_url))
    assert tables <= set(inspector.get_table_names())
    uniques = {tuple(u["column_names"]) for u in inspector.get_unique_constraints("messages")}
    assert ("channel", "direction", "provider_id") in uniques


def test_sqlite_runs_in_wal_mode(tmp_path) -> None:
    url = f"sqlite:///{tmp_path / 'wal.db'}"
    migrate.upgrade(url)
    with get_engine(url).connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"


def test_handed_over_conversations_move_to_waiting_and_back(database_url) -> None:
    from sqlalchemy import text

    migrate.downgrade(database_url, "0002")
    engine = get_engine(database_url)
    with engine.begin() as conn:
        conn.execute(text("INSERT INTO contacts (id, opted_out, created_at) VALUES (1, false, CURRENT_TIMESTAMP)"))
        conn.execute(text(
            "INSERT INTO conversations (id, contact_id, channel, owner, dialogue_key, created_at, updated_at) "
            "VALUES (1, 1, 'whatsapp', 'coordinator', 'k1', CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)"))
    migrate.upgrade(database_url)
    with engine.connect() as conn:
        assert conn.execute(text("SELECT owner FROM conversations")).scalar() == "waiting"
    migrate.downgrade(database_url, "0002")
    with engine.connect() as conn:
        assert conn.execute(text("SELECT owner FROM conversations")).scalar() == "coordinator"
    migrate.upgrade(database_url)
