"""A local fake of the Telegram Bot API for end-to-end tests.

Why a real HTTP server instead of mocking ``Bot`` methods: the production code talks to
Telegram through aiogram's ``AiohttpSession``; mocking above that layer would skip the form /
multipart encoding, the JSON round trip of ``reply_markup``, the pydantic parsing of results
and -- most importantly -- aiogram's mapping of HTTP errors to exceptions
(``TelegramRetryAfter``, ``TelegramForbiddenError``, ``TelegramServerError``...).  The retry,
rate-limit and "user blocked the bot" logic of the bot can only be trusted if it is exercised
against those exact exceptions, so this fake speaks the wire protocol and the real client is
pointed at it with ``TelegramAPIServer.from_base(server.base_url)``.

Usage::

    async with FakeTelegramServer(token="123:ABC") as server:
        async with server.make_bot() as bot:          # or build Bot/AiohttpSession yourself
            server.user_sends_command(42, "start")
            ...                                        # run the dispatcher / webhook app
            texts = await server.wait_for_messages(42, 1)

Design rules:

* Only successful, user-visible calls are appended to :attr:`FakeTelegramServer.sent`.
  Anything answered with an error is only in :attr:`FakeTelegramServer.requests`, so a test can
  assert "none lost, none doubled" by comparing ``sent`` with what it expected.
* Fault injection (``fail_next``, ``stall_next``, ``chaos``) targets the user-visible methods
  (:data:`ACTION_METHODS`) by default so a concurrently running long-polling loop does not
  swallow the injected fault; pass ``methods=`` to aim elsewhere.
* Validation mirrors the real API where bots commonly get it wrong (empty/too long texts,
  callback_data over 64 bytes, unbalanced HTML, unescaped MarkdownV2, "message is not
  modified", answering a callback query twice) because those are exactly the bugs that only
  show up in production otherwise.  ``strict_formatting=False`` turns the formatting checks off.

The parts, one module each (``FakeTelegramServer`` in ``server`` composes the mixins):
``records`` (what is recorded), ``methods`` (which methods exist and which a user sees),
``errors``, ``faults`` and ``rate_limits``, ``wire`` (decoding parameters), ``formatting``
(HTML/MarkdownV2) and ``validation``, ``updates`` (the queue and long polling), ``users``
(simulated users), ``files``, ``webhook``, ``sending``, ``editing``, ``bot_info``, ``queries``
(inspecting and waiting), ``dispatch`` (the HTTP layer) and ``state`` (what they share).
"""

from tests.fakes.telegram_api.methods import ACTION_METHODS, ALL_METHODS, RATE_LIMITED_METHODS
from tests.fakes.telegram_api.records import (
    USE_WEBHOOK_SECRET,
    RecordedCall,
    RecordedRequest,
    UploadedFile,
    WebhookConfig,
    WebhookDelivery,
)
from tests.fakes.telegram_api.server import FakeTelegramServer

__all__ = [
    "ACTION_METHODS",
    "ALL_METHODS",
    "RATE_LIMITED_METHODS",
    "USE_WEBHOOK_SECRET",
    "FakeTelegramServer",
    "RecordedCall",
    "RecordedRequest",
    "UploadedFile",
    "WebhookConfig",
    "WebhookDelivery",
]
