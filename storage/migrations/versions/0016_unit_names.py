"""Unit names as storage/units.py now loads them (``tidy``): the ten the vietnam-provinces
package writes with a doubled space ("Xã  Phú Hữu") with one, and the 22 it writes with the
tone mark on the other vowel ("Xã Chiêm Hoá", "Phường Thuỷ Nguyên") as the bot writes
everything else ("Hóa", "Thủy"). The chat, the exports and the dashboard showed them.

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
    from storage.units import tidy  # the rule the loader applies, not a copy of it

    bind = op.get_bind()
    for table in ("provinces", "communes"):
        for code, name in bind.execute(sa.text(f"SELECT code, name FROM {table}")).all():
            if tidy(name) != name:
                bind.execute(
                    sa.text(f"UPDATE {table} SET name = :name WHERE code = :code"),
                    {"name": tidy(name), "code": code},
                )


def downgrade() -> None:
    """Nothing to undo: the tidied names are the same names."""
