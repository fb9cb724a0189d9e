"""The schema comes from Alembic: upgrade, downgrade and upgrade again on each database."""
from __future__ import annotations

import pytest
from sqlalchemy import inspect, text
from sqlalchemy.engine import Connection
from sqlalchemy.exc import IntegrityError

from bot import migrate
from store.db import get_engine


def _conversation(conn: Connection, owner: str) -> None:
    """Contact 1 and its WhatsApp conversation 1, as any schema since 0001 holds them."""
    conn.execute(text("INSERT INTO contacts (id, opted_out, created_at) VALUES (1, false, CURRENT_TIMESTAMP)"))
    conn.execute(text(
        "INSERT INTO conversations (id, contact_id, channel, owner, dialogue_key, created_at, updated_at) "
        "VALUES (1, 1, 'whatsapp', :owner, 'k1', CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)"), {"owner": owner})


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
        _conversation(conn, "coordinator")
    migrate.upgrade(database_url)
    with engine.connect() as conn:
        assert conn.execute(text("SELECT owner FROM conversations")).scalar() == "waiting"
    migrate.downgrade(database_url, "0002")
    with engine.connect() as conn:
        assert conn.execute(text("SELECT owner FROM conversations")).scalar() == "coordinator"
    migrate.upgrade(database_url)


def _seed_messages_at_0006(database_url: str) -> None:
    migrate.downgrade(database_url, "0006")
    with get_engine(database_url).begin() as conn:
        _conversation(conn, "bot")
        columns = "conversation_id, direction, channel, body, attachments, created_at"
        conn.execute(text(f"INSERT INTO messages (id, status, reply_to_id, {columns}) VALUES "
                          "(1, 'failed', NULL, 1, 'inbound', 'whatsapp', 'hi', '[]', CURRENT_TIMESTAMP), "
                          "(2, 'undelivered', 1, 1, 'outbound', 'whatsapp', 'yo', '[]', CURRENT_TIMESTAMP), "
                          "(3, 'routed_to_ticket', NULL, 1, 'inbound', 'whatsapp', 'hey', '[]', CURRENT_TIMESTAMP)"))
        conn.execute(text(
            "INSERT INTO outbox (id, message_id, channel, recipient, payload, status, attempts, next_attempt_at, created_at) "
            "VALUES (1, 2, 'whatsapp', '+15550001', '{}', 'sent', 1, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)"))


def test_message_status_splits_by_direction_and_back(database_url) -> None:
    """0007: each row's status lands in its direction's column and comes back on downgrade;
    the table is never copied, so outbox rows and reply links survive on SQLite too."""
    _seed_messages_at_0006(database_url)
    engine = get_engine(database_url)
    migrate.upgrade(database_url, "0007")
    with engine.connect() as conn:
        rows = conn.execute(text("SELECT id, inbound_status, delivery_status, reply_to_id FROM messages ORDER BY id")).all()
        assert [tuple(r) for r in rows] == [(1, "failed", None, None), (2, None, "undelivered", 1),
                                            (3, "routed_to_ticket", None, None)]
        assert conn.execute(text("SELECT message_id FROM outbox")).scalar() == 2
    inspector = inspect(engine)
    assert "status" not in {c["name"] for c in inspector.get_columns("messages")}
    assert {"ix_messages_inbound_status"} <= {i["name"] for i in inspector.get_indexes("messages")}
    assert "ix_messages_status" not in {i["name"] for i in inspector.get_indexes("messages")}
    for wrong in ("UPDATE messages SET delivery_status = 'sent' WHERE id = 1",
                  "UPDATE messages SET delivery_status = NULL WHERE id = 2",
                  "INSERT INTO messages (id, conversation_id, direction, channel, body, attachments, created_at, "
                  "inbound_status) VALUES (9, 1, 'outbound', 'whatsapp', '', '[]', CURRENT_TIMESTAMP, 'received')"):
        with pytest.raises(IntegrityError), engine.begin() as conn:
            conn.execute(text(wrong))
    migrate.downgrade(database_url, "0006")
    with engine.connect() as conn:
        rows = conn.execute(text("SELECT id, status, reply_to_id FROM messages ORDER BY id")).all()
        assert [tuple(r) for r in rows] == [(1, "failed", None), (2, "undelivered", 1), (3, "routed_to_ticket", None)]
        assert conn.execute(text("SELECT message_id FROM outbox")).scalar() == 2
    inspector = inspect(engine)
    assert not {"inbound_status", "delivery_status"} & {c["name"] for c in inspector.get_columns("messages")}
    assert "ix_messages_status" in {i["name"] for i in inspector.get_indexes("messages")}
    migrate.upgrade(database_url)


def test_a_populated_database_keeps_every_row_through_every_upgrade(database_url) -> None:
    """Batch migrations copy tables on SQLite; with foreign keys on, dropping the old
    `messages` would cascade to the outbox. migrations/env.py turns them off meanwhile."""
    migrate.downgrade(database_url, "0001")
    engine = get_engine(database_url)
    with engine.begin() as conn:
        _conversation(conn, "bot")
        conn.execute(text(
            "INSERT INTO messages (id, conversation_id, direction, channel, status, body, attachments, created_at) "
            "VALUES (1, 1, 'outbound', 'whatsapp', 'sent', 'hello', '[]', CURRENT_TIMESTAMP)"))
        conn.execute(text(
            "INSERT INTO outbox (id, message_id, channel, recipient, payload, status, attempts, next_attempt_at, created_at) "
            "VALUES (1, 1, 'whatsapp', '+15550001', '{}', 'sent', 1, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)"))
    migrate.upgrade(database_url)
    with engine.connect() as conn:
        assert conn.execute(text("SELECT id, message_id FROM outbox")).all() == [(1, 1)]
        assert conn.execute(text("SELECT delivery_status FROM messages")).scalar() == "sent"
        if conn.dialect.name == "sqlite":
            assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1


def test_the_migrated_schema_is_the_models_schema(database_url) -> None:
    """What Alembic autogenerate would still find to change after every migration: nothing."""
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    from store.models import Base

    with get_engine(database_url).connect() as conn:
        assert compare_metadata(MigrationContext.configure(conn), Base.metadata) == []
