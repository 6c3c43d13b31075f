"""Reports and products: submissions and their revisions, reviews, broadcasts, the
reporting calendar (schedules, province deadlines, campaigns)."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    Boolean,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from storage.models.base import Base, JSONType, UTCDateTime, utcnow


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
    NEEDS_INFO = "needs_info"
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
    # The council's evaluation (score 0-100, round 1 or 2 of a year) and the certificate.
    score: Mapped[int | None] = mapped_column(Integer)
    evaluation_round: Mapped[int | None] = mapped_column(Integer)
    evaluation_year: Mapped[int | None] = mapped_column(Integer)
    certificate_number: Mapped[str | None] = mapped_column(String(60))
    certificate_expires: Mapped[date | None] = mapped_column(Date, index=True)
    # The reason given with the latest step (not selected, needs more information).
    status_reason: Mapped[str | None] = mapped_column(Text)
    status_changed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class ProductEvent(Base):
    """One step of a product along the OCOP cycle: who moved it, when, from where to where,
    and the reason or values given (score, stars, round, certificate) -- the history
    ``/trangthai`` shows and an auditor reads."""

    __tablename__ = "product_events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    product_id: Mapped[int] = mapped_column(
        ForeignKey("products.id", ondelete="CASCADE"), index=True
    )
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    from_status: Mapped[str | None] = mapped_column(String(20))
    to_status: Mapped[str] = mapped_column(String(20))
    reason: Mapped[str | None] = mapped_column(Text)
    details: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


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
    # An attached imported form: no period that ended before this day is expected of anyone.
    expected_from: Mapped[date | None] = mapped_column(Date, nullable=True)
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
