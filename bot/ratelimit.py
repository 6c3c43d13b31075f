"""Pacing of outgoing calls: one rate for everything, one rate per key (a chat), short bursts.

Why pace instead of reacting to 429: a platform that answers "Too Many Requests" often punishes
with a wait longer than the burst that caused it, and a retried message goes out late. Waiting
a few milliseconds before each call costs nothing when traffic is light and keeps a burst of
reminders within the platform's limits when it is not.

Each limit is a token bucket in its GCRA form (a "theoretical arrival time" per bucket): at
most ``burst`` calls at once, then one every ``1 / rate`` seconds. A caller first waits for its
key's bucket, then takes the next global slot and charges its key at that same instant, so a
chat that must wait never holds a global slot that another chat could use now.

A token bucket alone bounds the instants at which calls *leave*, not the instants at which
the platform *counts* them: a stalled event loop sends several reserved slots at once, and
the network delays one call more than the next. A platform that counts "at most N in any
second" (a sliding window, as Telegram's flood control behaves) then sees N + 1. So a global
``window_limit`` may be added: at most that many calls in any ``window`` seconds, where a call
occupies the window from the instant it starts until ``window`` after it was *confirmed*
(:meth:`RateLimiter.slot`). Whenever the platform counted the call, it was between those
two instants, so no window of the platform's can hold more than ``window_limit`` of ours,
whatever the latency, on any clock.

Nothing here knows about any platform; the Telegram channel builds one with Telegram's numbers.
"""

from __future__ import annotations

import asyncio
import heapq
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Hashable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field

Clock = Callable[[], float]
Sleep = Callable[[float], Awaitable[object]]


@dataclass
class _Bucket:
    """GCRA state: calls are allowed from ``tat - tolerance`` on."""

    interval: float  # seconds between calls at the steady rate
    tolerance: float  # how far ahead of the steady rate a burst may run
    tat: float = float("-inf")  # theoretical arrival time of the next call

    @classmethod
    def for_rate(cls, rate: float, burst: int) -> _Bucket:
        if rate <= 0:
            raise ValueError("rate must be positive")
        if burst < 1:
            raise ValueError("burst must be at least 1")
        interval = 1.0 / rate
        return cls(interval=interval, tolerance=(burst - 1) * interval)

    def earliest(self, now: float) -> float:
        """When the next call may go (``now`` if it may go at once)."""
        return max(now, self.tat - self.tolerance)

    def charge(self, at: float) -> None:
        """Count a call made at ``at`` (which must not be before :meth:`earliest`)."""
        self.tat = max(self.tat, at) + self.interval

    def hold_until(self, when: float) -> None:
        """Allow nothing before ``when`` (the platform told us to wait)."""
        self.tat = max(self.tat, when + self.tolerance)

    def idle(self, now: float) -> bool:
        """A bucket back at full burst carries no information and can be forgotten."""
        return self.tat <= now


@dataclass
class _Window:
    """At most ``limit`` calls in any ``span`` seconds, as the platform could count them: a
    call holds its place from its start until ``span`` after its confirmation."""

    limit: int
    span: float
    ends: list[float] = field(default_factory=list)  # heap: confirmation times
    in_flight: int = 0  # started, not yet confirmed (or failed)
    finished: asyncio.Event = field(default_factory=asyncio.Event)

    def __post_init__(self) -> None:
        if self.limit < 1:
            raise ValueError("window limit must be at least 1")
        if self.span <= 0:
            raise ValueError("window must be positive")

    def free_at(self, now: float) -> float | None:
        """``now`` if a call may start now; else the instant the next place frees, or
        ``None`` when only calls still in flight hold the window (wait for one to end)."""
        while self.ends and self.ends[0] + self.span <= now:
            heapq.heappop(self.ends)
        if len(self.ends) + self.in_flight < self.limit:
            return now
        return self.ends[0] + self.span if self.ends else None

    def finish(self, at: float) -> None:
        self.in_flight -= 1
        heapq.heappush(self.ends, at)
        self.finished.set()


class RateLimiter:
    """Waits before each call so that, across all keys, at most ``global_rate`` calls per
    second go out (``global_burst`` at once), and at most ``per_key_rate`` per key
    (``per_key_burst`` at once). Either limit may be ``None`` (off).

    With ``window_limit``, also at most that many calls in any ``window`` seconds across all
    keys, counted from each call's start to its confirmation (see the module docstring):
    the hard ceiling, while the token bucket keeps the pace smooth under it.
    """

    def __init__(
        self,
        *,
        global_rate: float | None,
        global_burst: int = 1,
        per_key_rate: float | None = None,
        per_key_burst: int = 1,
        window_limit: int | None = None,
        window: float = 1.0,
        clock: Clock = time.monotonic,
        sleep: Sleep = asyncio.sleep,
    ) -> None:
        self._global = _Bucket.for_rate(global_rate, global_burst) if global_rate else None
        self._per_key_rate = per_key_rate
        self._per_key_burst = per_key_burst
        if per_key_rate is not None:
            _Bucket.for_rate(per_key_rate, per_key_burst)  # validate now, not on first use
        self._window = _Window(window_limit, window) if window_limit is not None else None
        self._window_lock = asyncio.Lock()  # callers enter the window one at a time, in order
        self._keys: dict[Hashable, _Bucket] = {}
        self._locks: dict[Hashable, asyncio.Lock] = {}
        self._users: dict[Hashable, int] = {}  # callers inside acquire() per key
        self._clock = clock
        self._sleep = sleep
        self._calls = 0

    async def acquire(self, key: Hashable | None = None) -> float:
        """Wait until a call for ``key`` may go, and count it; returns the seconds waited.

        For the window (if any) the call counts as confirmed at once: use :meth:`slot` to
        count it until its real confirmation, which is what makes the window a guarantee.
        """
        waited = await self._acquire(key)
        if self._window is not None:
            self._window.finish(self._clock())
        return waited

    @asynccontextmanager
    async def slot(self, key: Hashable | None = None) -> AsyncIterator[float]:
        """Wait until a call for ``key`` may go, make it inside the ``async with`` block, and
        the window counts it until the block ends (confirmed, refused or timed out: the
        platform counted it, if at all, before then). Yields the seconds waited."""
        waited = await self._acquire(key)
        try:
            yield waited
        finally:
            if self._window is not None:
                self._window.finish(self._clock())

    async def _acquire(self, key: Hashable | None) -> float:
        """Wait for the key's bucket, the global slot and a place in the window; on return
        the call is in flight for the window.

        Calls for the same key are served one at a time in arrival order (a lock), so that
        the key is charged at the instant its call really goes out.
        """
        started = self._clock()
        if key is None or self._per_key_rate is None:
            await self._wait_until(self._take_global(self._clock()))
            await self._enter_window()
            return self._clock() - started
        lock = self._locks.get(key)
        if lock is None:
            lock = self._locks[key] = asyncio.Lock()
        self._users[key] = self._users.get(key, 0) + 1
        try:
            async with lock:
                bucket = self._bucket(key)
                await self._wait_until(bucket.earliest(self._clock()))
                at = self._take_global(self._clock())
                bucket.charge(at)
                await self._wait_until(at)
                await self._enter_window()
        finally:
            self._users[key] -= 1
            if not self._users[key]:
                del self._users[key]
        self._forget_idle()
        return self._clock() - started

    def hold(self, key: Hashable | None, seconds: float) -> None:
        """Send nothing for ``key`` (or nothing at all, for ``None``) during ``seconds``:
        used when the platform answers "retry after" despite the pacing."""
        until = self._clock() + max(0.0, seconds)
        if key is None or self._per_key_rate is None:
            if self._global is not None:
                self._global.hold_until(until)
            return
        self._bucket(key).hold_until(until)

    @property
    def tracked_keys(self) -> int:
        """How many keys the limiter remembers (idle keys are forgotten)."""
        return len(self._keys)

    # -- internals ------------------------------------------------------------------------

    def _bucket(self, key: Hashable) -> _Bucket:
        bucket = self._keys.get(key)
        if bucket is None:
            assert self._per_key_rate is not None
            bucket = self._keys[key] = _Bucket.for_rate(self._per_key_rate, self._per_key_burst)
        return bucket

    def _take_global(self, now: float) -> float:
        """Reserve the next global slot (synchronously, so no two callers get the same one)."""
        if self._global is None:
            return now
        at = self._global.earliest(now)
        self._global.charge(at)
        return at

    async def _enter_window(self) -> None:
        """Wait for a place in the window and take it (first come, first served)."""
        window = self._window
        if window is None:
            return
        async with self._window_lock:
            woke = float("-inf")
            while True:
                # After sleeping until a place frees, count from that instant: a clock read
                # a hair early (float rounding, a fake clock) must not loop on tiny sleeps.
                now = max(self._clock(), woke)
                free = window.free_at(now)
                if free is None:  # every place is held by a call still in flight
                    window.finished.clear()
                    await window.finished.wait()
                elif free > now:
                    await self._sleep(free - now)
                    woke = free
                else:
                    window.in_flight += 1
                    return

    async def _wait_until(self, when: float) -> None:
        delay = when - self._clock()
        if delay > 0:
            await self._sleep(delay)

    def _forget_idle(self) -> None:
        """Drop keys that are back at full burst, now and then, so memory follows the number
        of recently active chats rather than every chat ever served."""
        self._calls += 1
        if self._calls % 256 and len(self._keys) < 4096:
            return
        now = self._clock()
        for key in [k for k, b in self._keys.items() if b.idle(now) and k not in self._users]:
            del self._keys[key]
            self._locks.pop(key, None)
