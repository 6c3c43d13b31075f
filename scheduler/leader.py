"""Electing the one process that runs the scheduler.

On PostgreSQL several workers share the database; exactly one of them should run the cron
triggers. Each tries ``pg_try_advisory_lock`` on a connection it keeps for as long as it
leads: the lock belongs to that database session, so if the leader dies (or its connection
does) PostgreSQL releases it and another worker's next try wins. Nothing else is needed
for correctness: the reminder rows' dedupe keys already make a doubled run harmless; the
election only keeps the work (and the logs) in one place.

SQLite serves one process, which always leads.
"""

from __future__ import annotations

import hashlib
import logging
from typing import Protocol

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

log = logging.getLogger(__name__)

# A fixed 64-bit key naming "the OCOP scheduler" among advisory locks.
LOCK_KEY = int.from_bytes(hashlib.sha256(b"ocop-bot/scheduler").digest()[:8], "big", signed=True)


class LeaderLock(Protocol):
    async def try_acquire(self) -> bool:
        """Become the leader if nobody is; True when this process leads (now or already)."""
        ...

    async def held(self) -> bool:
        """Whether this process still leads (its lock connection is alive)."""
        ...

    async def release(self) -> None: ...


class SingleProcessLock:
    """SQLite: one process, always the leader."""

    def __init__(self) -> None:
        self._held = False

    async def try_acquire(self) -> bool:
        self._held = True
        return True

    async def held(self) -> bool:
        return self._held

    async def release(self) -> None:
        self._held = False


class AdvisoryLock:
    """PostgreSQL: a session-level advisory lock on a connection kept while leading.

    The connection runs in autocommit, so leading for days holds no transaction open. It
    never goes back to the pool holding the lock: it is unlocked first, or thrown away.
    """

    def __init__(self, engine: AsyncEngine, key: int = LOCK_KEY) -> None:
        self.engine = engine
        self.key = key
        self._connection: AsyncConnection | None = None

    async def try_acquire(self) -> bool:
        if self._connection is not None:
            return await self.held()
        connection = await self.engine.connect()
        try:
            connection = await connection.execution_options(isolation_level="AUTOCOMMIT")
            got = await connection.scalar(
                text("SELECT pg_try_advisory_lock(:key)"), {"key": self.key}
            )
        except Exception:
            await _discard(connection)
            raise
        if not got:
            await connection.close()
            return False
        self._connection = connection
        return True

    async def held(self) -> bool:
        if self._connection is None:
            return False
        try:
            await self._connection.scalar(text("SELECT 1"))
        except Exception as exc:  # the connection is gone, and the lock with it
            log.warning("scheduler lock connection lost: %r", exc)
            await _discard(self._connection)
            self._connection = None
            return False
        return True

    async def release(self) -> None:
        connection, self._connection = self._connection, None
        if connection is None:
            return
        try:
            await connection.scalar(text("SELECT pg_advisory_unlock(:key)"), {"key": self.key})
            await connection.close()
        except Exception:
            await _discard(connection)


async def _discard(connection: AsyncConnection) -> None:
    """Close the database session itself (not back to the pool): its locks go with it."""
    try:
        await connection.invalidate()
        await connection.close()
    except Exception:  # pragma: no cover - already broken
        log.debug("discarding the lock connection failed", exc_info=True)


def leader_lock_for(engine: AsyncEngine) -> LeaderLock:
    if engine.dialect.name == "postgresql":
        return AdvisoryLock(engine)
    return SingleProcessLock()
