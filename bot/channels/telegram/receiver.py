"""The receiving half of the Telegram channel: one raw update → the pipeline.

Shared by polling and the webhook, which differ only in what they do when the database is
down (:class:`~bot.pipeline.StorageUnavailable` propagates to them): polling retries, the
webhook answers 5xx so that Telegram redelivers.

A button press is answered (``answerCallbackQuery``) before anything else and whatever
happens next: otherwise the user's app shows a spinner on the button for many seconds. The
reply itself comes later, through the outbox.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Protocol

from aiogram import Bot
from aiogram.exceptions import TelegramAPIError
from aiogram.methods import AnswerCallbackQuery
from aiogram.types import Update
from pydantic import ValidationError

from bot.channels.telegram.updates import ALLOWED_UPDATES, Skip, to_inbound
from bot.messages import Inbound

log = logging.getLogger(__name__)

CALLBACK_ANSWER_TIMEOUT = 5  # seconds: a late answer is useless, the spinner gave up


class MalformedUpdate(ValueError):
    """The body is not a Telegram update (not an object, no update id, wrong field types)."""


class InboundSink(Protocol):
    """What the receiver feeds: the pipeline (``process`` → False for a repeat)."""

    async def process(self, inbound: Inbound) -> bool: ...


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

    def __init__(self, bot: Bot, sink: InboundSink) -> None:
        self.bot = bot
        self.sink = sink

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
        done = await self.sink.process(inbound)
        if not done:
            log.info("telegram update %s was already processed", update.update_id)
        return done
