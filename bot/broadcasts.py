"""Telling an admin how their announcement went, once its last message has a final status.

Runs after the sender's rounds; the summary is itself an outbox row, so it survives a crash
like everything else.
"""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.i18n import Translator
from bot.messages import Outbound
from storage.broadcasts import Broadcasts
from storage.models import OutboxStatus
from storage.outbox import Outbox
from storage.users import Users


async def report_finished_broadcasts(session_factory: async_sessionmaker[AsyncSession]) -> int:
    async with session_factory() as session, session.begin():
        broadcasts = Broadcasts(session)
        finished = await broadcasts.finished_unreported()
        users, outbox = Users(session), Outbox(session)
        for broadcast, counts in finished:
            broadcasts.mark_reported(broadcast)
            author = await users.get(broadcast.author_id or 0)
            target = await users.delivery_identity(author.id) if author else None
            if author is None or target is None:
                continue
            tr = Translator(author.language)
            failed = counts.get(OutboxStatus.FAILED, 0) + counts.get(OutboxStatus.BLOCKED, 0)
            text = tr.t(
                "Announcement #{number} is done: {delivered} delivered, {failed} could "
                "not be delivered.",
                number=broadcast.id,
                delivered=counts.get(OutboxStatus.SENT, 0),
                failed=failed,
            )
            await outbox.enqueue(
                channel=target.channel,
                address=target.external_id,
                message=Outbound(text=text),
                user_id=author.id,
                dedupe_key=f"broadcast-report:{broadcast.id}",
            )
        return len(finished)
