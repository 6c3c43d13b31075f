"""What a channel remembers of a reply sent in several calls, for its retry.

A reply longer than one message (or a text with a document) is several calls to the
messenger. If a later one fails and the outbox sender retries the row, the calls the
messenger already confirmed must not be made again (the user would read a piece twice). So
the channel remembers, per address and reply, how many went out. In this process only:
after a crash a partly sent reply is sent again from its first piece, the same "only what
was in flight can repeat" promise the outbox sender makes for single rows. Used by Telegram
and by Zalo (which can also be given a durable ledger by the sender: bot/channels/zalo/
channel.py).
"""

from __future__ import annotations

import hashlib
import time
from collections import OrderedDict
from collections.abc import Callable

from bot.messages import Outbound


class DeliveryProgress:
    """How many steps of a reply the messenger already confirmed, while a retry is pending.

    Keyed by address and the reply's content: the sender retries the same row, in order, so
    the next send of that reply to that address is its retry. Entries expire (a row the
    sender gave up on must not make an identical later reply skip its first pieces) and the
    table is bounded.
    """

    def __init__(
        self,
        *,
        ttl: float = 6 * 3600,
        limit: int = 10_000,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._done: OrderedDict[str, tuple[int, float]] = OrderedDict()
        self._ttl = ttl
        self._limit = limit
        self._clock = clock

    @staticmethod
    def key(address: str, message: Outbound) -> str:
        digest = hashlib.sha256(message.model_dump_json().encode("utf-8"))
        digest.update(b"\0" + address.encode("utf-8"))
        return digest.hexdigest()

    def done(self, key: str) -> int:
        entry = self._done.get(key)
        if entry is None:
            return 0
        if self._clock() - entry[1] > self._ttl:
            del self._done[key]
            return 0
        return entry[0]

    def record(self, key: str, steps: int) -> None:
        self._done[key] = (steps, self._clock())
        self._done.move_to_end(key)
        while len(self._done) > self._limit:
            self._done.popitem(last=False)

    def forget(self, key: str) -> None:
        self._done.pop(key, None)

    def __len__(self) -> int:
        return len(self._done)
