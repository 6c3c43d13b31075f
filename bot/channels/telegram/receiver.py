"""The receiving half of the Telegram channel: one raw update → the pipeline.

Shared by polling and the webhook, which differ only in what they do when the database is
down (:class:`~bot.pipeline.StorageUnavailable` propagates to them): polling retries, the
webhook answers 5xx so that Telegram redelivers.

A button press is answered (``answerCallbackQuery``) before anything else and whatever
happens next: otherwise the user's app shows a spinner on the button for many seconds. The
reply itself comes later, through the outbox.

A photo is downloaded and stored before the pipeline sees it (bot/files/photos.py), so the
form keeps the bot's own copy rather than a ``file_id`` that only this token can read; when
that fails the user is asked, the durable way (bot/channels/notices.py), to send it again.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping

from aiogram import Bot
from aiogram.exceptions import TelegramAPIError
from aiogram.methods import AnswerCallbackQuery
from aiogram.types import Update
from pydantic import ValidationError

from bot.channels.notices import InboundSink, tell
from bot.channels.telegram.updates import ALLOWED_UPDATES, CHANNEL, Skip, to_inbound
from bot.files.fetch import DownloadFailed
from bot.files.photos import PhotoKeeper, refusal
from bot.messages import Inbound, InboundKind

log = logging.getLogger(__name__)

CALLBACK_ANSWER_TIMEOUT = 5  # seconds: a late answer is useless, the spinner gave up


class MalformedUpdate(ValueError):
    """The body is not a Telegram update (not an object, no update id, wrong field types)."""


def parse_update(raw: object, bot: Bot | None = None) -> Update | Skip:
    """Validate a decoded JSON body as an update, or raise :class:`MalformedUpdate`.

    An update of a type the bot does not use is skipped before validation: aiogram's models
    follow one Bot API version, and a newer field in an update we would ignore anyway must
    not turn into an error that makes Telegram redeliver it forever.
    """
    if not isinstance(raw, Mapping):
        raise MalformedUpdate(f"an update is a JSON object, not {type(raw).__name__}")
    update_id = raw.get("update_id")
    if not isinstance(update_id, int) or isinstance(update_id, bool):
        raise MalformedUpdate("the update has no integer update_id")
    kind = next((key for key in raw if key != "update_id"), None)
    if kind not in ALLOWED_UPDATES:
        return Skip(f"update {update_id} of type {kind!r} is not used")
    try:
        return Update.model_validate(dict(raw), context={"bot": bot} if bot else None)
    except ValidationError as exc:
        first = exc.errors()[0]
        raise MalformedUpdate(
            f"update {update_id} does not match the Bot API: {exc.error_count()} error(s), "
            f"first: {first['loc']} {first['msg']}"
        ) from exc


class UpdateReceiver:
    """Answers button presses, maps updates, hands them to the pipeline."""

    def __init__(
        self,
        bot: Bot,
        sink: InboundSink,
        *,
        photos: PhotoKeeper | None = None,
        default_language: str = "vi",
    ) -> None:
        self.bot = bot
        self.sink = sink
        self.photos = photos
        self.default_language = default_language

    async def acknowledge(self, update: Update) -> None:
        """Stop the button's spinner; a failure here must never cost the user's answer."""
        query = update.callback_query
        if query is None:
            return
        try:
            await self.bot(
                AnswerCallbackQuery(callback_query_id=query.id),
                request_timeout=CALLBACK_ANSWER_TIMEOUT,
            )
        except TelegramAPIError as exc:  # a redelivered update's query is already answered
            log.debug("answerCallbackQuery %s failed: %s", query.id, exc)

    def inbound(self, update: Update) -> Inbound | None:
        """The core's message for ``update``, or None (logged) when it is skipped."""
        mapped = to_inbound(update)
        if isinstance(mapped, Skip):
            log.info("telegram update %s skipped: %s", update.update_id, mapped.reason)
            return None
        return mapped

    async def process(self, update: Update) -> bool:
        """Run one mapped update through the pipeline; False if skipped or a repeat.

        Raises :class:`~bot.pipeline.StorageUnavailable` when the database is down.
        """
        inbound = self.inbound(update)
        if inbound is None:
            return False
        if inbound.kind is InboundKind.PHOTO and self.photos is not None:
            try:
                inbound = await self.photos.keep(inbound)
            except DownloadFailed as exc:
                log.warning("telegram photo of %s not kept: %s", inbound.user_id, exc)
                msgid, params = refusal(exc)
                return await tell(
                    self.photos.session_factory,
                    self.sink,
                    channel=CHANNEL,
                    user_id=inbound.user_id,
                    message_id=inbound.message_id,
                    msgid=msgid,
                    default_language=self.default_language,
                    **params,
                )
        done = await self.sink.process(inbound)
        if not done:
            log.info("telegram update %s was already processed", update.update_id)
        return done
