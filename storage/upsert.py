"""Dialect-aware ``INSERT ... ON CONFLICT DO NOTHING`` (SQLite and PostgreSQL both have it)."""

from __future__ import annotations

from functools import cache
from typing import Any

from sqlalchemy import Insert, Table
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession


@cache
def insert_ignore_statement(dialect: str, table: Table) -> Insert:
    """``INSERT ... ON CONFLICT DO NOTHING`` into ``table`` for ``dialect``, built once per
    table: the values come as parameters, so SQLAlchemy's compiled cache serves every later
    call (building a statement per message was a visible cost)."""
    module = postgresql if dialect == "postgresql" else sqlite
    return module.insert(table).on_conflict_do_nothing()


async def insert_ignore(session: AsyncSession, table: Any, values: dict[str, Any]) -> bool:
    """Insert a row unless it collides with a unique key; True when it was inserted.

    Runs as Core on the session's connection (no ORM unit of work): nothing pending in the
    session is flushed first, so ``values`` must not refer to unflushed objects."""
    connection = await session.connection()
    statement = insert_ignore_statement(connection.dialect.name, getattr(table, "__table__", table))
    result = await connection.execute(statement, values)
    return bool(result.rowcount)
