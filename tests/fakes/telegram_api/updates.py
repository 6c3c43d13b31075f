"""The update queue and long polling (getUpdates), as Telegram keeps and hands them out.

Unconfirmed updates stay queued until an offset confirms them; a second getUpdates ends
the first with 409, and a long poll wakes as soon as an update arrives, so tests are fast.
"""

from __future__ import annotations

import asyncio
import contextlib
import copy
from collections.abc import Mapping
from typing import Any, Final

from tests.fakes.telegram_api.errors import DEFAULT_DESCRIPTIONS, ApiError
from tests.fakes.telegram_api.records import JSONDict, UploadedFile
from tests.fakes.telegram_api.state import ServerState

#: Update types Telegram delivers when ``allowed_updates`` is unset or empty.
DEFAULT_EXCLUDED_UPDATES: Final[frozenset[str]] = frozenset(
    {"chat_member", "message_reaction", "message_reaction_count"}
)


KNOWN_UPDATE_TYPES: Final[frozenset[str]] = frozenset(
    {
        "message",
        "edited_message",
        "channel_post",
        "edited_channel_post",
        "business_connection",
        "business_message",
        "edited_business_message",
        "deleted_business_messages",
        "message_reaction",
        "message_reaction_count",
        "inline_query",
        "chosen_inline_result",
        "callback_query",
        "shipping_query",
        "pre_checkout_query",
        "purchased_paid_media",
        "poll",
        "poll_answer",
        "my_chat_member",
        "chat_member",
        "chat_join_request",
        "chat_boost",
        "removed_chat_boost",
    }
)


def update_type(update: Mapping[str, Any]) -> str | None:
    return next((key for key in update if key != "update_id"), None)


def is_allowed(update: Mapping[str, Any], allowed: list[str] | None) -> bool:
    kind = update_type(update)
    if kind is None or kind not in KNOWN_UPDATE_TYPES:
        return True  # raw/unknown updates always pass so malformed input can be tested
    if not allowed:
        return kind not in DEFAULT_EXCLUDED_UPDATES
    return kind in allowed


class UpdatesMixin(ServerState):
    """The queue of updates and the getUpdates method."""

    def _enqueue(self, payload: JSONDict) -> JSONDict:
        self._next_update_id += 1
        update = {"update_id": self._next_update_id, **copy.deepcopy(payload)}
        self._queue.append(update)
        self._notify()
        return update

    def add_raw_update(self, update: Mapping[str, Any]) -> JSONDict:
        """Queue an arbitrary update dict (malformed / unknown types) as-is.

        A missing ``update_id`` is assigned; a given one is kept and later ids continue above it.
        Callback query ids inside are registered so answerCallbackQuery accepts them.
        """
        raw = copy.deepcopy(dict(update))
        if "update_id" in raw and isinstance(raw["update_id"], int):
            self._next_update_id = max(self._next_update_id, raw["update_id"])
        else:
            self._next_update_id += 1
            raw["update_id"] = self._next_update_id
        callback = raw.get("callback_query")
        if isinstance(callback, dict) and "id" in callback:
            self._callback_queries[str(callback["id"])] = None
        self._queue.append(raw)
        self._notify()
        return raw

    @property
    def active_polls(self) -> int:
        """getUpdates requests currently waiting; ``wait_for(lambda: server.active_polls)``
        tells a test the bot's polling loop is up before it starts simulating users."""
        return self._active_polls

    @property
    def pending_updates(self) -> list[JSONDict]:
        """Unconfirmed updates (getUpdates queue, or undelivered webhook updates)."""
        return list(self._queue)

    async def _h_get_updates(self, params: JSONDict, upload: UploadedFile | None) -> Any:
        if self.webhook is not None:
            raise ApiError(
                409,
                "Conflict: can't use getUpdates method while webhook is active; "
                "use deleteWebhook to delete the webhook first",
            )
        self._poll_generation += 1
        generation = self._poll_generation
        self._notify()  # terminates an older long poll with 409, like Telegram
        if "allowed_updates" in params and isinstance(params["allowed_updates"], list):
            self._allowed_updates = params["allowed_updates"]
        offset = params.get("offset")
        if isinstance(offset, int) and offset > 0:
            self._queue = [u for u in self._queue if u.get("update_id", 0) >= offset]
        elif isinstance(offset, int) and offset < 0:
            self._queue = self._queue[offset:]
        limit = params.get("limit")
        limit = min(100, max(1, limit)) if isinstance(limit, int) else 100
        timeout = params.get("timeout")
        wait = min(float(timeout), self.max_poll_timeout) if isinstance(timeout, int) else 0.0
        self._active_polls += 1
        self._notify()
        try:
            return await self._long_poll(generation, limit, wait)
        finally:
            self._active_polls -= 1

    async def _long_poll(self, generation: int, limit: int, wait: float) -> list[JSONDict]:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + max(0.0, wait)
        while True:
            event = self._changed
            if generation != self._poll_generation:
                raise ApiError(409, DEFAULT_DESCRIPTIONS[409])
            self._queue = [u for u in self._queue if is_allowed(u, self._allowed_updates)]
            if self._queue or self._closing.is_set():
                return copy.deepcopy(self._queue[:limit])
            remaining = deadline - loop.time()
            if remaining <= 0:
                return []
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(event.wait(), remaining)
