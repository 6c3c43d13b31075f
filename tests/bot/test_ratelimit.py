"""The pacing limiter: bursts, steady rates, keys that do not block each other, holds.

Sequential rules run on a fake clock (exact and instant); the properties that depend on
several callers waiting at once run on the real loop with generous tolerances.
"""

from __future__ import annotations

import asyncio
import random
import time
from collections.abc import Hashable

import pytest

from bot.ratelimit import RateLimiter


class FakeTime:
    """A clock that only moves when someone sleeps (one caller at a time)."""

    def __init__(self) -> None:
        self.now = 0.0

    def clock(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.now += seconds


def limiter(fake: FakeTime, **kwargs: object) -> RateLimiter:
    return RateLimiter(clock=fake.clock, sleep=fake.sleep, **kwargs)  # type: ignore[arg-type]


async def times(limit: RateLimiter, fake: FakeTime, keys: list[Hashable | None]) -> list[float]:
    out = []
    for key in keys:
        await limit.acquire(key)
        out.append(round(fake.now, 6))
    return out


async def test_per_key_burst_then_steady_rate() -> None:
    fake = FakeTime()
    limit = limiter(fake, global_rate=None, per_key_rate=1.0, per_key_burst=2)
    assert await times(limit, fake, ["a"] * 5) == [0, 0, 1, 2, 3]


async def test_global_rate_paces_every_key() -> None:
    fake = FakeTime()
    limit = limiter(fake, global_rate=10.0, global_burst=1)
    assert await times(limit, fake, ["a", "b", "c", None]) == [0, 0.1, 0.2, 0.3]


async def test_keys_do_not_share_their_budget() -> None:
    fake = FakeTime()
    limit = limiter(fake, global_rate=None, per_key_rate=1.0, per_key_burst=1)
    assert await times(limit, fake, ["a", "b", "c"]) == [0, 0, 0]
    assert await times(limit, fake, ["a"]) == [1]


async def test_idle_time_refills_the_burst_but_not_beyond() -> None:
    fake = FakeTime()
    limit = limiter(fake, global_rate=None, per_key_rate=1.0, per_key_burst=3)
    await times(limit, fake, ["a"] * 3)
    fake.now += 100
    assert await times(limit, fake, ["a"] * 4) == [100, 100, 100, 101]


async def test_hold_delays_the_key_then_paces_again() -> None:
    fake = FakeTime()
    limit = limiter(fake, global_rate=None, per_key_rate=1.0, per_key_burst=2)
    limit.hold("a", 5)
    assert await times(limit, fake, ["a", "a", "b"]) == [5, 6, 6]


async def test_global_hold() -> None:
    fake = FakeTime()
    limit = limiter(fake, global_rate=30.0, global_burst=1)
    limit.hold(None, 2)
    assert await times(limit, fake, ["a"]) == [2]


async def test_no_window_exceeds_what_telegram_allows() -> None:
    """The numbers the Telegram channel uses: never more than 30 in any second overall, nor
    more than burst + 1 in any second for one chat."""
    fake = FakeTime()
    limit = limiter(fake, global_rate=25.0, global_burst=3, per_key_rate=1.0, per_key_burst=2)
    rng = random.Random(7)
    sent: list[tuple[float, str]] = []
    for _ in range(400):
        key = f"chat{rng.randrange(40)}"
        await limit.acquire(key)
        sent.append((fake.now, key))
        if rng.random() < 0.1:
            fake.now += rng.random()
    stamps = [t for t, _ in sent]
    for i, start in enumerate(stamps):
        in_window = [t for t in stamps[i:] if t < start + 1.0]
        assert len(in_window) <= 28
    for key in {k for _, k in sent}:
        mine = [t for t, k in sent if k == key]
        for i, start in enumerate(mine):
            assert len([t for t in mine[i:] if t < start + 1.0]) <= 3


async def test_idle_keys_are_forgotten() -> None:
    fake = FakeTime()
    limit = limiter(fake, global_rate=None, per_key_rate=1.0, per_key_burst=1)
    for n in range(300):
        await limit.acquire(n)
    assert limit.tracked_keys == 300
    fake.now += 10
    for n in range(300, 556):
        await limit.acquire(n)
    assert limit.tracked_keys < 300  # the first 300 were idle and dropped


def test_rates_must_be_positive() -> None:
    with pytest.raises(ValueError):
        RateLimiter(global_rate=None, per_key_rate=0.0)
    with pytest.raises(ValueError):
        RateLimiter(global_rate=10.0, global_burst=0)


async def test_a_waiting_chat_does_not_hold_back_other_chats() -> None:
    """Chat a must wait a second for its next message; chat b, asking meanwhile, must not
    queue behind it for the global slot."""
    limit = RateLimiter(global_rate=100.0, per_key_rate=2.0, per_key_burst=1)
    started = time.monotonic()
    stamps: dict[str, float] = {}

    async def go(name: str, key: str, delay: float) -> None:
        await asyncio.sleep(delay)
        await limit.acquire(key)
        stamps[name] = time.monotonic() - started

    await asyncio.wait_for(
        asyncio.gather(go("a1", "a", 0), go("a2", "a", 0.01), go("b1", "b", 0.02)), 5
    )
    assert stamps["a2"] >= 0.45  # a's second slot is never early
    assert stamps["b1"] < stamps["a2"]  # b did not queue behind a's slot


async def test_one_key_is_served_in_order_and_paced_under_concurrency() -> None:
    limit = RateLimiter(global_rate=None, per_key_rate=20.0, per_key_burst=1)
    order: list[int] = []
    started = time.monotonic()

    async def go(n: int) -> None:
        await limit.acquire("a")
        order.append(n)

    await asyncio.wait_for(asyncio.gather(*(go(n) for n in range(6))), 5)
    assert order == list(range(6))
    assert time.monotonic() - started >= 5 * 0.05 - 0.005  # slots are never early


async def slot_times(limit: RateLimiter, fake: FakeTime, durations: list[float]) -> list[float]:
    """Start instants of sequential calls that each take ``durations[i]`` to be confirmed."""
    out = []
    for duration in durations:
        async with limit.slot():
            out.append(round(fake.now, 6))
            fake.now += duration
    return out


async def test_the_window_counts_a_call_until_its_confirmation() -> None:
    """At most 3 in any second, each call holding its place from its start until a second
    after its answer: a slow answer pushes the next call back by as much."""
    fake = FakeTime()
    limit = limiter(fake, global_rate=None, window_limit=3, window=1.0)
    assert await slot_times(limit, fake, [0.1] * 7) == [0, 0.1, 0.2, 1.1, 1.2, 1.3, 2.2]


async def test_acquire_alone_counts_a_call_as_confirmed_at_once() -> None:
    fake = FakeTime()
    limit = limiter(fake, global_rate=None, window_limit=3, window=1.0)
    assert await times(limit, fake, [None] * 7) == [0, 0, 0, 1, 1, 1, 2]


async def test_calls_in_flight_hold_the_window() -> None:
    """Two calls without an answer yet fill a window of 2: the third waits for an answer,
    then for the window to pass."""
    limit = RateLimiter(global_rate=None, window_limit=2, window=0.1)
    release = asyncio.Event()
    started: list[float] = []
    t0 = time.monotonic()

    async def call(name: str) -> None:
        async with limit.slot():
            started.append(time.monotonic() - t0)
            if name != "third":
                await release.wait()

    tasks = [asyncio.create_task(call(n)) for n in ("first", "second")]
    await asyncio.sleep(0.01)
    third = asyncio.create_task(call("third"))
    await asyncio.sleep(0.3)
    assert len(started) == 2  # far longer than the window: still waiting for an answer
    release.set()
    await asyncio.wait_for(asyncio.gather(*tasks, third), 5)
    assert started[2] >= 0.3 + 0.1 - 0.005


async def test_no_server_window_can_see_more_than_the_limit_despite_stalls_and_latency() -> None:
    """The property the Telegram channel relies on. Calls are paced by a token bucket at the
    limit itself (so the window is what binds), take random times to be answered, and the
    event loop stalls now and then (a slow database commit), which makes waiting callers
    wake late and together. A server may count each call at any instant between its start
    and its answer; whichever instants it picks, no window of ``window`` seconds holds more
    than ``window_limit``: at every instant at most that many calls are between their start
    and a window after their answer."""
    rng = random.Random(11)
    window, most = 0.05, 10
    limit = RateLimiter(global_rate=most / window, global_burst=3, window_limit=most,
                        window=window)  # fmt: skip
    spans: list[tuple[float, float]] = []

    async def call() -> None:
        async with limit.slot():
            start = time.monotonic()
            if rng.random() < 0.05:
                time.sleep(0.01)  # noqa: ASYNC251 - a stalled loop, on purpose
            await asyncio.sleep(rng.random() * 0.01)
            spans.append((start, time.monotonic()))  # answered: the server counted it by now

    started = time.monotonic()
    await asyncio.wait_for(asyncio.gather(*(call() for _ in range(300))), 20)
    elapsed = time.monotonic() - started
    for at, _ in spans:
        holding = [1 for start, end in spans if start <= at < end + window]
        assert len(holding) <= most
    # ... and the ceiling is not bought with idleness: well over half the ideal pace
    assert 300 / elapsed > 0.5 * most / window


def test_the_window_must_be_sensible() -> None:
    with pytest.raises(ValueError):
        RateLimiter(global_rate=None, window_limit=0)
    with pytest.raises(ValueError):
        RateLimiter(global_rate=None, window_limit=3, window=0)
