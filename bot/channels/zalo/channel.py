"""The sending half of the Zalo channel: one outbox row → ``sendMessage`` calls → a typed outcome.

What the outbox sender hears back (:mod:`bot.channels.base`):

* 429 "quota exceeded" → :class:`RetryLater`, and the whole bot backs off: Zalo publishes no
  limits and sends no ``retry_after``, so the pause doubles with each 429 in a row (from
  ``backoff_base`` up to ``backoff_cap`` seconds) and is forgotten after a success. While it
  lasts, other rows are answered "retry later" without a call, rather than waiting inside
  the sender's round;
* 5xx, time-outs, network trouble, an unreadable answer, and a refused token (an operator
  can fix it without losing the queue) → :class:`RetryLater`;
* 400 (text over the limit, an unknown chat) and other 4xx → :class:`PermanentFailure`.
  Zalo documents no "the user blocked the bot" error, so nothing maps to
  :class:`RecipientBlocked`: guessing it from a 403 could silence every user at once.

Every call first waits on the rate limiter (``OCOP_ZALO_RATE_GLOBAL`` overall, as a hard
ceiling in any second, and ``OCOP_ZALO_RATE_PER_CHAT``): :mod:`bot.ratelimit`, as Telegram.

A reply over 2,000 characters is several calls. If a later piece fails, the pieces Zalo
already confirmed must not be sent again, so the count of confirmed pieces is recorded after
each one in a :class:`SentParts` ledger. The sender may pass a durable one (a column of the
outbox row), and then nothing confirmed is ever resent, even after a crash; without it the
channel keeps the count in memory, keyed by address and content like Telegram's
(:class:`~bot.channels.progress.DeliveryProgress`), which holds within the process.

Documents cannot be sent on Zalo: the caption goes with a signed download link
(:attr:`ZaloChannel.document_link`, which stores the file: bot/files/links.py), or, when
there is none (no ``OCOP_PUBLIC_URL``), with a note on where else to get the file. The
``/xuat`` export does not even put its file in the outbox on Zalo: it sends the link itself
(bot/export_job.py).
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from typing import Protocol

from bot.channels.base import (
    Capabilities,
    DeliveryError,
    PermanentFailure,
    RetryLater,
)
from bot.channels.progress import DeliveryProgress
from bot.channels.zalo.api import (
    ApiTimeout,
    BadRequest,
    RateLimited,
    ServerError,
    Unauthorized,
    ZaloApi,
    ZaloApiError,
)
from bot.channels.zalo.render import MAX_TEXT, Unrenderable, plan
from bot.channels.zalo.updates import CHANNEL
from bot.files.links import Link
from bot.i18n import Translator
from bot.messages import Document, Outbound
from bot.ratelimit import RateLimiter

log = logging.getLogger(__name__)

GLOBAL_BURST = 2
PER_CHAT_BURST = 2
WINDOW = 1.0
WAIT_OUT = 1.0  # a back-off this short is waited out in the call, not turned into a retry

#: A download link for a document sent to an address, or None when there is none.
DocumentLink = Callable[[str, Document], Awaitable[Link | None]]
#: The language of the user behind an address ("vi" or "en").
LanguageOf = Callable[[str], Awaitable[str]]


def zalo_limiter(*, global_rate: float = 5.0, per_chat_rate: float = 1.0) -> RateLimiter:
    """A smooth pace, and never more than ``global_rate`` (rounded down) calls in any second."""
    return RateLimiter(
        global_rate=global_rate,
        global_burst=GLOBAL_BURST,
        per_key_rate=per_chat_rate,
        per_key_burst=PER_CHAT_BURST,
        window_limit=max(1, int(global_rate * WINDOW)),
        window=WINDOW,
    )


def delivery_error(exc: ZaloApiError) -> DeliveryError:
    """What a failed call means for the outbox (see the module docstring)."""
    if isinstance(exc, RateLimited):
        return RetryLater(f"429 quota exceeded: {exc.description}", retry_after=exc.retry_after)
    if isinstance(exc, Unauthorized):
        log.error("Zalo refuses the bot token (OCOP_ZALO_BOT_TOKEN): %s", exc.description)
        return RetryLater(f"token refused: {exc.description}")
    if isinstance(exc, ServerError | ApiTimeout):
        return RetryLater(str(exc))
    if isinstance(exc, BadRequest):
        return PermanentFailure(str(exc))
    return PermanentFailure(str(exc))


class SentParts(Protocol):
    """How many pieces of one reply Zalo has confirmed. The outbox sender may give a durable
    one (the row's own counter); the channel records after every confirmed piece."""

    async def done(self) -> int: ...

    async def record(self, parts: int) -> None: ...

    async def clear(self) -> None: ...


class MemoryParts:
    """:class:`SentParts` kept in this process, for a sender that passes none."""

    def __init__(self, progress: DeliveryProgress, key: str) -> None:
        self._progress = progress
        self._key = key

    async def done(self) -> int:
        return self._progress.done(self._key)

    async def record(self, parts: int) -> None:
        self._progress.record(self._key, parts)

    async def clear(self) -> None:
        self._progress.forget(self._key)


class QuotaBackoff:
    """The whole bot's pause after 429s: doubles with each one in a row, reset by a success."""

    def __init__(
        self, *, base: float, cap: float, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.base = base
        self.cap = cap
        self._clock = clock
        self._streak = 0
        self._until = 0.0

    def remaining(self) -> float:
        return max(0.0, self._until - self._clock())

    def failed(self, hint: float | None = None) -> float:
        """Count a 429; returns the pause (Zalo's hint if it gave one)."""
        self._streak += 1
        pause = hint or min(self.base * 2 ** (self._streak - 1), self.cap)
        self._until = max(self._until, self._clock() + pause)
        return pause

    def succeeded(self) -> None:
        self._streak = 0


class ZaloChannel:
    """Sends replies through the Zalo Bot API; what the outbox sender calls for ``zalo``."""

    name = CHANNEL
    capabilities = Capabilities(
        buttons=False, request_contact=False, documents=False, max_text=MAX_TEXT
    )

    def __init__(
        self,
        api: ZaloApi,
        limiter: RateLimiter | None = None,
        progress: DeliveryProgress | None = None,
        *,
        language_of: LanguageOf | None = None,
        document_link: DocumentLink | None = None,
        default_language: str = "vi",
        backoff_base: float = 1.0,
        backoff_cap: float = 300.0,
    ) -> None:
        self.api = api
        self.limiter = zalo_limiter() if limiter is None else limiter
        self.progress = DeliveryProgress() if progress is None else progress
        self.language_of = language_of
        # Stores a document and gives a signed download link to it; without one, a note
        # says where else to get the file.
        self.document_link = document_link
        self.default_language = default_language
        self.backoff = QuotaBackoff(base=backoff_base, cap=backoff_cap)

    async def send(
        self, address: str, message: Outbound, *, parts: SentParts | None = None
    ) -> None:
        """Deliver one reply or raise a :class:`~bot.channels.base.DeliveryError`."""
        try:
            texts = plan(message, await self._file_note(address, message.document))
        except Unrenderable as exc:
            raise PermanentFailure(str(exc)) from exc
        ledger = parts or MemoryParts(self.progress, DeliveryProgress.key(address, message))
        start = await ledger.done()
        if start:
            log.info("resuming a reply to zalo %s after %s delivered piece(s)", address, start)
        for index in range(start, len(texts)):
            async with self.limiter.slot(address):
                await self._respect_quota()
                try:
                    await self.api.send_message(address, texts[index])
                except ZaloApiError as exc:
                    error = delivery_error(exc)
                    if isinstance(exc, RateLimited):
                        error = RetryLater(
                            str(error), retry_after=self.backoff.failed(exc.retry_after)
                        )
                    elif not isinstance(error, RetryLater):
                        await ledger.clear()
                    raise error from None
            self.backoff.succeeded()
            if index + 1 < len(texts):
                await ledger.record(index + 1)
        await ledger.clear()

    async def _respect_quota(self) -> None:
        """Wait out a short back-off; a longer one sends this row back to the outbox."""
        pause = self.backoff.remaining()
        if pause <= 0:
            return
        if pause > WAIT_OUT:
            raise RetryLater("backing off after Zalo's 429 (quota exceeded)", retry_after=pause)
        await asyncio.sleep(pause)

    async def _file_note(self, address: str, document: Document | None) -> str | None:
        """What stands in for a document: a download link, or where to get the file."""
        if document is None:
            return None
        tr = Translator(await self._language(address))
        link = None
        if self.document_link is not None:
            try:
                link = await self.document_link(address, document)
            except Exception as exc:  # the database may be away: the row waits, not lost
                raise RetryLater(f"no download link yet ({type(exc).__name__})") from None
        if link is not None:
            return link.note(tr, document.filename)
        return tr.t(
            "Zalo cannot carry files, so {filename} is not attached here. Please open the "
            "bot on Telegram to receive it, or ask your administrator for a copy.",
            filename=document.filename,
        )

    async def _language(self, address: str) -> str:
        if self.language_of is None:
            return self.default_language
        try:
            return await self.language_of(address)
        except Exception as exc:  # the database may be away; the note is still useful
            log.debug("language of zalo %s unknown (%s); using the default", address, exc)
            return self.default_language
