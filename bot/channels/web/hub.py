"""Who is watching which conversation, and waking them when something was delivered.

An open page holds a server-sent event stream (``routes.events``); the stream waits on its
:class:`Watch` and, when woken, reads what is new from the outbox. The outbox sender marks a
round's rows sent and then calls :meth:`Hub.after_round`, so a woken stream always finds the
rows it was woken for already committed. A stream also reads the outbox on every keep-alive,
so a row delivered by another worker process (which cannot wake this one) shows up soon too.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager

MAX_STREAMS_PER_ADDRESS = 8  # tabs of one browser; more is not a person


class TooManyStreams(Exception):
    """This browser already holds the most event streams it may."""


class Watch:
    """One open event stream's doorbell."""

    def __init__(self) -> None:
        self.event = asyncio.Event()

    async def wait(self, seconds: float) -> None:
        """Until woken (or ``seconds`` passed); clears the bell for the next time."""
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(seconds):
                await self.event.wait()
        self.event.clear()


class Hub:
    def __init__(self) -> None:
        self._watches: dict[str, set[Watch]] = defaultdict(set)
        self._delivered: set[str] = set()
        self.closed = False

    def delivered(self, address: str) -> None:
        """A row for ``address`` was delivered; its watchers are woken after the round."""
        self._delivered.add(address)

    async def after_round(self) -> None:
        """The round's rows are committed as sent: wake whoever watches their addresses."""
        addresses, self._delivered = self._delivered, set()
        for address in addresses:
            for watch in self._watches.get(address, ()):
                watch.event.set()

    @contextmanager
    def watching(self, address: str) -> Iterator[Watch]:
        """A watch on ``address`` for as long as the stream is open."""
        if len(self._watches[address]) >= MAX_STREAMS_PER_ADDRESS:
            raise TooManyStreams(address)
        watch = Watch()
        self._watches[address].add(watch)
        try:
            yield watch
        finally:
            self._watches[address].discard(watch)
            if not self._watches[address]:
                del self._watches[address]

    def watchers(self, address: str) -> int:
        return len(self._watches.get(address, ()))

    def close(self) -> None:
        """The bot is stopping: every stream ends now rather than at its next keep-alive."""
        self.closed = True
        for watches in self._watches.values():
            for watch in watches:
                watch.event.set()
