"""The outbox: every reply, reminder and broadcast is a row before it is a message.

Rows are committed in the same transaction as the state change that produced them; a sender
claims due rows with a lease (so a crashed sender's rows come back), delivers them and marks
them sent. On PostgreSQL ``FOR UPDATE SKIP LOCKED`` lets several workers share the queue.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import exists, func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from bot.messages import Outbound
from storage.models import OutboxMessage, OutboxStatus, utcnow
from storage.upsert import insert_ignore

LEASE = timedelta(seconds=60)
PER_CHAT = 5  # rows of one chat per round: at ~1 message/s per chat, a round's worth
_INSERT = insert(OutboxMessage.__table__)


def row_values(
    *,
    channel: str,
    address: str,
    message: Outbound,
    user_id: int | None,
    dedupe_key: str | None = None,
    not_before: datetime | None = None,
    error: str | None = None,
) -> dict[str, object]:
    """The outbox row for one message (a plain dict: inserted as Core, no ORM object).
    ``error``: nothing can carry it (storage/reach.py); kept as a failed row, never sent."""
    now = utcnow()
    return {
        "user_id": user_id,
        "channel": channel,
        "address": address,
        "payload": message.model_dump(mode="json"),
        "status": OutboxStatus.PENDING if error is None else OutboxStatus.FAILED,
        "attempts": 0,
        "next_attempt_at": not_before or now,
        "dedupe_key": dedupe_key,
        "created_at": now,
        "error": error,
    }


class Outbox:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def enqueue(
        self,
        *,
        channel: str,
        address: str,
        message: Outbound,
        user_id: int | None,
        dedupe_key: str | None = None,
        not_before: datetime | None = None,
    ) -> bool:
        """Queue a message; with a ``dedupe_key`` a second enqueue of the same key is a no-op."""
        values = row_values(
            channel=channel,
            address=address,
            message=message,
            user_id=user_id,
            dedupe_key=dedupe_key,
            not_before=not_before,
        )
        if dedupe_key is None:
            await self.enqueue_rows([values])
            return True
        return await insert_ignore(self.session, OutboxMessage, values)

    async def enqueue_rows(self, rows: Sequence[dict[str, object]]) -> None:
        """Queue several rows made by ``row_values`` (without dedupe keys) in one statement:
        the replies to one message go in one round trip, in order (ids follow the list)."""
        if not rows:
            return
        connection = await self.session.connection()
        await connection.execute(_INSERT, list(rows))

    async def enqueue_all(self, rows: Sequence[dict[str, object]]) -> None:
        """Queue rows made by ``row_values`` in their order: runs of rows without a dedupe key
        go in one statement each, a row with a key on its own (it may be a repeat)."""
        run: list[dict[str, object]] = []
        for row in rows:
            if row["dedupe_key"] is None:
                run.append(row)
                continue
            await self.enqueue_rows(run)
            run = []
            await insert_ignore(self.session, OutboxMessage, row)
        await self.enqueue_rows(run)

    async def claim_due(
        self,
        channels: Sequence[str],
        *,
        limit: int,
        now: datetime | None = None,
        address: str | None = None,
        holder: str | None = None,
        per_chat: int = PER_CHAT,
    ) -> list[OutboxMessage]:
        """Take up to ``limit`` due rows and lease them to ``holder``.

        Chats take turns: at most ``per_chat`` rows of one chat, and the first row of every
        chat before the second of any (round robin), so a quiet user's reply is never queued
        behind the hundreds of rows a noisy one caused. The turns are chosen without locks
        (a window function), then those rows are locked, skipping any another sender holds.
        """
        now = now or utcnow()
        earlier = aliased(OutboxMessage)
        due = select(
            OutboxMessage.id,
            func.row_number()
            .over(
                partition_by=(OutboxMessage.channel, OutboxMessage.address),
                order_by=OutboxMessage.id,
            )
            .label("turn"),
        ).where(
            OutboxMessage.status == OutboxStatus.PENDING,
            OutboxMessage.channel.in_(channels),
            OutboxMessage.next_attempt_at <= now,
            # A chat's messages go in order, across rounds, workers and restarts: a row
            # waits while an earlier one to the same chat is pending but not due (leased
            # by another sender, maybe a dead one, or waiting for a retry).
            ~exists().where(
                earlier.channel == OutboxMessage.channel,
                earlier.address == OutboxMessage.address,
                earlier.status == OutboxStatus.PENDING,
                earlier.id < OutboxMessage.id,
                earlier.next_attempt_at > now,
            ),
        )
        if address is not None:
            due = due.where(OutboxMessage.address == address)
        turns = due.subquery()
        chosen = (
            select(turns.c.id)
            .where(turns.c.turn <= per_chat)
            .order_by(turns.c.turn, turns.c.id)
            .limit(limit)
        )
        ids = list((await self.session.scalars(chosen)).all())
        if not ids:
            return []
        locked = (
            select(OutboxMessage)
            .where(
                OutboxMessage.id.in_(ids),
                OutboxMessage.status == OutboxStatus.PENDING,
                OutboxMessage.next_attempt_at <= now,
            )
            .order_by(OutboxMessage.id)
            .with_for_update(skip_locked=True)
        )
        rows = list((await self.session.scalars(locked)).all())
        for row in rows:
            row.next_attempt_at = now + LEASE
            row.attempts += 1
            row.leased_by = holder
        await self.session.flush()
        return rows

    async def mark_sent(self, row_id: int, *, payload: dict[str, Any] | None = None) -> None:
        """Delivered. ``payload`` replaces the stored one (a sent export's file is not kept)."""
        values: dict[str, Any] = {
            "status": OutboxStatus.SENT,
            "sent_at": utcnow(),
            "error": None,
            "leased_by": None,
            "parts_sent": 0,
        }
        if payload is not None:
            values["payload"] = payload
        await self._set(row_id, **values)

    async def retry_at(self, row_id: int, when: datetime, error: str) -> None:
        await self._set(row_id, next_attempt_at=when, error=error[:500], leased_by=None)

    async def release(self, row_id: int, *, attempts: int, when: datetime) -> None:
        """Give a claimed but unsent row back, due with its chat's earlier failed row (which
        has the lower id, so it is claimed first and the chat's order holds)."""
        await self._set(row_id, attempts=attempts, next_attempt_at=when, leased_by=None)

    async def record_parts(self, row_id: int, parts: int) -> None:
        """``parts`` pieces of the row's reply are confirmed by the platform."""
        await self._set(row_id, parts_sent=parts)

    async def mark_failed(self, row_id: int, error: str) -> None:
        await self._set(row_id, status=OutboxStatus.FAILED, error=error[:500], leased_by=None)

    async def mark_blocked(self, channel: str, address: str, error: str) -> None:
        """The user blocked the bot: nothing pending for them will ever be delivered."""
        await self.session.execute(
            update(OutboxMessage)
            .where(
                OutboxMessage.channel == channel,
                OutboxMessage.address == address,
                OutboxMessage.status == OutboxStatus.PENDING,
            )
            .values(status=OutboxStatus.BLOCKED, error=error[:500])
        )

    async def release_leases(self, now: datetime | None = None) -> int:
        """Rows claimed by a sender that is gone become due now. Only for a single process
        (SQLite), where no other live sender can hold a lease."""
        result = await self.session.execute(
            update(OutboxMessage)
            .where(
                OutboxMessage.status == OutboxStatus.PENDING,
                OutboxMessage.attempts > 0,
                OutboxMessage.next_attempt_at > (now or utcnow()),
                OutboxMessage.error.is_(None),
            )
            .values(next_attempt_at=now or utcnow())
        )
        return int(result.rowcount)  # type: ignore[attr-defined]

    async def pending_count(self, channels: Sequence[str] | None = None) -> int:
        statement = select(func.count()).where(OutboxMessage.status == OutboxStatus.PENDING)
        if channels is not None:
            statement = statement.where(OutboxMessage.channel.in_(channels))
        return int(await self.session.scalar(statement) or 0)

    async def next_due_at(self, channels: Sequence[str]) -> datetime | None:
        return await self.session.scalar(
            select(func.min(OutboxMessage.next_attempt_at)).where(
                OutboxMessage.status == OutboxStatus.PENDING,
                OutboxMessage.channel.in_(channels),
            )
        )

    async def _set(self, row_id: int, **values: object) -> None:
        await self.session.execute(
            update(OutboxMessage).where(OutboxMessage.id == row_id).values(**values)
        )
