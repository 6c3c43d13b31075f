"""Telling an admin how their announcement went, once its last message has a final status.

Runs after the sender's rounds; the summary is itself an outbox row, so it survives a crash
like everything else. It goes the way of every notice (bot/notifications.py): to an author
no messenger can reach now it is kept as a failed row counted as unreachable, not dropped.
"""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.i18n import Translator
from bot.messages import Outbound
from bot.notifications import queue_notifications
from handlers.context import Notification
from storage.broadcasts import Broadcasts, Outcome
from storage.models import Broadcast
from storage.users import Users


def report_text(tr: Translator, broadcast: Broadcast, outcome: Outcome) -> str:
    """The author's report: how many received it, how many did not, and of those how many
    no messenger could carry it to (they are in the digest's count of the unreachable)."""
    if outcome.unreached:
        return tr.t(
            "Announcement #{number} is done: {delivered} delivered, {failed} could not be "
            "delivered, of whom {unreached} cannot be reached on any messenger now (Zalo OA "
            "window closed, unfollowed or blocked).",
            number=broadcast.id,
            delivered=outcome.delivered,
            failed=outcome.failed,
            unreached=outcome.unreached,
        )
    return tr.t(
        "Announcement #{number} is done: {delivered} delivered, {failed} could not be delivered.",
        number=broadcast.id,
        delivered=outcome.delivered,
        failed=outcome.failed,
    )


async def report_finished_broadcasts(session_factory: async_sessionmaker[AsyncSession]) -> int:
    async with session_factory() as session, session.begin():
        broadcasts = Broadcasts(session)
        finished = await broadcasts.finished_unreported()
        users = Users(session)
        notifications: list[Notification] = []
        for broadcast, outcome in finished:
            broadcasts.mark_reported(broadcast)
            author = await users.get(broadcast.author_id or 0)
            if author is None:
                continue

            def compose(tr: Translator, b: Broadcast = broadcast, o: Outcome = outcome) -> Outbound:
                return Outbound(text=report_text(tr, b, o))

            notifications.append(
                Notification(author, compose, dedupe_key=f"broadcast-report:{broadcast.id}")
            )
        await queue_notifications(session, notifications, users)
        return len(finished)
