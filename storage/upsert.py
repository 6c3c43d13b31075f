"""Dialect-aware ``INSERT ... ON CONFLICT DO NOTHING`` (SQLite and PostgreSQL both have it)."""

from __future__ import annotations

from typing import Any

from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession


async def insert_ignore(session: AsyncSession, table: Any, values: dict[str, Any]) -> bool:
    """Insert a row unless it collides with a unique key; True when it was inserted."""
    dialect = session.get_bind().dialect.name
    module = postgresql if dialect == "postgresql" else sqlite
    statement = module.insert(table).values(**values).on_conflict_do_nothing()
    result = await session.execute(statement)
    return bool(result.rowcount)  # type: ignore[attr-defined]
