"""Unit names with a doubled space ("Xã  Phú Hữu", ten communes as the vietnam-provinces
package writes them) are stored with one, as storage/units.py now loads them: the chat,
the exports and the dashboard showed the double space.

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-03
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0016"
down_revision: str | Sequence[str] | None = "0015"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    bind = op.get_bind()
    for table in ("provinces", "communes"):
        rows = bind.execute(
            sa.text(f"SELECT code, name FROM {table} WHERE name LIKE '%  %' OR name LIKE ' %'")
        ).all()
        for code, name in rows:
            bind.execute(
                sa.text(f"UPDATE {table} SET name = :name WHERE code = :code"),
                {"name": " ".join(name.split()), "code": code},
            )


def downgrade() -> None:
    """Nothing to undo: the single-spaced names are the same names."""
