"""Group commit: messages that arrive together are handled in one transaction.

On a deadline day hundreds of officers answer at once. Each message on its own costs a
transaction (BEGIN, six statements, COMMIT), and most of that cost is per statement, not per
row. So messages waiting at the same moment are taken together: one transaction, one
multi-row statement per step, and the handlers run one after another inside it, in arrival
order, exactly as if the messages had come one by one. At a quiet hour a batch holds one
message and nothing waits: a batch is formed from what is already queued, never by delay.

Two messages of one user are never in the same batch, nor in two batches at once: a user's
messages are handled in the order they arrived. A batch that fails is the caller's to retry
(the pipeline handles its messages one by one then, so one bad message cannot hold back the
others).
"""

from __future__ import annotations

import asyncio
import logging
from collections import deque
from collections.abc import Awaitable, Callable, Hashable, Sequence
from dataclasses import dataclass, field
from typing import Generic, TypeVar

log = logging.getLogger(__name__)

Item = TypeVar("Item")
Result = TypeVar("Result")

# A batch runner returns one outcome per item: its result, or the exception to raise.
Runner = Callable[[list[Item]], Awaitable[Sequence[object]]]


@dataclass
class _Entry(Generic[Item, Result]):
    key: Hashable
    item: Item
    future: asyncio.Future[Result] = field(repr=False)


class Batcher(Generic[Item, Result]):
    """Queues items and hands them to ``runner`` in batches of distinct keys.

    ``max_size`` bounds a batch (and so the latency of its first item); ``parallel`` batches
    may be in flight at once, so the handlers of one run while another waits on the database.
    """

    def __init__(self, runner: Runner[Item], *, max_size: int = 50, parallel: int = 2) -> None:
        if max_size < 1 or parallel < 1:
            raise ValueError("max_size and parallel must be at least 1")
        self.runner = runner
        self.max_size = max_size
        self.parallel = parallel
        self._queue: deque[_Entry[Item, Result]] = deque()
        self._busy: set[Hashable] = set()
        self._in_flight = 0
        self._scheduled = False
        self._tasks: set[asyncio.Task[None]] = set()

    async def submit(self, key: Hashable, item: Item) -> Result:
        """Queue ``item`` (``key``: whose it is) and wait for its outcome."""
        loop = asyncio.get_running_loop()
        entry: _Entry[Item, Result] = _Entry(key, item, loop.create_future())
        # A caller that stops waiting (a dropped webhook request) leaves the outcome unread;
        # reading it here keeps asyncio from reporting it as lost.
        entry.future.add_done_callback(_consume)
        self._queue.append(entry)
        if not self._scheduled:
            # Batches start on the next turn of the loop, so that everything submitted in
            # this one (a burst of webhook requests) can join the first batch.
            self._scheduled = True
            loop.call_soon(self._start_batches)
        return await asyncio.shield(entry.future)

    def _start_batches(self) -> None:
        self._scheduled = False
        while self._in_flight < self.parallel:
            batch = self._take()
            if not batch:
                return
            self._in_flight += 1
            task = asyncio.get_running_loop().create_task(self._run(batch), name="batch")
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)

    def _take(self) -> list[_Entry[Item, Result]]:
        """The oldest waiting item of each key not already in flight, up to ``max_size``;
        the rest keep their places."""
        batch: list[_Entry[Item, Result]] = []
        keys: set[Hashable] = set()
        kept: deque[_Entry[Item, Result]] = deque()
        while self._queue and len(batch) < self.max_size:
            entry = self._queue.popleft()
            if entry.key in keys or entry.key in self._busy:
                kept.append(entry)
            else:
                batch.append(entry)
                keys.add(entry.key)
        kept.extend(self._queue)
        self._queue = kept
        self._busy |= keys
        return batch

    async def _run(self, batch: list[_Entry[Item, Result]]) -> None:
        try:
            outcomes = await self.runner([entry.item for entry in batch])
            if len(outcomes) != len(batch):
                raise RuntimeError(f"batch of {len(batch)} got {len(outcomes)} outcomes")
        except asyncio.CancelledError:
            for entry in batch:
                entry.future.cancel()
            raise
        except Exception as exc:  # every waiter must hear of it
            outcomes = [exc] * len(batch)
        finally:
            self._busy.difference_update(entry.key for entry in batch)
            self._in_flight -= 1
        for entry, outcome in zip(batch, outcomes, strict=True):
            if entry.future.done():
                continue
            if isinstance(outcome, BaseException):
                entry.future.set_exception(outcome)
            else:
                entry.future.set_result(outcome)  # type: ignore[arg-type]
        self._start_batches()

    async def idle(self) -> None:
        """Wait until every queued item has its outcome (tests, a clean stop)."""
        while self._queue or self._tasks:
            if self._tasks:
                await asyncio.gather(*list(self._tasks), return_exceptions=True)
            else:
                await asyncio.sleep(0)


def _consume(future: asyncio.Future[object]) -> None:
    if not future.cancelled():
        future.exception()
