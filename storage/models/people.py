"""People and places: provinces, communes, users and their messenger identities,
conversations, offers, invites, the audit log and messenger links."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    Boolean,
    ForeignKey,
    Integer,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from storage.models.base import Base, JSONType, UTCDateTime, utcnow


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
