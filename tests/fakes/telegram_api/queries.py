"""What a test asks the fake afterwards, and how it waits for the bot without sleeping.

The waits wake on every request or update instead of polling, so a test takes as long as
the bot does and a time-out names what never came.
"""

from __future__ import annotations

import asyncio
import contextlib
import copy
from collections.abc import Callable
from typing import TypeVar

from tests.fakes.telegram_api.records import ChatId, JSONDict, RecordedCall, RecordedRequest
from tests.fakes.telegram_api.state import ServerState

T = TypeVar("T")


class QueriesMixin(ServerState):
    """Looking at what was sent, and waiting for it."""

    def calls(self, method: str | None = None, chat_id: ChatId | None = None) -> list[RecordedCall]:
        """Successful calls, optionally filtered by method and/or chat."""
        return [
            call
            for call in self.sent
            if (method is None or call.method == method)
            and (chat_id is None or call.chat_id == chat_id)
        ]

    def messages_to(self, chat_id: ChatId) -> list[str]:
        """Texts of successful sendMessage calls to ``chat_id``, in order."""
        return [c.text or "" for c in self.calls("sendMessage", chat_id)]

    def last_reply_markup(self, chat_id: ChatId) -> JSONDict | None:
        """The reply_markup of the latest call to ``chat_id`` that carried one (incl. edits)."""
        for call in reversed(self.sent):
            if call.chat_id == chat_id and call.reply_markup is not None:
                return call.reply_markup
        return None

    def message(self, chat_id: ChatId, message_id: int) -> JSONDict | None:
        """Current state of a message (after edits), or None if unknown/deleted."""
        msg = self._messages.get((chat_id, message_id))
        return copy.deepcopy(msg) if msg is not None else None

    async def wait_for(
        self,
        predicate: Callable[[], T | None],
        timeout: float = 5.0,  # noqa: ASYNC109 - part of the requested test API
        *,
        description: str = "condition",
    ) -> T:
        """Wait until ``predicate()`` returns something truthy; re-checked on every change.

        Event-driven: wakes on each request/update instead of polling, so tests stay fast.
        Raises ``TimeoutError`` with ``description`` on time-out.
        """
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            event = self._changed
            value = predicate()
            if value:
                return value
            remaining = deadline - loop.time()
            if remaining <= 0:
                raise TimeoutError(f"timed out after {timeout}s waiting for {description}")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(event.wait(), remaining)

    async def wait_for_messages(
        self,
        chat_id: ChatId,
        n: int,
        timeout: float = 5.0,  # noqa: ASYNC109 - part of the requested test API
    ) -> list[str]:
        """Wait until at least ``n`` sendMessage calls reached ``chat_id``; return all texts."""

        def ready() -> list[str] | None:
            texts = self.messages_to(chat_id)
            return texts if len(texts) >= n else None

        try:
            return await self.wait_for(ready, timeout)
        except TimeoutError:
            raise TimeoutError(
                f"expected {n} messages to chat {chat_id} within {timeout}s, "
                f"got {self.messages_to(chat_id)!r}"
            ) from None

    async def wait_for_calls(
        self,
        method: str | None = None,
        n: int = 1,
        *,
        chat_id: ChatId | None = None,
        timeout: float = 5.0,  # noqa: ASYNC109 - part of the requested test API
    ) -> list[RecordedCall]:
        """Wait until at least ``n`` successful calls match; return all matching calls."""

        def ready() -> list[RecordedCall] | None:
            found = self.calls(method, chat_id)
            return found if len(found) >= n else None

        return await self.wait_for(
            ready, timeout, description=f"{n} x {method or 'any'} to {chat_id or 'any chat'}"
        )

    async def wait_for_requests(
        self,
        method: str,
        n: int = 1,
        *,
        timeout: float = 5.0,  # noqa: ASYNC109 - part of the requested test API
    ) -> list[RecordedRequest]:
        """Wait for ``n`` requests (any outcome) of ``method``, e.g. "the bot is polling"."""

        def ready() -> list[RecordedRequest] | None:
            found = [r for r in self.requests if r.method == method]
            return found if len(found) >= n else None

        return await self.wait_for(ready, timeout, description=f"{n} x {method} request")
