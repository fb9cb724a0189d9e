"""Typed SQLAlchemy 2 models. The schema itself is created only by Alembic migrations."""
from __future__ import annotations

import enum
import uuid
from datetime import date, datetime, timezone
from typing import Any

from sqlalchemy import (
    Numeric,
    JSON,
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    Enum,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from store.states import DeliveryStatus, InboundStatus, Owner, Role, TicketStatus


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


def new_key() -> str:
    return uuid.uuid4().hex


class Base(DeclarativeBase):
    type_annotation_map = {dict[str, Any]: JSON, list[Any]: JSON}


class Direction(str, enum.Enum):
    inbound = "inbound"
    outbound = "outbound"


class OutboxStatus(str, enum.Enum):
    pending = "pending"  # waiting for its (next) attempt
    sending = "sending"  # claimed by a worker until lease_until
    sent = "sent"
    failed = "failed"


def _enum(cls: type[enum.Enum]) -> Enum:
    return Enum(cls, name=cls.__name__.lower(), native_enum=False, length=24)


# Which status column a message uses is decided by its direction (migration 0007).
STATUS_BY_DIRECTION = (
    "(direction = 'inbound' AND inbound_status IS NOT NULL AND delivery_status IS NULL)"
    " OR (direction = 'outbound' AND delivery_status IS NOT NULL AND inbound_status IS NULL)"
)


class Contact(Base):
    __tablename__ = "contacts"

    id: Mapped[int] = mapped_column(primary_key=True)
    whatsapp: Mapped[str | None] = mapped_column(String(32), unique=True)
    email: Mapped[str | None] = mapped_column(String(320), unique=True)
    simulator_id: Mapped[str | None] = mapped_column(String(64), unique=True)
    name: Mapped[str | None] = mapped_column(String(200))
    opted_out: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    conversations: Mapped[list[Conversation]] = relationship(back_populates="contact")

    def __repr__(self) -> str:
        return f"<Contact {self.id}>"


class Conversation(Base):
    __tablename__ = "conversations"

    id: Mapped[int] = mapped_column(primary_key=True)
    contact_id: Mapped[int] = mapped_column(ForeignKey("contacts.id", ondelete="CASCADE"), index=True)
    channel: Mapped[str] = mapped_column(String(16))
    owner: Mapped[Owner] = mapped_column(_enum(Owner), default=Owner.bot)
    # Rasa sender id: random so trackers never collide across databases.
    dialogue_key: Mapped[str] = mapped_column(String(64), unique=True, default=new_key)
    thread_key: Mapped[str | None] = mapped_column(String(998))
    subject: Mapped[str | None] = mapped_column(String(998))
    # The worker that processes this conversation holds a lease; a crashed worker's
    # lease simply expires and the next worker takes over (bot/leases.py).
    lease_owner: Mapped[str | None] = mapped_column(String(64))
    lease_until: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # When the next retry is due after the dialogue was unavailable or a turn failed.
    retry_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # Set when the sweep queues the conversation, cleared when its task starts: the
    # sweep never queues it twice (only again if that task was lost, after a while).
    queued_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # A stalled intake gets one reminder (bot/stalled.py).
    reminded_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, onupdate=utcnow)

    contact: Mapped[Contact] = relationship(back_populates="conversations")
    messages: Mapped[list[Message]] = relationship(back_populates="conversation", order_by="Message.id")
    case: Mapped[Case | None] = relationship(back_populates="conversation", uselist=False)

    def __repr__(self) -> str:
        return f"<Conversation {self.id} {self.channel} owner={self.owner.value}>"


class Message(Base):
    __tablename__ = "messages"
    # A provider retry (same MessageSid / Message-ID) can never create a second row;
    # an inbound row has only an inbound status, an outbound row only a delivery status.
    __table_args__ = (
        UniqueConstraint("channel", "direction", "provider_id", name="uq_messages_provider"),
        CheckConstraint(STATUS_BY_DIRECTION, name="ck_messages_status_direction"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    conversation_id: Mapped[int] = mapped_column(ForeignKey("conversations.id", ondelete="CASCADE"), index=True)
    direction: Mapped[Direction] = mapped_column(_enum(Direction))
    channel: Mapped[str] = mapped_column(String(16))
    provider_id: Mapped[str | None] = mapped_column(String(998))
    # Inbound only: what became of the patient's message (the worker looks for `received`).
    inbound_status: Mapped[InboundStatus | None] = mapped_column(_enum(InboundStatus), index=True)
    # Outbound only: how far the message got to the patient (bot.delivery_status).
    delivery_status: Mapped[DeliveryStatus | None] = mapped_column(_enum(DeliveryStatus))
    body: Mapped[str] = mapped_column(Text, default="")
    subject: Mapped[str | None] = mapped_column(String(998))
    language: Mapped[str | None] = mapped_column(String(16))  # the language it is written in, when known
    attachments: Mapped[list[Any]] = mapped_column(JSON, default=list)
    error_code: Mapped[str | None] = mapped_column(String(32))
    # Inbound: failed processing attempts (poison messages stop after a limit).
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(Text)
    # Inbound: what the gateway must tell the patient besides the bot's answer
    # (message catalog keys: an e-mail over the size limit, media that were not kept).
    notices: Mapped[list[Any] | None] = mapped_column(JSON, default=list)
    # Outbound: the inbound message this reply answers.
    reply_to_id: Mapped[int | None] = mapped_column(ForeignKey("messages.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    processed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    conversation: Mapped[Conversation] = relationship(back_populates="messages")

    @property
    def status_value(self) -> str | None:
        """The status in its direction's vocabulary (received..., queued...): for JSON and logs."""
        status = self.inbound_status or self.delivery_status
        return status.value if status else None

    def __repr__(self) -> str:
        return f"<Message {self.id} {self.direction.value} {self.status_value}>"


class Case(Base):
    __tablename__ = "cases"

    id: Mapped[int] = mapped_column(primary_key=True)
    public_id: Mapped[str] = mapped_column(String(32), unique=True)
    conversation_id: Mapped[int] = mapped_column(
        ForeignKey("conversations.id", ondelete="CASCADE"), unique=True
    )
    # The case body as the dialogue built it (facts, recommendation, estimate).
    data: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    # Where each fact came from: {"diagnosis.stage": <inbound message id>, ...}, set by
    # the turn that first gave the field its current value (the console links to it).
    sources: Mapped[dict[str, int] | None] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, onupdate=utcnow)

    conversation: Mapped[Conversation] = relationship(back_populates="case")
    tickets: Mapped[list[Ticket]] = relationship(back_populates="case", order_by="Ticket.id")
    adjustments: Mapped[list[EstimateAdjustment]] = relationship(
        back_populates="case", order_by="EstimateAdjustment.id", cascade="all, delete-orphan", passive_deletes=True
    )

    def __repr__(self) -> str:
        return f"<Case {self.public_id}>"


class EstimateAdjustment(Base):
    """A coordinator changed one estimate item's range, with a reason: the estimate's history."""

    __tablename__ = "estimate_adjustments"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    code: Mapped[str] = mapped_column(String(64))
    old_low: Mapped[float | None] = mapped_column(Numeric(12, 2, asdecimal=False))
    old_high: Mapped[float | None] = mapped_column(Numeric(12, 2, asdecimal=False))
    low: Mapped[float] = mapped_column(Numeric(12, 2, asdecimal=False))
    high: Mapped[float] = mapped_column(Numeric(12, 2, asdecimal=False))
    reason: Mapped[str] = mapped_column(Text)
    author: Mapped[str] = mapped_column(String(320))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    case: Mapped[Case] = relationship(back_populates="adjustments")


class Ticket(Base):
    __tablename__ = "tickets"
    # At most one unresolved ticket per case, enforced by the database.
    __table_args__ = (
        Index(
            "uq_tickets_one_open_per_case",
            "case_id",
            unique=True,
            sqlite_where=text("status != 'resolved'"),
            postgresql_where=text("status != 'resolved'"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    public_id: Mapped[str] = mapped_column(String(32), unique=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    status: Mapped[TicketStatus] = mapped_column(_enum(TicketStatus), default=TicketStatus.open)
    priority: Mapped[str] = mapped_column(String(16))
    reason: Mapped[str] = mapped_column(String(32))
    due_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    assignee: Mapped[str | None] = mapped_column(String(200))
    flagged: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, onupdate=utcnow)

    case: Mapped[Case] = relationship(back_populates="tickets")

    def __repr__(self) -> str:
        return f"<Ticket {self.public_id} {self.status.value} {self.priority}>"


class OutboxItem(Base):
    """A send waiting to happen, written in the same transaction as the state it reports."""

    __tablename__ = "outbox"

    id: Mapped[int] = mapped_column(primary_key=True)
    message_id: Mapped[int | None] = mapped_column(ForeignKey("messages.id", ondelete="CASCADE"), index=True)
    channel: Mapped[str] = mapped_column(String(16))
    recipient: Mapped[str] = mapped_column(String(320))
    payload: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    status: Mapped[OutboxStatus] = mapped_column(_enum(OutboxStatus), default=OutboxStatus.pending, index=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    # A worker claims the item (status `sending`) until lease_until before calling the provider.
    lease_until: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # Set when a delivery task is queued (by the turn that wrote it, or the sweep),
    # cleared when the task starts: at most one queued task per item; a lost task
    # (its worker was killed) is replaced after `worker.requeue_lost_after_seconds`.
    queued_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), default=utcnow)
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    parts: Mapped[list[OutboxPart]] = relationship(order_by="OutboxPart.position", cascade="all, delete-orphan")

    def __repr__(self) -> str:
        return f"<OutboxItem {self.id} {self.channel} {self.status.value}>"


class OutboxPart(Base):
    """One provider message of an outbox item (a long WhatsApp text goes out in
    several): its own provider id and status, so a retry resumes at the first unsent part."""

    __tablename__ = "outbox_parts"
    __table_args__ = (UniqueConstraint("outbox_id", "position", name="uq_outbox_parts_position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    outbox_id: Mapped[int] = mapped_column(ForeignKey("outbox.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    text: Mapped[str] = mapped_column(Text)
    # pending -> attempted (sent, answer not yet recorded) -> the provider's status
    # (queued, sent, delivered, read, or failed/undelivered/canceled)
    status: Mapped[str] = mapped_column(String(24), default="pending")
    provider_id: Mapped[str | None] = mapped_column(String(998), unique=True)
    error_code: Mapped[str | None] = mapped_column(String(32))
    attempted_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    sent_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    def __repr__(self) -> str:
        return f"<OutboxPart {self.outbox_id}.{self.position} {self.status}>"


class StatusEvent(Base):
    """A provider status callback that arrived before its message id was stored;
    applied when the id lands (Twilio can call back before the send returns)."""

    __tablename__ = "status_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    provider_id: Mapped[str] = mapped_column(String(998), index=True)
    status: Mapped[str] = mapped_column(String(24))
    error_code: Mapped[str | None] = mapped_column(String(32))
    received_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    def __repr__(self) -> str:
        return f"<StatusEvent {self.id} {self.status}>"


class Note(Base):
    """A coordinator's private note on a ticket (never sent to the patient)."""

    __tablename__ = "notes"

    id: Mapped[int] = mapped_column(primary_key=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id", ondelete="CASCADE"), index=True)
    author: Mapped[str] = mapped_column(String(320))
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    def __repr__(self) -> str:
        return f"<Note {self.id} on ticket {self.ticket_id}>"


class User(Base):
    """A person who signs in to the console: a coordinator or an admin."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(320), unique=True)
    name: Mapped[str | None] = mapped_column(String(200))
    role: Mapped[Role] = mapped_column(_enum(Role), default=Role.coordinator)
    password_hash: Mapped[str] = mapped_column(String(200))
    # A one-time password (from `intake user add` or an admin) must be changed first.
    must_change_password: Mapped[bool] = mapped_column(Boolean, default=True)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    failed_logins: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # Changes on every password change, so older sessions stop working.
    session_key: Mapped[str] = mapped_column(String(32), default=new_key)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    last_login_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    def __repr__(self) -> str:
        return f"<User {self.id} {self.role.value}>"


class AuditEntry(Base):
    """Who looked at or changed what, and when: every case view and console action."""

    __tablename__ = "audit_log"
    __table_args__ = (Index("ix_audit_log_at", "at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    actor: Mapped[str] = mapped_column(String(320))
    action: Mapped[str] = mapped_column(String(64), index=True)
    case_id: Mapped[int | None] = mapped_column(ForeignKey("cases.id", ondelete="SET NULL"), index=True)
    ticket_id: Mapped[int | None] = mapped_column(ForeignKey("tickets.id", ondelete="SET NULL"), index=True)
    detail: Mapped[dict[str, Any]] = mapped_column(default=dict)

    def __repr__(self) -> str:
        return f"<AuditEntry {self.id} {self.action}>"


class DigestDay(Base):
    """A day whose coordinator digest was queued: the primary key makes it once per day,
    whichever worker gets there first and however often the worker restarts."""

    __tablename__ = "digest_days"

    day: Mapped[date] = mapped_column(Date, primary_key=True)
    queued_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    tickets: Mapped[int] = mapped_column(Integer, default=0)

    def __repr__(self) -> str:
        return f"<DigestDay {self.day.isoformat()}>"
