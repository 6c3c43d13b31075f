"""``report_schedules.expected_from``: the first day a report attached to the calendar is
expected (an imported form attached with ``/lich ... gan`` or ``forms attach``), so that
attaching a monthly form on 3 December does not make every commune "late" for October.

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-03
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0015"
down_revision: str | Sequence[str] | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("report_schedules") as batch:
        batch.add_column(sa.Column("expected_from", sa.Date(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("report_schedules") as batch:
        batch.drop_column("expected_from")
