"""The small interface every channel adapter implements, and its typed delivery errors.

The outbox sender only knows this interface: what a channel can show, how to send one
reply, and three kinds of failure (retry later, the user blocked us, give up).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from bot.messages import Outbound


@dataclass(frozen=True)
class Capabilities:
    buttons: bool = False
    request_contact: bool = False
    documents: bool = False
    max_text: int = 4096


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
