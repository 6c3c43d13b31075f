"""A word to someone outside any conversation, said the durable way, for every channel.

Some messages are answered by the channel itself before the pipeline: a photo that could
not be downloaded (bot/files/photos.py), a Zalo user whose messages Zalo withholds. Such an
answer must still behave like every other: the message is marked seen and the answer queued
in the outbox in one transaction (a redelivered message is not answered twice, a crash does
not lose the answer), in the user's language, and the outbox senders are woken.
"""

from __future__ import annotations

from typing import Protocol

from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.i18n import Translator
from bot.messages import Inbound, Outbound
from bot.pipeline import StorageUnavailable
from storage.outbox import Outbox
from storage.seen import SeenMessages
from storage.users import Users


class InboundSink(Protocol):
    """What a channel's receiver feeds: the pipeline (``process`` → False for a repeat; its
    ``on_enqueued``, if any, wakes the outbox senders)."""

    async def process(self, inbound: Inbound) -> bool: ...


async def tell(
    session_factory: async_sessionmaker[AsyncSession],
    sink: InboundSink,
    *,
    channel: str,
    user_id: str,
    message_id: str,
    msgid: str,
    default_language: str,
    **params: object,
) -> bool:
    """Answer message ``message_id`` of ``user_id`` with ``msgid`` (see the module
    docstring). False when the message is a repeat (nothing is queued).

    Raises :class:`~bot.pipeline.StorageUnavailable` when the database is down."""
    try:
        async with session_factory() as session, session.begin():
            if not await SeenMessages(session).mark(channel, message_id):
                return False
            found = await Users(session).by_identity(channel, user_id)
            language = found[0].language if found else default_language
            await Outbox(session).enqueue(
                channel=channel,
                address=user_id,
                message=Outbound(text=Translator(language).t(msgid, **params)),
                user_id=found[0].id if found else None,
            )
    except (DBAPIError, OSError) as exc:
        raise StorageUnavailable(str(exc)) from exc
    wake = getattr(sink, "on_enqueued", None)
    if callable(wake):
        wake()
    return True
