"""Telegram's flood control, modelled closely enough that a bot's pacing is really tested."""

from __future__ import annotations

import math
from collections import deque

from tests.fakes.telegram_api.records import ChatId


class RateLimiter:
    """Global sliding-window limit plus a per-chat token bucket, like Telegram's flood control.

    Telegram documents ~30 messages/s overall and ~1 message/s per chat with short bursts
    tolerated; a token bucket models the "burst then steady rate" behaviour.
    """

    def __init__(
        self,
        global_per_second: float | None,
        per_chat_per_second: float | None,
        per_chat_burst: int,
    ) -> None:
        self.global_per_second = global_per_second
        self.per_chat_per_second = per_chat_per_second
        self.per_chat_burst = max(1, per_chat_burst)
        self._window: deque[float] = deque()
        self._buckets: dict[ChatId, tuple[float, float]] = {}

    @property
    def enabled(self) -> bool:
        return self.global_per_second is not None or self.per_chat_per_second is not None

    def _tokens(self, chat_id: ChatId, now: float) -> float:
        assert self.per_chat_per_second is not None
        tokens, last = self._buckets.get(chat_id, (float(self.per_chat_burst), now))
        return min(float(self.per_chat_burst), tokens + (now - last) * self.per_chat_per_second)

    def check(self, chat_id: ChatId | None, now: float) -> int | None:
        """Return retry_after seconds if a send now would exceed a limit, else None."""
        if self.global_per_second is not None:
            while self._window and self._window[0] <= now - 1.0:
                self._window.popleft()
            if len(self._window) >= self.global_per_second:
                return max(1, math.ceil(self._window[0] + 1.0 - now))
        if self.per_chat_per_second is not None and chat_id is not None:
            tokens = self._tokens(chat_id, now)
            if tokens < 1.0:
                return max(1, math.ceil((1.0 - tokens) / self.per_chat_per_second))
        return None

    def consume(self, chat_id: ChatId | None, now: float) -> None:
        if self.global_per_second is not None:
            self._window.append(now)
        if self.per_chat_per_second is not None and chat_id is not None:
            self._buckets[chat_id] = (self._tokens(chat_id, now) - 1.0, now)
