"""The reporting calendar: report schedules, provinces' own deadlines, one-off campaigns.

Reminders themselves are outbox rows (their dedupe key makes each one unique), so they
need no table of their own.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-23
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")


def upgrade() -> None:
    op.create_table(
        "report_schedules",
        sa.Column("form_id", sa.String(length=40), nullable=False),
        sa.Column("period", sa.String(length=10), nullable=False),
        sa.Column("deadline_day", sa.Integer(), nullable=False),
        sa.Column("deadline_month", sa.String(length=10), nullable=False),
        sa.Column("lock_days", sa.Integer(), nullable=False),
        sa.Column("audience", sa.String(length=30), nullable=False),
        sa.Column("remind_before", JSON, nullable=False),
        sa.Column("remind_after", JSON, nullable=False),
        sa.Column("remind_weekly", sa.Boolean(), nullable=False),
        sa.Column("reminders_enabled", sa.Boolean(), nullable=False),
        sa.Column("admin_set", JSON, nullable=False),
        sa.Column("updated_by", sa.Integer(), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["updated_by"], ["users.id"],
            name=op.f("fk_report_schedules_updated_by_users"), ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("form_id", name=op.f("pk_report_schedules")),
    )
    op.create_table(
        "province_deadlines",
        sa.Column("form_id", sa.String(length=40), nullable=False),
        sa.Column("province_code", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("deadline_day", sa.Integer(), nullable=True),
        sa.Column("deadline_month", sa.String(length=10), nullable=True),
        sa.Column("lock_days", sa.Integer(), nullable=True),
        sa.Column("updated_by", sa.Integer(), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["province_code"], ["provinces.code"],
            name=op.f("fk_province_deadlines_province_code_provinces"),
        ),
        sa.ForeignKeyConstraint(
            ["updated_by"], ["users.id"],
            name=op.f("fk_province_deadlines_updated_by_users"), ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("form_id", "province_code", name=op.f("pk_province_deadlines")),
    )
    op.create_table(
        "campaigns",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=60), nullable=False),
        sa.Column("title_vi", sa.String(length=200), nullable=False),
        sa.Column("title_en", sa.String(length=200), nullable=True),
        sa.Column("deadline", sa.Date(), nullable=False),
        sa.Column("opens", sa.Date(), nullable=True),
        sa.Column("audience", sa.String(length=30), nullable=False),
        sa.Column("province_code", sa.Integer(), nullable=True),
        sa.Column("form_id", sa.String(length=40), nullable=True),
        sa.Column("remind_before", JSON, nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("source", sa.String(length=10), nullable=False),
        sa.Column("created_by", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["created_by"], ["users.id"],
            name=op.f("fk_campaigns_created_by_users"), ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["province_code"], ["provinces.code"],
            name=op.f("fk_campaigns_province_code_provinces"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_campaigns")),
        sa.UniqueConstraint("key", name=op.f("uq_campaigns_key")),
    )


def downgrade() -> None:
    op.drop_table("campaigns")
    op.drop_table("province_deadlines")
    op.drop_table("report_schedules")
