"""Inbound deduplication: a platform may deliver the same update twice (retries, restarts)."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import delete
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import SeenMessage, utcnow
from storage.upsert import insert_ignore


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

    async def forget_older_than(self, age: timedelta) -> int:
        """Platforms redeliver within minutes or hours; weeks-old keys are only weight."""
        result = await self.session.execute(
            delete(SeenMessage).where(SeenMessage.seen_at < utcnow() - age)
        )
        return int(result.rowcount)  # type: ignore[attr-defined]
