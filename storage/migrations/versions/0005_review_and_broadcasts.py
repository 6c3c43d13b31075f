"""Admin work: the review of a submission ("cần bổ sung" with a comment) and broadcasts.

Revision ID: 0005
Revises: 0002
Create Date: 2026-11-23
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "broadcasts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=True),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("audience", sa.String(length=20), nullable=False),
        sa.Column("province_code", sa.Integer(), nullable=True),
        sa.Column("commune_code", sa.Integer(), nullable=True),
        sa.Column("recipients", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("reported_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["author_id"], ["users.id"],
                                name=op.f("fk_broadcasts_author_id_users"), ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["commune_code"], ["communes.code"],
                                name=op.f("fk_broadcasts_commune_code_communes")),
        sa.ForeignKeyConstraint(["province_code"], ["provinces.code"],
                                name=op.f("fk_broadcasts_province_code_provinces")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_broadcasts")),
    )
    with op.batch_alter_table("submissions", schema=None) as batch_op:
        batch_op.add_column(sa.Column("review_status", sa.String(length=20), nullable=True))
        batch_op.add_column(sa.Column("review_comment", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("reviewed_by", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("reviewed_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_submissions_reviewed_by_users"), "users", ["reviewed_by"], ["id"],
            ondelete="SET NULL",
        )


def downgrade() -> None:
    op.drop_table("broadcasts")
    with op.batch_alter_table("submissions", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_submissions_reviewed_by_users"), type_="foreignkey")
        batch_op.drop_column("reviewed_at")
        batch_op.drop_column("reviewed_by")
        batch_op.drop_column("review_comment")
        batch_op.drop_column("review_status")
