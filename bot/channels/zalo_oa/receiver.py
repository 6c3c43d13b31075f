"""The receiving half of the OA channel: one signed webhook event → the pipeline.

Beside the pipeline:

* a photo is downloaded and kept before the pipeline sees it (bot/files/photos.py), as on
  the Bot Platform; when that fails the user is asked, the durable way, to send it again;
* ``unfollow`` marks the user's identity on this channel unreachable (nothing more is
  sent there; reminders go another way: scheduler/routing.py), ``follow`` makes it
  reachable again. Both are deduplicated like messages (seen_messages), so a redelivered
  event is a no-op;
* the first message of an OA user the bot has never seen is logged with their id, for
  ``OCOP_ADMINS`` (``zalo_oa:<id>``).
"""

from __future__ import annotations

import logging

from sqlalchemy import update
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.channels.notices import InboundSink, tell
from bot.channels.zalo_oa.updates import CHANNEL, FollowChange, Skip, to_event
from bot.files.fetch import DownloadFailed
from bot.files.photos import PhotoKeeper, refusal
from bot.messages import InboundKind
from bot.pipeline import StorageUnavailable
from storage.models import Identity
from storage.seen import SeenMessages
from storage.users import Users

log = logging.getLogger(__name__)
newcomers_log = logging.getLogger("bot.channels.zalo_oa.newcomers")


class OaReceiver:
    def __init__(
        self,
        sink: InboundSink,
        session_factory: async_sessionmaker[AsyncSession],
        *,
        default_language: str = "vi",
        photos: PhotoKeeper | None = None,
    ) -> None:
        self.sink = sink
        self.session_factory = session_factory
        self.default_language = default_language
        self.photos = photos

    async def handle(self, raw: object) -> str:
        """``"ok"``, ``"repeat"`` or ``"skipped"``; raises MalformedEvent, StorageUnavailable."""
        event = to_event(raw)
        if isinstance(event, Skip):
            log.info("zalo_oa event skipped: %s", event.reason)
            return "skipped"
        if isinstance(event, FollowChange):
            return await self._follow(event)
        await self._notice_newcomer(event.user_id)
        if event.kind is InboundKind.PHOTO and self.photos is not None:
            try:
                event = await self.photos.keep(event)
            except DownloadFailed as exc:
                log.warning("zalo_oa photo of %s not kept: %s", event.user_id, exc)
                msgid, params = refusal(exc)
                told = await tell(
                    self.session_factory,
                    self.sink,
                    channel=CHANNEL,
                    user_id=event.user_id,
                    message_id=event.message_id,
                    msgid=msgid,
                    default_language=self.default_language,
                    **params,
                )
                return "ok" if told else "repeat"
        done = await self.sink.process(event)
        return "ok" if done else "repeat"

    async def _follow(self, change: FollowChange) -> str:
        try:
            async with self.session_factory() as session, session.begin():
                if not await SeenMessages(session).mark(CHANNEL, change.event_id):
                    return "repeat"
                await session.execute(
                    update(Identity)
                    .where(Identity.channel == CHANNEL, Identity.external_id == change.user_id)
                    .values(reachable=change.following)
                )
        except (DBAPIError, OSError) as exc:
            raise StorageUnavailable(str(exc)) from exc
        log.info(
            "zalo_oa user %s %s the OA",
            change.user_id,
            "follows" if change.following else "unfollowed",
        )
        return "ok"

    async def _notice_newcomer(self, user_id: str) -> None:
        try:
            async with self.session_factory() as session:
                found = await Users(session).by_identity(CHANNEL, user_id)
        except Exception as exc:  # the pipeline meets the same outage and says so
            log.debug("newcomer check skipped: %s", exc)
            return
        if found is None:
            newcomers_log.info(
                "Zalo OA user %s writes for the first time; to make them a national admin, "
                "add zalo_oa:%s to OCOP_ADMINS.",
                user_id,
                user_id,
            )
