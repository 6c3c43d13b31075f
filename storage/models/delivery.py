"""What comes in and goes out: seen messages, the outbox and its leases, background
jobs, messages set aside, stored files and the app's secrets."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    BigInteger,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
)
from sqlalchemy.orm import Mapped, mapped_column

from storage.models.base import Base, JSONType, UTCDateTime, utcnow


class SeenMessage(Base):
    """Inbound messages already processed, so a platform's redelivery is dropped."""

    __tablename__ = "seen_messages"

    channel: Mapped[str] = mapped_column(String(20), primary_key=True)
    message_id: Mapped[str] = mapped_column(String(100), primary_key=True)
    seen_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class JobStatus(StrEnum):
    PENDING = "pending"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"


class BackgroundJob(Base):
    """Work a message asked for that runs after its commit (an export). A row, not only a
    task in memory, so that a restart picks it up again instead of forgetting it."""

    __tablename__ = "jobs"
    __table_args__ = (Index("ix_jobs_status", "status", "started_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(30))
    params: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    channel: Mapped[str] = mapped_column(String(20))
    address: Mapped[str] = mapped_column(String(100))
    language: Mapped[str] = mapped_column(String(5))
    status: Mapped[str] = mapped_column(String(10), default=JobStatus.PENDING)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    started_by: Mapped[str | None] = mapped_column(String(64))  # the process (its heartbeat)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class SetAsideMessage(Base):
    """A message whose handling failed again and again although the database answered:
    kept here (not retried for ever, not dropped) for an admin to look at."""

    __tablename__ = "set_aside_messages"

    id: Mapped[int] = mapped_column(primary_key=True)
    channel: Mapped[str] = mapped_column(String(20))
    message_id: Mapped[str] = mapped_column(String(100))
    address: Mapped[str] = mapped_column(String(100))
    kind: Mapped[str] = mapped_column(String(20))
    text: Mapped[str | None] = mapped_column(Text)
    attempts: Mapped[int] = mapped_column(Integer)
    error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class OutboxStatus(StrEnum):
    PENDING = "pending"
    SENT = "sent"
    FAILED = "failed"  # permanently refused by the platform
    BLOCKED = "blocked"  # the user blocked the bot


class OutboxMessage(Base):
    """A reply, reminder or broadcast, committed before it is sent so nothing is lost."""

    __tablename__ = "outbox"
    __table_args__ = (
        Index("ix_outbox_due", "status", "channel", "next_attempt_at"),
        Index("ix_outbox_chat", "channel", "address", "status", "id"),
    )

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    channel: Mapped[str] = mapped_column(String(20))
    address: Mapped[str] = mapped_column(String(100))
    payload: Mapped[dict[str, Any]] = mapped_column(JSONType)
    status: Mapped[str] = mapped_column(String(10), default=OutboxStatus.PENDING)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    dedupe_key: Mapped[str | None] = mapped_column(String(200), unique=True)
    error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # Which sender holds the lease (see storage/leases.py): a dead holder's rows are freed
    # within seconds instead of waiting out the lease.
    leased_by: Mapped[str | None] = mapped_column(String(64))
    # Pieces of a long reply the platform already confirmed: a retry, even after a crash,
    # goes on from the next piece instead of sending the first ones again.
    parts_sent: Mapped[int] = mapped_column(Integer, default=0, server_default="0")


class SenderHeartbeat(Base):
    """A live outbox sender says so every few seconds; one that stops is taken for dead."""

    __tablename__ = "sender_heartbeats"

    holder: Mapped[str] = mapped_column(String(64), primary_key=True)
    beat_at: Mapped[datetime] = mapped_column(UTCDateTime())


class StoredFile(Base):
    """A file the bot keeps itself: a photo someone sent (Zalo's photo URLs expire), or an
    export waiting behind a download link. The bytes live in :class:`FileChunk` rows, so
    every worker can serve them, a database backup holds them, and nothing needs a whole
    file in memory. ``expires_at`` is None for what is kept (photos in reports); anything
    past it is deleted by the retention purge. AUTOINCREMENT on SQLite: an id is never
    reused, so an old link can never name a newer file."""

    __tablename__ = "files"
    __table_args__ = (Index("ix_files_expires_at", "expires_at"), {"sqlite_autoincrement": True})

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))  # photo, export, document
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    filename: Mapped[str] = mapped_column(String(200))
    content_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int] = mapped_column(BigInteger, default=0)
    chunks: Mapped[int] = mapped_column(Integer, default=0)
    # Where it came from ("zalo:m<message id>", a document's digest): a repeat reuses it.
    source: Mapped[str | None] = mapped_column(String(200), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class FileChunk(Base):
    """One piece of a stored file (storage/files.py: 256 KiB each), read one at a time."""

    __tablename__ = "file_chunks"

    file_id: Mapped[int] = mapped_column(
        ForeignKey("files.id", ondelete="CASCADE"), primary_key=True, autoincrement=False
    )
    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    data: Mapped[bytes] = mapped_column(LargeBinary)


class AppSecret(Base):
    """A secret every worker must share (the key that signs download links), made by the
    first process that needs it when no setting gives one."""

    __tablename__ = "app_secrets"

    name: Mapped[str] = mapped_column(String(50), primary_key=True)
    value: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


# -- one person on several messengers (/lienket, issue 14) ----------------------------------
