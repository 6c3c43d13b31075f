"""Group commit: which messages go together, and in what order."""

from __future__ import annotations

import asyncio

import pytest

from bot.batching import Batcher


class Recorder:
    """A runner that records its batches and answers each item with itself."""

    def __init__(self, *, delay: float = 0.0, fail_on: str | None = None) -> None:
        self.batches: list[list[str]] = []
        self.delay = delay
        self.fail_on = fail_on
        self.in_flight = 0
        self.most_in_flight = 0

    async def __call__(self, items: list[str]) -> list[object]:
        self.batches.append(list(items))
        self.in_flight += 1
        self.most_in_flight = max(self.most_in_flight, self.in_flight)
        try:
            await asyncio.sleep(self.delay)
            if self.fail_on in items:
                raise RuntimeError("batch failed")
            return [ValueError(item) if item.startswith("bad") else item for item in items]
        finally:
            self.in_flight -= 1


async def test_messages_that_arrive_together_share_a_batch() -> None:
    runner = Recorder()
    batcher: Batcher[str, str] = Batcher(runner, max_size=50, parallel=1)
    results = await asyncio.gather(*(batcher.submit(f"user{n}", f"m{n}") for n in range(10)))
    assert results == [f"m{n}" for n in range(10)]
    assert runner.batches == [[f"m{n}" for n in range(10)]]


async def test_a_lone_message_does_not_wait_for_company() -> None:
    runner = Recorder()
    batcher: Batcher[str, str] = Batcher(runner)
    assert await asyncio.wait_for(batcher.submit("an", "hello"), 1) == "hello"
    assert runner.batches == [["hello"]]


async def test_one_users_messages_go_in_separate_batches_in_order() -> None:
    runner = Recorder(delay=0.01)
    batcher: Batcher[str, str] = Batcher(runner, parallel=2)
    items = [("an", "a1"), ("binh", "b1"), ("an", "a2"), ("an", "a3"), ("binh", "b2")]
    results = await asyncio.gather(*(batcher.submit(key, item) for key, item in items))
    assert results == ["a1", "b1", "a2", "a3", "b2"]
    position = {item: n for n, batch in enumerate(runner.batches) for item in batch}
    assert position["a1"] < position["a2"] < position["a3"]
    assert position["b1"] < position["b2"]
    for batch in runner.batches:
        users = [item[0] for item in batch]
        assert len(users) == len(set(users)), f"one user twice in {batch}"


async def test_batches_are_bounded_in_size_and_in_number_at_once() -> None:
    runner = Recorder(delay=0.01)
    batcher: Batcher[str, str] = Batcher(runner, max_size=4, parallel=2)
    await asyncio.gather(*(batcher.submit(f"u{n}", f"m{n}") for n in range(20)))
    assert max(len(batch) for batch in runner.batches) == 4
    assert sum(len(batch) for batch in runner.batches) == 20
    assert runner.most_in_flight == 2


async def test_each_item_gets_its_own_outcome() -> None:
    batcher: Batcher[str, str] = Batcher(Recorder())
    good, bad = await asyncio.gather(
        batcher.submit("an", "fine"), batcher.submit("binh", "bad one"), return_exceptions=True
    )
    assert good == "fine"
    assert isinstance(bad, ValueError)


async def test_a_failing_runner_fails_its_batch_and_not_the_next() -> None:
    runner = Recorder(fail_on="boom")
    batcher: Batcher[str, str] = Batcher(runner)
    outcomes = await asyncio.gather(
        batcher.submit("an", "boom"), batcher.submit("binh", "b1"), return_exceptions=True
    )
    assert all(isinstance(o, RuntimeError) for o in outcomes)
    assert await batcher.submit("binh", "b2") == "b2"


async def test_idle_waits_for_everything_queued() -> None:
    runner = Recorder(delay=0.01)
    batcher: Batcher[str, str] = Batcher(runner, max_size=2, parallel=1)
    tasks = [asyncio.create_task(batcher.submit(f"u{n}", f"m{n}")) for n in range(6)]
    await asyncio.sleep(0)
    await batcher.idle()
    assert all(task.done() for task in tasks)


def test_sizes_below_one_are_refused() -> None:
    with pytest.raises(ValueError):
        Batcher(Recorder(), max_size=0)


async def test_a_caller_that_stops_waiting_still_has_its_item_handled() -> None:
    """A webhook request dropped by the network: the message is handled all the same (and
    its outcome, even a failure, is not reported as lost)."""
    runner = Recorder(delay=0.02)
    batcher: Batcher[str, str] = Batcher(runner)
    waiting = asyncio.create_task(batcher.submit("an", "bad answer"))
    await asyncio.sleep(0.005)
    waiting.cancel()
    await batcher.idle()
    assert runner.batches == [["bad answer"]]
