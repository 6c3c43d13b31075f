"""The pieces every long-polling loop needs (Telegram's and Zalo's pollers), written once.

A poller must stop promptly when the runtime sets its stop event (a long poll waits up to
half a minute, a pause after failures up to a minute), and backs off with a delay that
doubles with each failure in a row, up to a cap. What differs between messengers (offsets,
confirmations, which errors are final) stays in each channel's ``polling.py``.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable
from typing import Any, Final

#: What :func:`unless_stopped` returns when ``stop`` came first.
STOPPED: Final = object()


def backoff(base: float, attempt: int, cap: float) -> float:
    """The pause before try ``attempt + 1``: ``base``, doubled each time, at most ``cap``."""
    return float(min(base * 2 ** (attempt - 1), cap))


async def sleep_unless_stopped(seconds: float, stop: asyncio.Event) -> None:
    """Wait ``seconds``, or less if ``stop`` is set meanwhile."""
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(stop.wait(), seconds)


async def unless_stopped(call: Awaitable[Any], stop: asyncio.Event) -> Any:
    """The result of ``call`` (a long poll), or :data:`STOPPED` if ``stop`` was set first:
    the call is then cancelled, and what it would have returned stays with the messenger
    (Telegram) or is lost with the connection (Zalo: see its polling.py). Exceptions of the
    call are raised."""
    poll = asyncio.ensure_future(call)
    stopper = asyncio.ensure_future(stop.wait())
    try:
        await asyncio.wait({poll, stopper}, return_when=asyncio.FIRST_COMPLETED)
    finally:
        stopper.cancel()
        if not poll.done():
            poll.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await poll
    if poll.cancelled():
        return STOPPED
    return poll.result()
