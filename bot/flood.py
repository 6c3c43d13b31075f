"""A bound on how fast one person's messages are handled.

One user sending hundreds of messages (a stuck key, a script, a forwarded chat) must not
take the bot from everyone else. Each sender has a token bucket (GCRA form: a burst, then a
steady rate); beyond it their messages are not handled. That is never silent: the first
message over the limit gets one polite notice saying that what they send in the next moments
will not be read and that they should send it again after a short wait; the following ones
are dropped without another notice until the bucket allows them again.
"""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Callable, Hashable
from enum import Enum

REMEMBERED = 50_000  # senders tracked at once; the least recent are forgotten first


class Verdict(Enum):
    HANDLE = "handle"
    NOTIFY = "notify"  # over the limit, first time in this stretch: tell them
    DROP = "drop"  # over the limit, already told


class FloodGuard:
    def __init__(
        self,
        *,
        per_minute: float = 30.0,
        burst: int = 20,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if per_minute <= 0 or burst < 1:
            raise ValueError("the inbound rate and burst must be positive")
        self.interval = 60.0 / per_minute
        self.tolerance = (burst - 1) * self.interval
        self.clock = clock
        self._tat: OrderedDict[Hashable, float] = OrderedDict()
        self._told: set[Hashable] = set()

    def check(self, key: Hashable) -> Verdict:
        now = self.clock()
        tat = self._tat.pop(key, now)
        if now >= tat - self.tolerance:
            self._remember(key, max(tat, now) + self.interval)
            self._told.discard(key)
            return Verdict.HANDLE
        self._remember(key, tat)
        if key in self._told:
            return Verdict.DROP
        self._told.add(key)
        return Verdict.NOTIFY

    def wait(self, key: Hashable) -> float:
        """Seconds until ``key`` may send again."""
        tat = self._tat.get(key)
        return 0.0 if tat is None else max(0.0, tat - self.tolerance - self.clock())

    def _remember(self, key: Hashable, tat: float) -> None:
        self._tat[key] = tat
        while len(self._tat) > REMEMBERED:
            old, _ = self._tat.popitem(last=False)
            self._told.discard(old)
