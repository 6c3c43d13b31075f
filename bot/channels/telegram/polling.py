"""Long polling: ask Telegram for updates, hand each to the receiver, confirm, repeat.

Why not aiogram's ``Dispatcher.start_polling``: it parses a whole batch at once (one update
that aiogram's models reject would stall the bot on that batch forever), handles updates
concurrently by default (a user's button press could overtake the text typed before it), and
owns signals and the session. Here each update is parsed alone (a bad one is logged and
skipped), updates are processed one after another in Telegram's order, and the loop stops
when the runner's stop event is set.

An update is confirmed (the next ``offset``) only after the pipeline has committed it or it
was given up on. If the database is down the update is retried with backoff a few times;
after that it is logged and skipped, so one outage does not freeze every chat. After a crash
Telegram sends the unconfirmed updates again and the pipeline drops those it already has.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from aiogram import Bot
from aiogram.exceptions import (
    ClientDecodeError,
    TelegramAPIError,
    TelegramConflictError,
    TelegramRetryAfter,
    TelegramUnauthorizedError,
)
from aiogram.methods import TelegramMethod

from bot.channels.polling_loop import STOPPED, backoff, sleep_unless_stopped, unless_stopped
from bot.channels.telegram.receiver import MalformedUpdate, UpdateReceiver, parse_update
from bot.channels.telegram.updates import ALLOWED_UPDATES, Skip
from bot.pipeline import StorageUnavailable

log = logging.getLogger(__name__)


class GetRawUpdates(TelegramMethod[list[dict[str, Any]]]):
    """``getUpdates`` whose result stays raw JSON, so each update is validated on its own."""

    __returning__ = list[dict[str, Any]]
    __api_method__ = "getUpdates"

    offset: int | None = None
    limit: int | None = None
    timeout: int | None = None
    allowed_updates: list[str] | None = None


class Poller:
    def __init__(
        self,
        bot: Bot,
        receiver: UpdateReceiver,
        *,
        poll_timeout: int = 25,
        storage_attempts: int = 5,
        storage_backoff: float = 1.0,
        error_backoff: float = 1.0,
        max_error_backoff: float = 60.0,
    ) -> None:
        self.bot = bot
        self.receiver = receiver
        self.poll_timeout = poll_timeout
        self.storage_attempts = storage_attempts
        self.storage_backoff = storage_backoff
        self.max_storage_backoff = 30.0
        self.error_backoff = error_backoff
        self.max_error_backoff = max_error_backoff
        self.offset: int | None = None

    async def run(self, stop: asyncio.Event) -> None:
        """Poll until ``stop`` is set. A refused token ends the loop with the exception."""
        failures = 0
        while not stop.is_set():
            try:
                batch = await self._next_batch(stop)
            except TelegramUnauthorizedError:
                raise
            except (TelegramAPIError, ClientDecodeError) as exc:
                failures += 1
                await self._pause_after(exc, failures, stop)
                continue
            if batch is None:  # stopped while waiting
                break
            failures = 0
            for raw in batch:
                if stop.is_set() or not await self._handle(raw, stop):
                    break  # the rest stays unconfirmed: Telegram sends it again
                update_id = raw.get("update_id")
                if isinstance(update_id, int):
                    self.offset = update_id + 1
        await self._confirm()

    async def _confirm(self) -> None:
        """Tell Telegram which updates are done, so a restart does not fetch them again
        (they would be dropped as repeats anyway). Best effort, and quick."""
        if self.offset is None:
            return
        try:
            await self.bot(GetRawUpdates(offset=self.offset, limit=1, timeout=0), request_timeout=2)
        except (TelegramAPIError, ClientDecodeError) as exc:
            log.debug("could not confirm Telegram updates on stop: %s", exc)

    async def _next_batch(self, stop: asyncio.Event) -> list[dict[str, Any]] | None:
        """One long poll, abandoned as soon as ``stop`` is set (Telegram keeps the updates)."""
        request_timeout = None
        if self.bot.session.timeout:
            request_timeout = int(self.bot.session.timeout + self.poll_timeout)
        poll = self.bot(
            GetRawUpdates(
                offset=self.offset,
                timeout=self.poll_timeout,
                allowed_updates=list(ALLOWED_UPDATES),
            ),
            request_timeout=request_timeout,
        )
        batch = await unless_stopped(poll, stop)
        return None if batch is STOPPED else batch

    async def _handle(self, raw: dict[str, Any], stop: asyncio.Event) -> bool:
        """Process one update; False when it must stay unconfirmed (stopping mid-outage)."""
        try:
            update = parse_update(raw, self.bot)
        except MalformedUpdate as exc:
            log.warning("skipping a malformed Telegram update: %s", exc)
            return True
        if isinstance(update, Skip):
            log.info("telegram %s", update.reason)
            return True
        await self.receiver.acknowledge(update)
        # A database outage holds the queue: nothing else could be processed anyway, and
        # Telegram keeps unconfirmed updates for a day. Dropping one would lose an answer.
        attempt = 0
        while True:
            attempt += 1
            try:
                await self.receiver.process(update)
                return True
            except StorageUnavailable as exc:
                if stop.is_set():
                    log.warning(
                        "database unavailable while stopping; Telegram update %s is left for "
                        "the next start",
                        update.update_id,
                    )
                    return False
                delay = backoff(self.storage_backoff, attempt, self.max_storage_backoff)
                log_at = log.error if attempt >= self.storage_attempts else log.warning
                log_at(
                    "database unavailable (%s); retrying Telegram update %s in %.1fs",
                    exc,
                    update.update_id,
                    delay,
                )
                await sleep_unless_stopped(delay, stop)

    async def _pause_after(self, exc: Exception, failures: int, stop: asyncio.Event) -> None:
        if isinstance(exc, TelegramRetryAfter):
            delay = float(exc.retry_after)
        else:
            delay = backoff(self.error_backoff, failures, self.max_error_backoff)
        if isinstance(exc, TelegramConflictError):
            log.warning(
                "another process is polling with this bot token (or a webhook is set); "
                "retrying in %.0fs: %s",
                delay,
                exc,
            )
        else:
            log.warning("getUpdates failed (%s); retrying in %.1fs", exc, delay)
        await sleep_unless_stopped(delay, stop)
