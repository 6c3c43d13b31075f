"""Telling an outage from a bad message, and counting a message's failures.

An outage (the database down, restarting, locked) is waited out: the channel keeps the
message and tries again. A message the database refuses for its content (a value out of
range, a character it cannot store) or that trips a bug is not an outage: retrying it would
hold every other user behind it for ever. When the error alone cannot tell, one trivial
query decides: a database that answers is not away. And a message that keeps failing as if
the database were away, while it answers, is set aside after :data:`MAX_ATTEMPTS`.
"""

from __future__ import annotations

import asyncio

from sqlalchemy import text
from sqlalchemy.exc import DataError, DBAPIError, IntegrityError, OperationalError, ProgrammingError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

MAX_ATTEMPTS = 5  # failures in a row before a message is set aside
PROBE_TIMEOUT = 5.0  # seconds: a database that takes longer to answer SELECT 1 is away
REMEMBERED = 10_000  # bound on the failure counts kept in memory


def unreachable(exc: BaseException) -> bool:
    """The database itself is gone (down, restarting, unreachable), not one statement's
    problem (a unique key, a deadlock): retrying each message alone would only wait longer."""
    if isinstance(exc, OSError):
        return True
    if isinstance(exc, IntegrityError):
        return False
    return isinstance(exc, OperationalError) or bool(getattr(exc, "connection_invalidated", False))


async def database_answers(session_factory: async_sessionmaker[AsyncSession]) -> bool:
    """One trivial query: does the database answer right now?"""

    async def probe() -> None:
        async with session_factory() as session:
            await session.execute(text("SELECT 1"))

    try:
        await asyncio.wait_for(probe(), PROBE_TIMEOUT)
    except Exception:
        return False
    return True


async def is_outage(exc: BaseException, session_factory: async_sessionmaker[AsyncSession]) -> bool:
    """True when handling may have failed because the database is away (retry later);
    False when the message itself is at fault (answer it and move on)."""
    if isinstance(exc, IntegrityError | DataError | ProgrammingError):
        return False
    if isinstance(exc, OperationalError | OSError):
        return True  # down, restarting, locked, timed out: wait it out (counted)
    if isinstance(exc, DBAPIError):
        return not await database_answers(session_factory)
    return False


class FailureCounts:
    """How many times in a row each message has failed, bounded in memory."""

    def __init__(self) -> None:
        self._counts: dict[tuple[str, str], int] = {}

    def add(self, key: tuple[str, str]) -> int:
        count = self._counts.pop(key, 0) + 1
        while len(self._counts) >= REMEMBERED:
            self._counts.pop(next(iter(self._counts)))
        self._counts[key] = count
        return count

    def forget(self, key: tuple[str, str]) -> None:
        self._counts.pop(key, None)
