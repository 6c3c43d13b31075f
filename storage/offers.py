"""The choices of the latest notification with buttons each user got (the ``offers`` table).

On a messenger without buttons a choice is a typed number, and a number answers the latest
message that offered choices. The user's own conversation keeps the choices of its replies in
its state; a notification (an admin's "needs fixing", an approval request, a reminder) comes
from another transaction, so its choices are kept here, one row per user, written in the
transaction that queues the notification. The user's next message that gets a reply makes
that notice old: its row is emptied (``choices`` None) in the message's transaction.

Remembered when queued, not when delivered: a chat's messages are delivered in the order
they were queued, so the last one queued with choices is the last one shown with choices;
recording it at delivery would let a notice delivered just before a reply that was queued
after it take that reply's numbers. What is queued but not shown yet is not answerable:
:meth:`Offers.still_queued` says so.

Every writer upserts its rows in one statement, in user id order, so two transactions that
both touch the rows of two users lock them in the same order and never wait in a circle.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from functools import cache

from sqlalchemy import Insert, exists, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from bot.messages import Outbound
from storage.models import Offer, OutboxMessage, OutboxStatus, utcnow

Choices = list[list[str]]  # [[label, payload], ...] in the order they are numbered


@dataclass(frozen=True)
class Notice:
    """A user's latest notice that nothing has answered or followed yet."""

    choices: Choices
    offered_at: datetime


def choices_of(message: Outbound) -> Choices:
    """What a typed number or label picks in ``message``, numbered as channels show it."""
    return [[button.label, button.payload] for button in message.choices()]


@cache
def _upsert(dialect: str) -> Insert:
    module = postgresql if dialect == "postgresql" else sqlite
    statement = module.insert(Offer.__table__)
    return statement.on_conflict_do_update(
        index_elements=["user_id"],
        set_={
            "choices": statement.excluded.choices,
            "offered_at": statement.excluded.offered_at,
        },
    )


class OfferChanges(dict[int, "Choices | None"]):
    """What the messages of one transaction change, by user, in the order they happened."""

    def notified(self, user_id: int, message: Outbound) -> None:
        """A notification queued for the user; with choices, it is now their latest notice."""
        if message.choices():
            self[user_id] = choices_of(message)

    def answered(self, user_id: int, *, had_notice: bool) -> None:
        """The user's conversation replied: a notice queued before is no longer the latest
        message. Written only when there is one to forget (none: no statement at all)."""
        if had_notice or user_id in self:
            self[user_id] = None


class Offers:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def answerable(self, user_id: int, notice: Notice | None) -> Choices:
        """The notice's choices, if the user can have seen it (it was delivered)."""
        if notice is None or await self.still_queued(user_id, notice.offered_at):
            return []
        return notice.choices

    async def save_all(self, offers: Mapping[int, Choices | None]) -> None:
        """Remember each user's latest notice (choices), or that it is old (None)."""
        if not offers:
            return
        now = utcnow()
        rows = [
            {"user_id": user_id, "choices": offers[user_id], "offered_at": now}
            for user_id in sorted(offers)
        ]
        connection = await self.session.connection()
        await connection.execute(_upsert(connection.dialect.name), rows)

    async def still_queued(self, user_id: int, offered_at: datetime) -> bool:
        """Whether a message queued for the user up to ``offered_at`` (the notice itself, or
        one before it) still waits for delivery: then the user has not seen the notice, and
        what they type does not answer it."""
        waiting = exists().where(
            OutboxMessage.status == OutboxStatus.PENDING,
            OutboxMessage.user_id == user_id,
            OutboxMessage.created_at <= offered_at,
        )
        return bool(await self.session.scalar(select(waiting)))
