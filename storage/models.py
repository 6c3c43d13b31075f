"""SQLAlchemy models. Channel-neutral: no Telegram-shaped keys; identities map channels to users.

Every table here is created by an Alembic migration in ``storage/migrations/versions``.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

NAMING = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def utcnow() -> datetime:
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator[datetime]):
    """Aware UTC datetimes on every backend (SQLite would hand back naive ones)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


JSONType = JSON().with_variant(JSONB(), "postgresql")


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


class Role(StrEnum):
    PRODUCER = "producer"
    OFFICER = "officer"
    PROVINCE_ADMIN = "province_admin"
    NATIONAL_ADMIN = "national_admin"


class UserStatus(StrEnum):
    NEW = "new"  # has written to the bot, not registered yet
    PENDING = "pending"  # an officer waiting for an admin's approval
    ACTIVE = "active"
    REJECTED = "rejected"
    DISABLED = "disabled"
    # Personal data deleted on request (Decree 13/2023): an anonymous placeholder kept only
    # while reports still point at it, with no identity, so nobody can write as it.
    ERASED = "erased"


class Province(Base):
    __tablename__ = "provinces"

    code: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    name: Mapped[str] = mapped_column(String(100))
    name_folded: Mapped[str] = mapped_column(String(100))
    division_type: Mapped[str] = mapped_column(String(40))


class Commune(Base):
    __tablename__ = "communes"

    code: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    province_code: Mapped[int] = mapped_column(ForeignKey("provinces.code"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    name_folded: Mapped[str] = mapped_column(String(100))
    division_type: Mapped[str] = mapped_column(String(40))


class User(Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    role: Mapped[str | None] = mapped_column(String(20))
    status: Mapped[str] = mapped_column(String(20), default=UserStatus.NEW)
    full_name: Mapped[str | None] = mapped_column(String(200))
    phone: Mapped[str | None] = mapped_column(String(20), index=True)
    language: Mapped[str] = mapped_column(String(5))
    province_code: Mapped[int | None] = mapped_column(ForeignKey("provinces.code"), index=True)
    commune_code: Mapped[int | None] = mapped_column(ForeignKey("communes.code"), index=True)
    consent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    approved_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    approved_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)

    @property
    def is_admin(self) -> bool:
        return self.status == UserStatus.ACTIVE and self.role in (
            Role.PROVINCE_ADMIN,
            Role.NATIONAL_ADMIN,
        )

    @property
    def is_registered(self) -> bool:
        return self.status not in (UserStatus.NEW, UserStatus.ERASED)


class Identity(Base):
    """One way to reach a user: a messenger and that messenger's id for them."""

    __tablename__ = "identities"
    __table_args__ = (UniqueConstraint("channel", "external_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    channel: Mapped[str] = mapped_column(String(20))
    external_id: Mapped[str] = mapped_column(String(100))
    reachable: Mapped[bool] = mapped_column(Boolean, default=True)
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class Conversation(Base):
    """The one open conversation of a user: which flow, which step, what was answered."""

    __tablename__ = "conversations"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    flow: Mapped[str] = mapped_column(String(50))
    step: Mapped[str] = mapped_column(String(50))
    data: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)


class Offer(Base):
    """The choices of the latest message with buttons that reached a user from outside their
    own conversation (an admin's "needs fixing", an approval request, a reminder), so that on
    a messenger without buttons a typed number answers it (storage/offers.py). ``choices``
    is None once the user's conversation has said something since: the notice is no longer
    the latest message, and its numbers no longer apply."""

    __tablename__ = "offers"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    choices: Mapped[list[list[str]] | None] = mapped_column(JSONType)  # [[label, payload], ...]
    offered_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


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


class Invite(Base):
    """A code that lets an officer in without waiting for approval (``/start CODE``)."""

    __tablename__ = "invites"

    code: Mapped[str] = mapped_column(String(40), primary_key=True)
    role: Mapped[str] = mapped_column(String(20))
    province_code: Mapped[int] = mapped_column(ForeignKey("provinces.code"))
    commune_code: Mapped[int | None] = mapped_column(ForeignKey("communes.code"))
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    max_uses: Mapped[int] = mapped_column(Integer, default=1)
    uses: Mapped[int] = mapped_column(Integer, default=0)
    revoked: Mapped[bool] = mapped_column(Boolean, default=False)


class AuditEntry(Base):
    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    action: Mapped[str] = mapped_column(String(50))
    detail: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class Submission(Base):
    """One filed form: a commune's report for a period, a producer's monthly report, an idea.

    ``answers`` is the latest revision (what counts); every revision is also kept in
    :class:`SubmissionRevision`. ``scope_key`` makes a shared report unique: one per commune
    (``commune:6193``) or per producer (``user:12``) per form and period.
    """

    __tablename__ = "submissions"
    __table_args__ = (
        UniqueConstraint("form_id", "period", "scope_key"),
        Index("ix_submissions_form_period_commune", "form_id", "period", "commune_code"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    form_id: Mapped[str] = mapped_column(String(40))
    period: Mapped[str] = mapped_column(String(10))  # "2024-Q2", "2024-06", "2024", ""
    scope_key: Mapped[str] = mapped_column(String(80))
    province_code: Mapped[int | None] = mapped_column(ForeignKey("provinces.code"))
    commune_code: Mapped[int | None] = mapped_column(ForeignKey("communes.code"))
    user_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    revision: Mapped[int] = mapped_column(Integer, default=1)
    receipt: Mapped[str] = mapped_column(String(30), unique=True)
    answers: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    status: Mapped[str] = mapped_column(String(20), default="submitted")
    submitted_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    # An admin's review: None (not reviewed), "needs_fix" (cần bổ sung) or "accepted".
    review_status: Mapped[str | None] = mapped_column(String(20))
    review_comment: Mapped[str | None] = mapped_column(Text)
    reviewed_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    reviewed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class ReviewStatus(StrEnum):
    NEEDS_FIX = "needs_fix"
    ACCEPTED = "accepted"


class Broadcast(Base):
    """An admin's announcement; its messages are outbox rows keyed ``broadcast:<id>:<user>``."""

    __tablename__ = "broadcasts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    text: Mapped[str] = mapped_column(Text)
    audience: Mapped[str] = mapped_column(String(20))
    province_code: Mapped[int | None] = mapped_column(ForeignKey("provinces.code"))
    commune_code: Mapped[int | None] = mapped_column(ForeignKey("communes.code"))
    recipients: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    reported_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class SubmissionRevision(Base):
    __tablename__ = "submission_revisions"
    __table_args__ = (UniqueConstraint("submission_id", "revision"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    submission_id: Mapped[int] = mapped_column(ForeignKey("submissions.id", ondelete="CASCADE"))
    revision: Mapped[int] = mapped_column(Integer)
    answers: Mapped[dict[str, Any]] = mapped_column(JSONType)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class ProductStatus(StrEnum):
    """Where a product stands in the OCOP annual cycle."""

    SUBMITTED = "submitted"
    UNDER_REVIEW = "under_review"
    SELECTED = "selected"
    NOT_SELECTED = "not_selected"
    EVALUATED = "evaluated"
    CERTIFIED = "certified"


class Product(Base):
    """A product idea or certified product and its status along the OCOP cycle."""

    __tablename__ = "products"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    submission_id: Mapped[int | None] = mapped_column(
        ForeignKey("submissions.id", ondelete="SET NULL"), unique=True
    )
    user_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    province_code: Mapped[int | None] = mapped_column(ForeignKey("provinces.code"))
    commune_code: Mapped[int | None] = mapped_column(ForeignKey("communes.code"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    producer_name: Mapped[str | None] = mapped_column(String(200))
    product_group: Mapped[str | None] = mapped_column(String(30))
    status: Mapped[str] = mapped_column(String(20), default=ProductStatus.SUBMITTED)
    stars: Mapped[int | None] = mapped_column(Integer)
    certificate_date: Mapped[date | None] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)


# -- reporting calendar and reminders (scheduler/, issue 5) ---------------------------------


class ReportSchedule(Base):
    """A report type's calendar: copied from the calendar file at start-up, changed by admins.

    ``admin_set`` names the fields an admin changed; the file no longer overrides those, and
    keeps setting the others (so a new default reminder schedule still reaches every row).
    """

    __tablename__ = "report_schedules"

    form_id: Mapped[str] = mapped_column(String(40), primary_key=True)
    period: Mapped[str] = mapped_column(String(10))
    deadline_day: Mapped[int] = mapped_column(Integer)
    deadline_month: Mapped[str] = mapped_column(String(10))
    lock_days: Mapped[int] = mapped_column(Integer)
    audience: Mapped[str] = mapped_column(String(30))
    remind_before: Mapped[list[int]] = mapped_column(JSONType, default=list)
    remind_after: Mapped[list[int]] = mapped_column(JSONType, default=list)
    remind_weekly: Mapped[bool] = mapped_column(Boolean, default=True)
    reminders_enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    admin_set: Mapped[list[str]] = mapped_column(JSONType, default=list)
    updated_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class ProvinceDeadline(Base):
    """A province's own deadline for a report type, set by its admin; a field left empty
    follows the national schedule."""

    __tablename__ = "province_deadlines"

    form_id: Mapped[str] = mapped_column(String(40), primary_key=True)
    province_code: Mapped[int] = mapped_column(
        ForeignKey("provinces.code"), primary_key=True, autoincrement=False
    )
    deadline_day: Mapped[int | None] = mapped_column(Integer)
    deadline_month: Mapped[str | None] = mapped_column(String(10))
    lock_days: Mapped[int | None] = mapped_column(Integer)
    updated_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class Campaign(Base):
    """A one-off deadline (an evaluation round, a registration drive), from the calendar
    file (``source`` "file") or an admin's command ("admin")."""

    __tablename__ = "campaigns"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    key: Mapped[str] = mapped_column(String(60), unique=True)
    title_vi: Mapped[str] = mapped_column(String(200))
    title_en: Mapped[str | None] = mapped_column(String(200))
    deadline: Mapped[date] = mapped_column(Date)
    opens: Mapped[date | None] = mapped_column(Date)
    audience: Mapped[str] = mapped_column(String(30))
    province_code: Mapped[int | None] = mapped_column(ForeignKey("provinces.code"))
    form_id: Mapped[str | None] = mapped_column(String(40))
    remind_before: Mapped[list[int]] = mapped_column(JSONType, default=list)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    source: Mapped[str] = mapped_column(String(10), default="admin")
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


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


class LinkCode(Base):
    """A short code asked for on one messenger (``/lienket``) and typed on another, to make
    both one user. Only its hash is kept; it is valid for minutes and taken once, with one
    conditional UPDATE (storage/links.py)."""

    __tablename__ = "link_codes"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    # The messenger that asked for it: the one told when the link is made.
    identity_id: Mapped[int] = mapped_column(ForeignKey("identities.id", ondelete="CASCADE"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class LinkAttempt(Base):
    """A wrong, used or expired link code typed on a messenger: codes are short, so too
    many of these in a few minutes stop that messenger from trying for a while."""

    __tablename__ = "link_attempts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    identity_id: Mapped[int] = mapped_column(
        ForeignKey("identities.id", ondelete="CASCADE"), index=True
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
