"""The receiving half of the Zalo channel: one raw update → the pipeline.

Shared by polling and the webhook, which differ only in what they do with the two failures
that come out of here: :class:`~bot.channels.zalo.updates.MalformedUpdate` (the poller logs
and skips it, the webhook answers 400) and :class:`~bot.pipeline.StorageUnavailable` (the
poller retries, the webhook answers 503).

Two things happen beside the pipeline:

* the first message of a Zalo user this bot has never seen is logged with the user's id and
  name, visible at the default log level: Zalo shows nobody their id, and an operator needs
  it to put ``zalo:<id>`` in ``OCOP_ADMINS``;
* a protected user (Zalo withheld the content) gets a notice to contact their commune. It
  is not a conversation: no user is created for someone whose messages can never be read.
  It still goes the durable way, marked seen and queued in the outbox in one transaction,
  and at most once per :data:`NOTICE_INTERVAL` per user, whatever they keep sending;
* a photo is downloaded and stored before the pipeline sees it (bot/files/photos.py: Zalo's
  URLs expire), so the form keeps our copy. When that fails the user is asked, the same durable
  way, to send it again; their conversation is not touched.
"""

from __future__ import annotations

import logging
import time
from collections import OrderedDict
from typing import TypeVar

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.channels.notices import InboundSink, tell
from bot.channels.zalo.updates import CHANNEL, ProtectedSender, Skip, to_inbound
from bot.files.fetch import DownloadFailed
from bot.files.photos import PhotoKeeper, refusal
from bot.i18n import N_
from bot.messages import Inbound, InboundKind
from storage.users import Users

log = logging.getLogger(__name__)
#: Its own logger, so that start-up can make it heard at the default level (WARNING).
newcomers_log = logging.getLogger("bot.channels.zalo.newcomers")

NOTICE_INTERVAL = 600.0  # seconds between two "contact your commune" notices to one user
REMEMBERED = 10_000  # user ids kept in memory (known users, notices sent)
V = TypeVar("V")
PROTECTED = N_(
    "Zalo does not let this bot read your messages, because your Zalo account "
    "is protected. For OCOP matters, please contact your commune office "
    "(UBND xã) directly. Thank you!"
)


class ZaloReceiver:
    """Maps updates, hands them to the pipeline, notices newcomers and protected users."""

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
        self._known: OrderedDict[str, None] = OrderedDict()
        self._noticed: OrderedDict[str, float] = OrderedDict()

    async def handle(self, raw: object) -> str:
        """Process one update: ``"ok"``, ``"repeat"`` or ``"skipped"``.

        Raises :class:`MalformedUpdate` and :class:`StorageUnavailable`.
        """
        mapped = to_inbound(raw)
        if isinstance(mapped, Skip):
            log.info("zalo update skipped: %s", mapped.reason)
            return "skipped"
        if isinstance(mapped, ProtectedSender):
            return await self._protected(mapped)
        await self._notice_newcomer(mapped)
        if mapped.kind is InboundKind.PHOTO and self.photos is not None:
            try:
                mapped = await self.photos.keep(mapped)
            except DownloadFailed as exc:
                log.warning("zalo photo of %s not kept: %s", mapped.user_id, exc)
                msgid, params = refusal(exc)
                told = await self._tell(mapped.user_id, mapped.message_id, msgid, **params)
                return "ok" if told else "repeat"
        done = await self.sink.process(mapped)
        if not done:
            log.info("zalo message %s was already processed", mapped.message_id)
        return "ok" if done else "repeat"

    async def _notice_newcomer(self, inbound: Inbound) -> None:
        """Log a user's first message ever (once per process; a lookup on a miss)."""
        if inbound.user_id in self._known:
            self._known.move_to_end(inbound.user_id)
            return
        _remember(self._known, inbound.user_id, None)
        try:
            async with self.session_factory() as session:
                found = await Users(session).by_identity(CHANNEL, inbound.user_id)
        except Exception as exc:  # the pipeline will meet the same outage and say so
            log.debug("newcomer check skipped: %s", exc)
            return
        if found is None:
            newcomers_log.info(
                "Zalo user %s (%s) writes for the first time; to make them a national admin, "
                "add zalo:%s to OCOP_ADMINS.",
                inbound.user_id,
                inbound.display_name or "no name",
                inbound.user_id,
            )

    async def _protected(self, notice: ProtectedSender) -> str:
        last = self._noticed.get(notice.user_id)
        now = time.monotonic()
        if last is not None and now - last < NOTICE_INTERVAL:
            log.info("zalo protected user %s: notice already sent recently", notice.user_id)
            return "skipped"
        told = await self._tell(notice.user_id, notice.message_id, PROTECTED)
        if not told:
            return "repeat"
        _remember(self._noticed, notice.user_id, now)
        log.info("zalo user %s is protected: told to contact the commune", notice.user_id)
        return "ok"

    async def _tell(self, user_id: str, message_id: str, msgid: str, **params: object) -> bool:
        """Answer a message outside any conversation (bot/channels/notices.py); False
        when the message is a repeat."""
        return await tell(
            self.session_factory,
            self.sink,
            channel=CHANNEL,
            user_id=user_id,
            message_id=message_id,
            msgid=msgid,
            default_language=self.default_language,
            **params,
        )


def _remember(table: OrderedDict[str, V], key: str, value: V) -> None:
    """Keep ``key`` as the most recent entry of a bounded table."""
    table[key] = value
    table.move_to_end(key)
    while len(table) > REMEMBERED:
        table.popitem(last=False)
