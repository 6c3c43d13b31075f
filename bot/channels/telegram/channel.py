"""The sending half of the Telegram channel: one outbox row → Bot API calls → a typed outcome.

The outbox sender knows nothing of aiogram; this adapter turns aiogram's exceptions into the
three delivery errors of :mod:`bot.channels.base`:

* 429 → :class:`RetryLater` with Telegram's ``retry_after`` (and the chat is held that long);
* 5xx, time-outs, network trouble, an unreadable answer (a proxy's HTML error page) and a
  refused token (an operator can fix it without losing the queue) → :class:`RetryLater`;
* 403 (the user blocked the bot, deleted their account, never started it) →
  :class:`RecipientBlocked`: the sender marks the identity unreachable;
* any other 4xx, a file over the limit, a reply Telegram cannot show → :class:`PermanentFailure`.

Every call first waits on the rate limiter (``OCOP_TELEGRAM_RATE_GLOBAL`` overall, about 1/s
per chat), so a burst of reminders is paced rather than answered with 429s. The global rate
is also a hard ceiling: at most that many calls in any second as Telegram counts them, each
call counted from its start until its answer arrives (see :mod:`bot.ratelimit`), so neither
a stalled event loop nor uneven latency lets Telegram see one message too many.

A reply longer than one message is several calls. If a later piece fails and is retried,
the pieces Telegram already confirmed must not be sent again, so the channel remembers, per
address and reply, how many pieces went out (:class:`~bot.channels.progress.DeliveryProgress`,
shared with Zalo). That memory is in
this process only: after a crash a partly sent reply is sent again from its first piece, the
same "only what was in flight can repeat" promise the outbox sender makes for single rows.
"""

from __future__ import annotations

import logging

from aiogram import Bot
from aiogram.exceptions import (
    ClientDecodeError,
    TelegramAPIError,
    TelegramEntityTooLarge,
    TelegramForbiddenError,
    TelegramNetworkError,
    TelegramRetryAfter,
    TelegramServerError,
    TelegramUnauthorizedError,
)
from aiogram.types import BufferedInputFile

from bot.channels.base import (
    Capabilities,
    DeliveryError,
    PermanentFailure,
    RecipientBlocked,
    RetryLater,
)
from bot.channels.progress import DeliveryProgress
from bot.channels.telegram.render import MAX_TEXT, Step, Unrenderable, plan
from bot.channels.telegram.updates import CHANNEL
from bot.messages import Outbound
from bot.ratelimit import RateLimiter

log = logging.getLogger(__name__)

GLOBAL_BURST = 3  # a few at once after a pause; the window below is the real ceiling
PER_CHAT_BURST = 2  # Telegram tolerates short bursts in a chat, then about 1/s
WINDOW = 1.0  # Telegram's limits are "per second"


def telegram_limiter(*, global_rate: float = 25.0, per_chat_rate: float = 1.0) -> RateLimiter:
    """The pace Telegram asks for: a smooth ``global_rate`` per second, and never more than
    ``global_rate`` (rounded down) in any second whatever the latency, so clock skew between
    our pacing and Telegram's counting never provokes a 429."""
    return RateLimiter(
        global_rate=global_rate,
        global_burst=GLOBAL_BURST,
        per_key_rate=per_chat_rate,
        per_key_burst=PER_CHAT_BURST,
        window_limit=max(1, int(global_rate * WINDOW)),
        window=WINDOW,
    )


def delivery_error(exc: Exception) -> DeliveryError:
    """What an aiogram failure means for the outbox (see the module docstring)."""
    if isinstance(exc, TelegramRetryAfter):
        return RetryLater(f"429 flood control: {exc.message}", retry_after=float(exc.retry_after))
    if isinstance(exc, TelegramForbiddenError):
        return RecipientBlocked(exc.message)
    if isinstance(exc, TelegramEntityTooLarge):  # a TelegramNetworkError, but final
        return PermanentFailure(f"file too large: {exc.message}")
    if isinstance(exc, TelegramServerError | TelegramNetworkError):
        return RetryLater(f"{type(exc).__name__}: {exc.message}")
    if isinstance(exc, TelegramUnauthorizedError):
        log.error("Telegram refuses the bot token (OCOP_TELEGRAM_TOKEN): %s", exc.message)
        return RetryLater(f"token refused: {exc.message}")
    if isinstance(exc, ClientDecodeError):
        return RetryLater(f"unreadable answer from the Bot API: {exc.message}")
    if isinstance(exc, TelegramAPIError):
        return PermanentFailure(f"{type(exc).__name__}: {exc.message}")
    if isinstance(exc, TimeoutError | OSError):
        return RetryLater(repr(exc))
    return PermanentFailure(repr(exc))


class TelegramChannel:
    """Sends replies through a Bot API client; what the outbox sender calls for ``telegram``."""

    name = CHANNEL
    capabilities = Capabilities(
        buttons=True, request_contact=True, documents=True, max_text=MAX_TEXT
    )

    def __init__(
        self,
        bot: Bot,
        limiter: RateLimiter | None = None,
        progress: DeliveryProgress | None = None,
        *,
        paid_broadcast: bool = False,
    ) -> None:
        self.bot = bot
        # OCOP_TELEGRAM_PAID_BROADCAST: Telegram lifts its 30/s limit (up to 1000/s) only for
        # messages sent with allow_paid_broadcast, and charges Stars for them.
        self.paid_broadcast = paid_broadcast
        self.limiter = telegram_limiter() if limiter is None else limiter
        self.progress = DeliveryProgress() if progress is None else progress

    async def send(self, address: str, message: Outbound) -> None:
        """Deliver one reply or raise a :class:`~bot.channels.base.DeliveryError`."""
        try:
            steps = plan(message)
        except Unrenderable as exc:
            raise PermanentFailure(str(exc)) from exc
        chat_id = _chat_id(address)
        key = self.progress.key(address, message)
        start = self.progress.done(key)
        if start:
            log.info("resuming a reply to %s after %s delivered piece(s)", address, start)
        for index in range(start, len(steps)):
            try:
                async with self.limiter.slot(address):
                    await self._call(chat_id, steps[index])
            except Exception as exc:
                error = delivery_error(exc)
                if isinstance(error, RetryLater):
                    if error.retry_after:
                        self.limiter.hold(address, error.retry_after)
                    if index:
                        self.progress.record(key, index)
                else:
                    self.progress.forget(key)
                raise error from exc
            if index + 1 < len(steps):
                self.progress.record(key, index + 1)
        self.progress.forget(key)

    async def _call(self, chat_id: int | str, step: Step) -> None:
        paid = True if self.paid_broadcast else None  # None: the parameter is not sent
        if step.document is not None:
            await self.bot.send_document(
                chat_id=chat_id,
                document=BufferedInputFile(step.document.content, filename=step.document.filename),
                caption=step.text,
                reply_markup=step.markup,
                allow_paid_broadcast=paid,
            )
            return
        assert step.text is not None
        await self.bot.send_message(
            chat_id=chat_id, text=step.text, reply_markup=step.markup, allow_paid_broadcast=paid
        )


def _chat_id(address: str) -> int | str:
    """A private chat's id is the user's numeric id; anything else is passed as given."""
    try:
        return int(address)
    except ValueError:
        return address
