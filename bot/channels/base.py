"""The small interfaces every channel implements, and its typed delivery errors.

The outbox sender only knows :class:`Channel`: what a channel can show, how to send one
reply, and three kinds of failure (retry later, the user blocked us, give up). The runtime
(:mod:`bot.runtime`) only knows :class:`Service`: how a channel starts, receives and stops.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Protocol

from bot.messages import Capabilities, Outbound

if TYPE_CHECKING:
    from bot.http import HttpServer

# What a channel can show lives with the message types (the conversations read it too).
__all__ = [
    "Capabilities",
    "Channel",
    "DeliveryError",
    "PermanentFailure",
    "RecipientBlocked",
    "RetryLater",
    "Service",
]


class DeliveryError(Exception):
    """Base of the failures a channel reports; the sender decides by type, not by message."""


class RetryLater(DeliveryError):
    def __init__(self, reason: str, retry_after: float | None = None) -> None:
        super().__init__(reason)
        self.retry_after = retry_after


class RecipientBlocked(DeliveryError):
    """The platform says the user blocked the bot: stop sending to this identity."""


class PermanentFailure(DeliveryError):
    """The platform refused the message for good (bad request): log it and move on."""


class Channel(Protocol):
    name: str
    capabilities: Capabilities

    async def send(self, address: str, message: Outbound) -> None:
        """Deliver one reply to ``address`` (the identity's external id) or raise."""
        ...


class Service(Protocol):
    """A channel as the runtime runs it: it starts (checks its credentials, mounts its
    webhook route on the one HTTP server), then receives until told to stop, while the
    runtime's outbox sender delivers its rows through :attr:`channel`.

    ``receives`` says how (``polling``, ``webhook``, ``terminal``); :meth:`describe` is the
    start-up line for the operator (how it receives, and where)."""

    name: str
    receives: str
    channel: Channel
    # Deliver only this address's rows (the console chat serves one local user).
    sender_address: str | None

    async def start(self, http: HttpServer) -> None: ...

    # Optional ``async def register(self) -> None``: called once the HTTP server listens
    # and before the start-up line (Telegram registers its webhook there).

    async def serve(self, stop: asyncio.Event, deliver_now: Callable[[], Awaitable[None]]) -> None:
        """Receive until ``stop`` is set; returning earlier ends the whole bot (the console
        at end of input). ``deliver_now`` sends what is due at once (the console shows the
        replies before its next prompt)."""
        ...

    def describe(self) -> str: ...

    async def close(self) -> None: ...
