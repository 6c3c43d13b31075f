"""Forms installed from XLSForm workbooks, every version kept (``installed_forms``, issue 16).

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-02
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0013"
down_revision: str | Sequence[str] | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

JSON_TYPE = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")


def upgrade() -> None:
    op.create_table(
        "installed_forms",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("form_id", sa.String(length=40), nullable=False),
        sa.Column("version", sa.String(length=40), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("definition", JSON_TYPE, nullable=False),
        sa.Column("source", JSON_TYPE, nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("chat", JSON_TYPE, nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("installed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("installed_by", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["installed_by"], ["users.id"],
            name=op.f("fk_installed_forms_installed_by_users"), ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_installed_forms")),
        sa.UniqueConstraint(
            "form_id", "version", name=op.f("uq_installed_forms_form_id_version")
        ),
    )
    with op.batch_alter_table("installed_forms", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_installed_forms_form_id"), ["form_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("installed_forms", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_installed_forms_form_id"))
    op.drop_table("installed_forms")
