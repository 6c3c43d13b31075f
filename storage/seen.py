"""Inbound deduplication: a platform may deliver the same update twice (retries, restarts)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta
from functools import cache

from sqlalchemy import Insert, delete
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import SeenMessage, utcnow
from storage.upsert import insert_ignore, insert_ignore_statement

_TABLE = SeenMessage.__table__


@cache
def _mark_many(dialect: str) -> Insert:
    return insert_ignore_statement(dialect, _TABLE).returning(_TABLE.c.channel, _TABLE.c.message_id)


class SeenMessages:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def mark(self, channel: str, message_id: str) -> bool:
        """Record the message as seen; False when it had been seen already (drop it)."""
        return await insert_ignore(
            self.session,
            SeenMessage,
            {"channel": channel, "message_id": message_id, "seen_at": utcnow()},
        )

    async def mark_many(self, keys: Sequence[tuple[str, str]]) -> set[tuple[str, str]]:
        """Record several ``(channel, message_id)`` keys in one statement; the ones not seen
        before come back."""
        if not keys:
            return set()
        connection = await self.session.connection()
        now = utcnow()
        result = await connection.execute(
            _mark_many(connection.dialect.name),
            [{"channel": channel, "message_id": mid, "seen_at": now} for channel, mid in keys],
        )
        return {(row[0], row[1]) for row in result}

    async def forget_older_than(self, age: timedelta) -> int:
        """Platforms redeliver within minutes or hours; weeks-old keys are only weight."""
        result = await self.session.execute(
            delete(SeenMessage).where(SeenMessage.seen_at < utcnow() - age)
        )
        return int(result.rowcount)  # type: ignore[attr-defined]
