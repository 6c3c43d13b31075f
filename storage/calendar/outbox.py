"""Reminders in the shared outbox: rows like any reply, told apart by their keys.

A run asks which of its keys exist, so a reminder is never written twice, and before quiet
hours the unsent ones are withdrawn; the sender delivers them like everything else.
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import delete, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.calendar.chunks import KEY_CHUNK, chunks
from storage.models import OutboxMessage, OutboxStatus

REMINDER_PREFIXES = ("remind:", "digest:")


class ReminderOutbox:
    """The scheduler's view of the outbox: its rows are the ones keyed ``remind:``/``digest:``."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def existing_keys(self, keys: Iterable[str]) -> set[str]:
        found: set[str] = set()
        for chunk in chunks(sorted(set(keys)), KEY_CHUNK):
            statement = select(OutboxMessage.dedupe_key).where(OutboxMessage.dedupe_key.in_(chunk))
            found.update(k for k in (await self.session.scalars(statement)).all() if k)
        return found

    async def withdraw_unsent(self) -> int:
        """Drop reminder rows no sender has touched yet, so none goes out in quiet hours.

        Only rows never claimed (``attempts == 0``) go: a claimed row may be on its way to
        the platform, and deleting it could send it twice. The next morning's run writes a
        fresh reminder for whoever still needs one, with the days counted from that day.
        """
        result = await self.session.execute(
            delete(OutboxMessage).where(
                OutboxMessage.status == OutboxStatus.PENDING,
                OutboxMessage.attempts == 0,
                or_(*(OutboxMessage.dedupe_key.startswith(p) for p in REMINDER_PREFIXES)),
            )
        )
        return int(result.rowcount or 0)  # type: ignore[attr-defined]
