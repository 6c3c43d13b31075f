"""Long polling: ask Zalo for the next update, hand it to the receiver, repeat.

Zalo's ``getUpdates`` returns one update per call and has no offset: an update is Zalo's no
longer once it is handed out. So the loop is strictly sequential (a user's messages keep
their order), an update that meets a database outage is retried here until it is stored or
the bot stops (then it is logged as lost: use the webhook in production, where Zalo still
holds it), and a crash between receiving and committing loses that one update. An empty
poll (408) is simply the next poll; a malformed update is logged and skipped, never retried.

Failures of the poll itself (429, 5xx, no answer) pause with a growing delay; a refused
token ends the loop with :class:`~bot.channels.zalo.api.Unauthorized` (the service turns it
into one sentence for the operator).
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from bot.channels.polling_loop import STOPPED, backoff, sleep_unless_stopped, unless_stopped
from bot.channels.zalo.api import RateLimited, Unauthorized, ZaloApi, ZaloApiError
from bot.channels.zalo.receiver import ZaloReceiver
from bot.channels.zalo.updates import MalformedUpdate
from bot.pipeline import StorageUnavailable

log = logging.getLogger(__name__)


class ZaloPoller:
    def __init__(
        self,
        api: ZaloApi,
        receiver: ZaloReceiver,
        *,
        wait: int = 25,
        storage_backoff: float = 1.0,
        max_storage_backoff: float = 30.0,
        error_backoff: float = 1.0,
        max_error_backoff: float = 60.0,
    ) -> None:
        self.api = api
        self.receiver = receiver
        self.wait = wait
        self.storage_backoff = storage_backoff
        self.max_storage_backoff = max_storage_backoff
        self.error_backoff = error_backoff
        self.max_error_backoff = max_error_backoff

    async def run(self, stop: asyncio.Event) -> None:
        """Poll until ``stop`` is set. A refused token ends the loop with the exception."""
        failures = 0
        while not stop.is_set():
            try:
                result = await self._next(stop)
            except Unauthorized:
                raise
            except ZaloApiError as exc:
                failures += 1
                await self._pause_after(exc, failures, stop)
                continue
            if result is STOPPED:
                break
            failures = 0
            if not result:
                continue  # 408 (or an empty result): nothing new within the wait
            for raw in result if isinstance(result, list) else [result]:
                await self._handle(raw, stop)

    async def _next(self, stop: asyncio.Event) -> Any:
        """One long poll, abandoned as soon as ``stop`` is set (then :data:`STOPPED`)."""
        return await unless_stopped(self.api.get_updates(wait=self.wait), stop)

    async def _handle(self, raw: object, stop: asyncio.Event) -> None:
        """Process one update; a database outage is waited out, since Zalo will not send
        this update again."""
        attempt = 0
        while True:
            attempt += 1
            try:
                await self.receiver.handle(raw)
                return
            except MalformedUpdate as exc:
                log.warning("skipping a malformed Zalo update: %s", exc)
                return
            except StorageUnavailable as exc:
                if stop.is_set():
                    log.error("database unavailable while stopping; a Zalo update is lost: %s", exc)
                    return
                delay = backoff(self.storage_backoff, attempt, self.max_storage_backoff)
                log.warning(
                    "database unavailable (%s); retrying a Zalo update in %.1fs", exc, delay
                )
                await sleep_unless_stopped(delay, stop)
            except Exception:  # a bug must not stop every chat: log it and go on
                log.exception("a Zalo update could not be handled")
                return

    async def _pause_after(self, exc: ZaloApiError, failures: int, stop: asyncio.Event) -> None:
        delay = backoff(self.error_backoff, failures, self.max_error_backoff)
        if isinstance(exc, RateLimited) and exc.retry_after:
            delay = exc.retry_after
        # The error names itself: "Zalo getUpdates failed (429): Quota exceeded".
        log.warning("%s; polling again in %.1fs", exc, delay)
        await sleep_unless_stopped(delay, stop)
