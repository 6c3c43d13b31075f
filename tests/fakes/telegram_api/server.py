"""The fake Bot API server: its parts composed into one class, and its life cycle.

Each part is a mixin of its own module (see the package's docstring); this one sets up the
state they share and starts and stops the HTTP server on 127.0.0.1.
"""

from __future__ import annotations

import asyncio
import random
from collections import Counter
from collections.abc import Awaitable, Callable
from types import TracebackType
from typing import Any, Self

import aiohttp
from aiogram import Bot
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiohttp import web

from tests.fakes.telegram_api.bot_info import BotInfoMixin
from tests.fakes.telegram_api.dispatch import DispatchMixin
from tests.fakes.telegram_api.editing import EditingMixin
from tests.fakes.telegram_api.faults import Fault, FaultsMixin
from tests.fakes.telegram_api.files import FilesMixin
from tests.fakes.telegram_api.methods import ACTION_METHODS
from tests.fakes.telegram_api.queries import QueriesMixin
from tests.fakes.telegram_api.rate_limits import RateLimiter
from tests.fakes.telegram_api.records import (
    ChatId,
    JSONDict,
    RecordedCall,
    RecordedRequest,
    UploadedFile,
    WebhookConfig,
    WebhookDelivery,
)
from tests.fakes.telegram_api.sending import SendingMixin
from tests.fakes.telegram_api.updates import UpdatesMixin
from tests.fakes.telegram_api.users import UsersMixin
from tests.fakes.telegram_api.webhook import WebhookMixin


class FakeTelegramServer(
    DispatchMixin,
    FaultsMixin,
    UpdatesMixin,
    UsersMixin,
    FilesMixin,
    WebhookMixin,
    SendingMixin,
    EditingMixin,
    BotInfoMixin,
    QueriesMixin,
):
    """Async context manager running a fake Bot API on ``127.0.0.1`` (ephemeral port).

    All state lives on the instance so tests can inspect it directly; see the package's
    docstring for the recording and fault-injection rules.
    """

    def __init__(
        self,
        token: str = "123:ABC",
        *,
        bot_username: str = "ocop_test_bot",
        bot_first_name: str = "OCOP Test Bot",
        max_poll_timeout: float = 1.0,
        global_rate_limit: float | None = None,
        per_chat_rate_limit: float | None = None,
        per_chat_burst: int = 3,
        strict_chats: bool = False,
        strict_formatting: bool = True,
        webhook_timeout: float = 5.0,
    ) -> None:
        """Configure the fake; nothing listens until ``async with``.

        ``max_poll_timeout`` caps getUpdates long polling so test teardown stays fast; rate
        limits are off unless given (see :meth:`set_rate_limits`); ``strict_chats`` makes sends
        to chats no simulated user has written from fail with "chat not found" like the real API.
        """
        self.token = token
        bot_id_part = token.split(":", 1)[0]
        self.bot_id = int(bot_id_part) if bot_id_part.isdigit() else 123
        self.bot_user: JSONDict = {
            "id": self.bot_id,
            "is_bot": True,
            "first_name": bot_first_name,
            "username": bot_username,
        }
        self.max_poll_timeout = max_poll_timeout
        self.strict_chats = strict_chats
        self.strict_formatting = strict_formatting
        self.webhook_timeout = webhook_timeout

        self.sent: list[RecordedCall] = []
        self.requests: list[RecordedRequest] = []
        self.stats: Counter[str] = Counter()
        self.blocked: set[ChatId] = set()
        self.webhook: WebhookConfig | None = None
        self.webhook_deliveries: list[WebhookDelivery] = []
        self.my_commands: dict[tuple[str, str], list[JSONDict]] = {}

        self._limiter = RateLimiter(global_rate_limit, per_chat_rate_limit, per_chat_burst)
        self._faults: list[Fault] = []
        self._chaos_rate = 0.0
        self._chaos_kinds: tuple[str, ...] = ()
        self._chaos_methods: frozenset[str] = ACTION_METHODS
        self._chaos_stall_seconds = 2.0
        self._chaos_retry_after = 1
        self._rng = random.Random(0)

        self._queue: list[JSONDict] = []
        self._allowed_updates: list[str] | None = None
        self._next_update_id = 100_000
        self._poll_generation = 0
        self._active_polls = 0
        self._message_ids: dict[ChatId, int] = {}
        self._messages: dict[tuple[ChatId, int], JSONDict] = {}
        self._users: dict[int, JSONDict] = {}
        self._known_chats: set[ChatId] = set()
        self._callback_queries: dict[str, ChatId | None] = {}
        self._answered_callbacks: set[str] = set()
        self._files: dict[str, JSONDict] = {}
        self._file_data: dict[str, bytes] = {}
        self._last_webhook_error: tuple[int, str] | None = None
        self._id_counter = 0

        self._handlers: dict[str, Callable[[JSONDict, UploadedFile | None], Awaitable[Any]]] = {
            "getMe": self._h_get_me,
            "getUpdates": self._h_get_updates,
            "setWebhook": self._h_set_webhook,
            "deleteWebhook": self._h_delete_webhook,
            "getWebhookInfo": self._h_get_webhook_info,
            "sendMessage": self._h_send_message,
            "sendChatAction": self._h_send_chat_action,
            "sendDocument": self._h_send_document,
            "sendPhoto": self._h_send_photo,
            "editMessageText": self._h_edit_message_text,
            "editMessageReplyMarkup": self._h_edit_message_reply_markup,
            "answerCallbackQuery": self._h_answer_callback_query,
            "deleteMessage": self._h_delete_message,
            "getFile": self._h_get_file,
            "setMyCommands": self._h_set_my_commands,
            "getMyCommands": self._h_get_my_commands,
            "deleteMyCommands": self._h_delete_my_commands,
            "getChat": self._h_get_chat,
        }
        self._method_names = {name.lower(): name for name in self._handlers}

        self._runner: web.AppRunner | None = None
        self._client: aiohttp.ClientSession | None = None
        self._closing = asyncio.Event()
        self._changed = asyncio.Event()
        self._port: int | None = None

    async def __aenter__(self) -> Self:
        """Start listening on 127.0.0.1 with an OS-assigned port."""
        app = web.Application(client_max_size=60 * 1024 * 1024)
        app.router.add_route("*", "/bot{token}/{method}", self._handle_api)
        app.router.add_get("/file/bot{token}/{path:.+}", self._handle_file)
        app.router.add_route("*", "/{tail:.*}", self._handle_not_found)
        self._runner = web.AppRunner(app, access_log=None, shutdown_timeout=1.0)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self._port = int(self._runner.addresses[0][1])
        self._client = aiohttp.ClientSession()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        """Wake stalled requests and long polls first so shutdown does not wait for them."""
        self._closing.set()
        self._notify()
        if self._client is not None:
            await self._client.close()
        if self._runner is not None:
            await self._runner.cleanup()
        self._runner = None
        self._client = None

    @property
    def port(self) -> int:
        """The ephemeral TCP port (only valid inside ``async with``)."""
        if self._port is None:
            raise RuntimeError("FakeTelegramServer is not running; use 'async with'")
        return self._port

    @property
    def base_url(self) -> str:
        """Pass to ``TelegramAPIServer.from_base``."""
        return f"http://127.0.0.1:{self.port}"

    def make_bot(self, *, timeout: float = 5.0, **bot_kwargs: Any) -> Bot:
        """Build a real aiogram ``Bot`` wired to this fake (use as ``async with bot:``).

        ``timeout`` is the aiohttp request timeout; keep it short in tests that use stalls.
        Production code should build its own Bot the same way with ``TelegramAPIServer``.
        """
        session = AiohttpSession(api=TelegramAPIServer.from_base(self.base_url), timeout=timeout)
        return Bot(token=self.token, session=session, **bot_kwargs)

    def clear_records(self) -> None:
        """Forget recorded calls/requests/stats (state such as messages and files is kept)."""
        self.sent.clear()
        self.requests.clear()
        self.stats.clear()
        self.webhook_deliveries.clear()
