"""Crash-safe serialisation of a conversation's turns.

A worker claims a conversation with a conditional UPDATE that only succeeds when
no live lease exists (the same statement on SQLite and PostgreSQL, atomic on
both); it renews the lease after each turn and releases it when done. A worker
killed with -9 never releases: its lease expires and the next worker takes over.
"""
from __future__ import annotations

import os
import socket
import threading
import uuid
from datetime import timedelta

from sqlalchemy import or_, update
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from store.models import Conversation, utcnow


def worker_id() -> str:
    """Unique per claim: host, pid and a random suffix (threads of one process differ too)."""
    return f"{socket.gethostname()[:30]}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


def claim(factory: sessionmaker[Session], conversation_id: int, owner: str, ttl: float) -> bool:
    now = utcnow()
    with factory() as session, session.begin():
        result = session.execute(
            update(Conversation)
            .where(
                Conversation.id == conversation_id,
                or_(Conversation.lease_until.is_(None), Conversation.lease_until < now, Conversation.lease_owner == owner),
            )
            .values(lease_owner=owner, lease_until=now + timedelta(seconds=ttl))
            .execution_options(synchronize_session=False)
        )
        return result.rowcount == 1


def renew(factory: sessionmaker[Session], conversation_id: int, owner: str, ttl: float) -> bool:
    """Extend a lease we hold; False when it was lost (expired and taken over)."""
    with factory() as session, session.begin():
        return hold(session, conversation_id, owner, ttl)


def release(factory: sessionmaker[Session], conversation_id: int, owner: str) -> None:
    with factory() as session, session.begin():
        session.execute(
            update(Conversation)
            .where(Conversation.id == conversation_id, Conversation.lease_owner == owner)
            .values(lease_owner=None, lease_until=None)
            .execution_options(synchronize_session=False)
        )


class Heartbeat:
    """Renews a held lease every third of its TTL from a background thread, so a
    slow turn keeps its lease and a killed process loses it within one TTL."""

    def __init__(self, factory: sessionmaker[Session], conversation_id: int, owner: str, ttl: float) -> None:
        self._args = (factory, conversation_id, owner, ttl)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name=f"lease-{conversation_id}", daemon=True)
        self.lost = False

    def _run(self) -> None:
        factory, conversation_id, owner, ttl = self._args
        while not self._stop.wait(ttl / 3):
            try:
                if not renew(factory, conversation_id, owner, ttl):
                    self.lost = True
                    return
            except SQLAlchemyError:
                # A busy database: the next beat tries again well inside the TTL.
                continue

    def __enter__(self) -> "Heartbeat":
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join(timeout=5)


def hold(session: Session, conversation_id: int, owner: str, ttl: float) -> bool:
    """Inside the transaction that applies a turn: renew the lease, or learn it was
    lost (the turn is then discarded and the new holder redoes it)."""
    result = session.execute(
        update(Conversation)
        .where(Conversation.id == conversation_id, Conversation.lease_owner == owner)
        .values(lease_until=utcnow() + timedelta(seconds=ttl))
        .execution_options(synchronize_session=False)
    )
    return result.rowcount == 1
