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
"""

from __future__ import annotations

import asyncio
import contextlib
import copy
import enum
import json
import math
import random
import re
import secrets
import time
import zlib
from collections import Counter, deque
from collections.abc import Awaitable, Callable, Iterable, Mapping
from dataclasses import dataclass, field
from types import TracebackType
from typing import Any, Final, Literal, Self, TypeVar

import aiohttp
from aiogram import Bot
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiohttp import web

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

JSONDict = dict[str, Any]
ChatId = int | str
T = TypeVar("T")

#: Every Bot API method the fake implements (canonical spelling; matching is case-insensitive
#: like the real API).
ALL_METHODS: Final[frozenset[str]] = frozenset(
    {
        "getMe",
        "getUpdates",
        "setWebhook",
        "deleteWebhook",
        "getWebhookInfo",
        "sendMessage",
        "sendChatAction",
        "sendDocument",
        "sendPhoto",
        "editMessageText",
        "editMessageReplyMarkup",
        "answerCallbackQuery",
        "deleteMessage",
        "getFile",
        "setMyCommands",
        "getMyCommands",
        "deleteMyCommands",
        "getChat",
    }
)

#: Methods counted by the global / per-chat flood limits (Telegram limits *messages*).
RATE_LIMITED_METHODS: Final[frozenset[str]] = frozenset(
    {"sendMessage", "sendDocument", "sendPhoto"}
)

#: User-visible methods: recorded in ``sent`` on success and the default target of faults.
ACTION_METHODS: Final[frozenset[str]] = RATE_LIMITED_METHODS | frozenset(
    {
        "sendChatAction",
        "editMessageText",
        "editMessageReplyMarkup",
        "answerCallbackQuery",
        "deleteMessage",
    }
)

#: Update types Telegram delivers when ``allowed_updates`` is unset or empty.
_DEFAULT_EXCLUDED_UPDATES: Final[frozenset[str]] = frozenset(
    {"chat_member", "message_reaction", "message_reaction_count"}
)
_KNOWN_UPDATE_TYPES: Final[frozenset[str]] = frozenset(
    {
        "message",
        "edited_message",
        "channel_post",
        "edited_channel_post",
        "business_connection",
        "business_message",
        "edited_business_message",
        "deleted_business_messages",
        "message_reaction",
        "message_reaction_count",
        "inline_query",
        "chosen_inline_result",
        "callback_query",
        "shipping_query",
        "pre_checkout_query",
        "purchased_paid_media",
        "poll",
        "poll_answer",
        "my_chat_member",
        "chat_member",
        "chat_join_request",
        "chat_boost",
        "removed_chat_boost",
    }
)

# Form values arrive as strings; these tell the decoder how to type them back.
_JSON_FIELDS: Final[frozenset[str]] = frozenset(
    {
        "reply_markup",
        "allowed_updates",
        "commands",
        "scope",
        "entities",
        "caption_entities",
        "link_preview_options",
        "reply_parameters",
    }
)
_INT_FIELDS: Final[frozenset[str]] = frozenset(
    {
        "offset",
        "limit",
        "timeout",
        "message_id",
        "max_connections",
        "cache_time",
        "message_thread_id",
        "reply_to_message_id",
        "user_id",
    }
)
_BOOL_FIELDS: Final[frozenset[str]] = frozenset(
    {
        "show_alert",
        "drop_pending_updates",
        "disable_notification",
        "protect_content",
        "has_spoiler",
        "disable_web_page_preview",
        "allow_sending_without_reply",
        "disable_content_type_detection",
        "show_caption_above_media",
    }
)
_FILE_FIELDS: Final[Mapping[str, str]] = {
    "sendDocument": "document",
    "sendPhoto": "photo",
    "setWebhook": "certificate",
}
_CHAT_ACTIONS: Final[frozenset[str]] = frozenset(
    {
        "typing",
        "upload_photo",
        "record_video",
        "upload_video",
        "record_voice",
        "upload_voice",
        "upload_document",
        "choose_sticker",
        "find_location",
        "record_video_note",
        "upload_video_note",
    }
)
_HTML_TAGS: Final[frozenset[str]] = frozenset(
    {
        "b",
        "strong",
        "i",
        "em",
        "u",
        "ins",
        "s",
        "strike",
        "del",
        "span",
        "tg-spoiler",
        "a",
        "code",
        "pre",
        "blockquote",
        "tg-emoji",
    }
)
_MDV2_ALWAYS_RESERVED: Final[str] = ".!#+-={}"
_SECRET_RE: Final[re.Pattern[str]] = re.compile(r"^[A-Za-z0-9_-]{1,256}$")
_COMMAND_RE: Final[re.Pattern[str]] = re.compile(r"^[a-z0-9_]{1,32}$")
_SECRET_HEADER: Final[str] = "X-Telegram-Bot-Api-Secret-Token"

_BLOCKED_DESCRIPTION: Final[str] = "Forbidden: bot was blocked by the user"
_DEFAULT_DESCRIPTIONS: Final[Mapping[int, str]] = {
    400: "Bad Request: chat not found",
    401: "Unauthorized",
    403: _BLOCKED_DESCRIPTION,
    404: "Not Found",
    409: "Conflict: terminated by other getUpdates request; "
    "make sure that only one bot instance is running",
    500: "Internal Server Error",
    502: "Bad Gateway",
    503: "Service Unavailable",
    504: "Gateway Timeout",
}


class _Sentinel(enum.Enum):
    """Typed sentinel so ``secret=None`` can mean "send no header"."""

    USE_WEBHOOK_SECRET = enum.auto()


#: Default for ``secret=``: send the secret_token configured with setWebhook (if any).
USE_WEBHOOK_SECRET: Final = _Sentinel.USE_WEBHOOK_SECRET


@dataclass(frozen=True)
class UploadedFile:
    """A file the bot sent: uploaded bytes, or a reference (file_id / URL) to an existing one.

    ``data`` is ``None`` only for URL references, because the fake never fetches the internet.
    """

    field: str
    filename: str | None
    content_type: str | None
    data: bytes | None
    source: Literal["upload", "file_id", "url"] = "upload"
    file_id: str | None = None


@dataclass(frozen=True)
class RecordedRequest:
    """Every request that reached the fake, failed or not, for debugging and flood assertions."""

    method: str
    params: JSONDict
    status: int
    response: JSONDict
    timestamp: float
    source: Literal["http", "webhook_reply"] = "http"
    files: Mapping[str, UploadedFile] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        """True when the fake answered ``{"ok": true}``."""
        return self.status == 200


@dataclass(frozen=True)
class RecordedCall:
    """A successful user-visible call; what a real user would have seen on their phone.

    ``text`` is the message text (sendMessage / editMessageText) or the notification text of
    answerCallbackQuery; ``caption`` is the media caption.  ``filename``/``file_bytes`` describe
    the document or photo of sendDocument/sendPhoto.
    """

    method: str
    chat_id: ChatId | None
    text: str | None
    caption: str | None
    reply_markup: JSONDict | None
    message_id: int | None
    filename: str | None
    file_bytes: bytes | None
    params: JSONDict
    result: Any
    timestamp: float


@dataclass(frozen=True)
class WebhookConfig:
    """What the bot registered with setWebhook (the fake never calls it on its own)."""

    url: str
    secret_token: str | None
    allowed_updates: list[str] | None
    max_connections: int
    ip_address: str | None
    has_custom_certificate: bool
    drop_pending_updates: bool


@dataclass(frozen=True)
class WebhookDelivery:
    """One POST the fake made to a webhook URL, and how the receiver answered."""

    url: str
    update_id: int | None
    status: int
    secret_sent: str | None
    reply_method: str | None
    timestamp: float


class _ApiError(Exception):
    """Raised inside handlers; turned into the Bot API error envelope by the dispatcher."""

    def __init__(self, status: int, description: str, parameters: JSONDict | None = None) -> None:
        super().__init__(description)
        self.status = status
        self.description = description
        self.parameters = parameters

    def body(self) -> JSONDict:
        body: JSONDict = {
            "ok": False,
            "error_code": self.status,
            "description": self.description,
        }
        if self.parameters:
            body["parameters"] = self.parameters
        return body


def _too_many_requests(retry_after: int) -> _ApiError:
    return _ApiError(
        429,
        f"Too Many Requests: retry after {retry_after}",
        {"retry_after": retry_after},
    )


@dataclass
class _Fault:
    """A queued or randomly drawn fault for one request."""

    kind: Literal["error", "stall"]
    methods: frozenset[str]
    status: int = 500
    description: str | None = None
    retry_after: int | None = None
    seconds: float = 0.0
    deliver: bool = False

    def error(self) -> _ApiError:
        if self.status == 429:
            retry_after = self.retry_after or 1
            err = _too_many_requests(retry_after)
            if self.description:
                err.description = self.description
            return err
        description = self.description or _DEFAULT_DESCRIPTIONS.get(
            self.status, f"Error {self.status}"
        )
        params = {"retry_after": self.retry_after} if self.retry_after else None
        return _ApiError(self.status, description, params)


class _RateLimiter:
    """Global sliding-window limit plus a per-chat token bucket, like Telegram's flood control.

    Telegram documents ~30 messages/s overall and ~1 message/s per chat with short bursts
    tolerated; a token bucket models the "burst then steady rate" behaviour.
    """

    def __init__(
        self,
        global_per_second: float | None,
        per_chat_per_second: float | None,
        per_chat_burst: int,
    ) -> None:
        self.global_per_second = global_per_second
        self.per_chat_per_second = per_chat_per_second
        self.per_chat_burst = max(1, per_chat_burst)
        self._window: deque[float] = deque()
        self._buckets: dict[ChatId, tuple[float, float]] = {}

    @property
    def enabled(self) -> bool:
        return self.global_per_second is not None or self.per_chat_per_second is not None

    def _tokens(self, chat_id: ChatId, now: float) -> float:
        assert self.per_chat_per_second is not None
        tokens, last = self._buckets.get(chat_id, (float(self.per_chat_burst), now))
        return min(float(self.per_chat_burst), tokens + (now - last) * self.per_chat_per_second)

    def check(self, chat_id: ChatId | None, now: float) -> int | None:
        """Return retry_after seconds if a send now would exceed a limit, else None."""
        if self.global_per_second is not None:
            while self._window and self._window[0] <= now - 1.0:
                self._window.popleft()
            if len(self._window) >= self.global_per_second:
                return max(1, math.ceil(self._window[0] + 1.0 - now))
        if self.per_chat_per_second is not None and chat_id is not None:
            tokens = self._tokens(chat_id, now)
            if tokens < 1.0:
                return max(1, math.ceil((1.0 - tokens) / self.per_chat_per_second))
        return None

    def consume(self, chat_id: ChatId | None, now: float) -> None:
        if self.global_per_second is not None:
            self._window.append(now)
        if self.per_chat_per_second is not None and chat_id is not None:
            self._buckets[chat_id] = (self._tokens(chat_id, now) - 1.0, now)


def _decode_params(raw: Mapping[str, Any]) -> JSONDict:
    """Type form fields back (aiogram JSON-encodes nested objects and numbers in form bodies)."""
    params: JSONDict = {}
    for key, value in raw.items():
        if not isinstance(value, str):
            params[key] = value
        elif key in _JSON_FIELDS:
            try:
                params[key] = json.loads(value)
            except ValueError as exc:
                raise _ApiError(400, f"Bad Request: can't parse {key} JSON object") from exc
        elif key in _INT_FIELDS:
            try:
                params[key] = int(value)
            except ValueError as exc:
                raise _ApiError(400, f"Bad Request: invalid {key} specified") from exc
        elif key in _BOOL_FIELDS:
            params[key] = value.strip().lower() in {"true", "1"}
        elif key == "chat_id":
            params[key] = int(value) if re.fullmatch(r"-?\d+", value.strip()) else value
        else:
            params[key] = value
    return params


def _check_html(text: str) -> None:
    """Reject HTML the real API rejects: unknown tags, stray ``<``, unclosed/mismatched tags."""
    stack: list[str] = []
    pos = 0
    while (start := text.find("<", pos)) != -1:
        end = text.find(">", start)
        offset = len(text[:start].encode("utf-8"))
        if end == -1:
            raise _ApiError(
                400,
                "Bad Request: can't parse entities: Can't find end of the tag starting at "
                f"byte offset {offset}",
            )
        inner = text[start + 1 : end]
        closing = inner.startswith("/")
        name_match = re.match(r"\s*([A-Za-z][\w-]*)", inner[1:] if closing else inner)
        name = name_match.group(1).lower() if name_match else ""
        if name not in _HTML_TAGS:
            kind = "end" if closing else "start"
            raise _ApiError(
                400,
                f'Bad Request: can\'t parse entities: Unsupported {kind} tag "{name or inner}" '
                f"at byte offset {offset}",
            )
        if closing:
            if not stack or stack[-1] != name:
                raise _ApiError(
                    400,
                    f"Bad Request: can't parse entities: Unmatched end tag at byte offset "
                    f'{offset}, expected "</{stack[-1] if stack else ""}>", found "</{name}>"',
                )
            stack.pop()
        else:
            stack.append(name)
        pos = end + 1
    if stack:
        raise _ApiError(
            400,
            "Bad Request: can't parse entities: Can't find end tag corresponding to start tag "
            f'"{stack[-1]}"',
        )


def _check_markdown_v2(text: str) -> None:
    """Reject MarkdownV2 with unescaped characters that are *always* reserved.

    Only ``. ! # + - = { }`` are checked because they never start an entity, so an unescaped
    one is always an error on the real API (outside code spans and link URLs).
    """
    i = 0
    in_code = False
    while i < len(text):
        ch = text[i]
        if ch == "\\":
            i += 2
            continue
        if ch == "`":
            in_code = not in_code
        elif not in_code and text.startswith("](", i):
            close = i + 2
            while close < len(text) and text[close] != ")":
                close += 2 if text[close] == "\\" else 1
            i = close + 1
            continue
        elif not in_code and ch in _MDV2_ALWAYS_RESERVED:
            raise _ApiError(
                400,
                f"Bad Request: can't parse entities: Character '{ch}' is reserved and must be "
                "escaped with the preceding '\\'",
            )
        i += 1


def _update_type(update: Mapping[str, Any]) -> str | None:
    return next((key for key in update if key != "update_id"), None)


class FakeTelegramServer:
    """Async context manager running a fake Bot API on ``127.0.0.1`` (ephemeral port).

    All state lives on the instance so tests can inspect it directly; see the module docstring
    for the recording and fault-injection rules.
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

        self._limiter = _RateLimiter(global_rate_limit, per_chat_rate_limit, per_chat_burst)
        self._faults: list[_Fault] = []
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

    # ------------------------------------------------------------------ lifecycle

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

    # ------------------------------------------------------------------ configuration

    def set_rate_limits(
        self,
        *,
        global_per_second: float | None = None,
        per_chat_per_second: float | None = None,
        per_chat_burst: int = 3,
    ) -> None:
        """Enable/replace flood limits on send methods (``None`` disables that limit).

        Realistic values are ``global_per_second=30, per_chat_per_second=1``.
        """
        self._limiter = _RateLimiter(global_per_second, per_chat_per_second, per_chat_burst)

    def fail_next(
        self,
        k: int = 1,
        status: int = 500,
        description: str | None = None,
        *,
        retry_after: int | None = None,
        methods: Iterable[str] | None = None,
    ) -> None:
        """Answer the next ``k`` targeted requests with an error instead of executing them.

        ``status`` 429 adds ``parameters.retry_after`` (default 1); 403 defaults to
        "Forbidden: bot was blocked by the user".  ``methods`` defaults to :data:`ACTION_METHODS`.
        """
        targets = self._targets(methods)
        for _ in range(k):
            self._faults.append(
                _Fault(
                    "error",
                    targets,
                    status=status,
                    description=description,
                    retry_after=retry_after,
                )
            )

    def stall_next(
        self,
        k: int = 1,
        seconds: float = 2.0,
        *,
        deliver: bool = False,
        methods: Iterable[str] | None = None,
    ) -> None:
        """Sleep ``seconds`` before answering the next ``k`` targeted requests.

        With ``deliver=False`` (default) the request is then answered 504 and not executed,
        i.e. a clean time-out.  ``deliver=True`` executes and records it after the delay: the
        message *was* delivered although the client gave up -- the case that produces
        duplicates when the client retries.
        """
        targets = self._targets(methods)
        for _ in range(k):
            self._faults.append(_Fault("stall", targets, seconds=seconds, deliver=deliver))

    def chaos(
        self,
        rate: float = 0.2,
        kinds: Iterable[str] = ("429", "5xx", "timeout"),
        seed: int = 1,
        *,
        methods: Iterable[str] | None = None,
        stall_seconds: float = 2.0,
        retry_after: int = 1,
    ) -> None:
        """Randomly fail targeted requests with probability ``rate`` (seeded, reproducible).

        ``kinds`` may contain "429", "5xx" (500 or 502), "500", "502", "403", "400",
        "timeout" (stall then 504, not executed) and "timeout_delivered" (stall, then executed).
        ``chaos(rate=0)`` turns it off.  Queued ``fail_next``/``stall_next`` faults win.
        """
        kinds_tuple = tuple(kinds)
        valid = {"429", "5xx", "500", "502", "403", "400", "timeout", "timeout_delivered"}
        unknown = set(kinds_tuple) - valid
        if unknown:
            raise ValueError(f"unknown chaos kinds: {sorted(unknown)}")
        self._chaos_rate = rate
        self._chaos_kinds = kinds_tuple
        self._chaos_methods = self._targets(methods)
        self._chaos_stall_seconds = stall_seconds
        self._chaos_retry_after = retry_after
        self._rng = random.Random(seed)

    def clear_faults(self) -> None:
        """Drop queued faults and disable chaos."""
        self._faults.clear()
        self._chaos_rate = 0.0

    def block(self, chat_id: ChatId) -> None:
        """Every user-visible call to ``chat_id`` answers 403 "bot was blocked by the user"."""
        self.blocked.add(chat_id)

    def unblock(self, chat_id: ChatId) -> None:
        """Undo :meth:`block`."""
        self.blocked.discard(chat_id)

    @staticmethod
    def _targets(methods: Iterable[str] | None) -> frozenset[str]:
        if methods is None:
            return ACTION_METHODS
        targets = frozenset(methods)
        unknown = targets - ALL_METHODS
        if unknown:
            raise ValueError(f"unknown methods: {sorted(unknown)}")
        return targets

    # ------------------------------------------------------------------ simulated users

    def _new_id(self, prefix: str) -> str:
        self._id_counter += 1
        return f"{prefix}{self._id_counter:06d}{secrets.token_hex(4)}"

    def _remember_user(
        self,
        user_id: int,
        first_name: str | None = None,
        last_name: str | None = None,
        username: str | None = None,
        language_code: str | None = None,
    ) -> JSONDict:
        user = self._users.setdefault(
            user_id,
            {
                "id": user_id,
                "is_bot": False,
                "first_name": f"User {user_id}",
                "language_code": "vi",
            },
        )
        if first_name is not None:
            user["first_name"] = first_name
        if last_name is not None:
            user["last_name"] = last_name
        if username is not None:
            user["username"] = username
        if language_code is not None:
            user["language_code"] = language_code
        self._known_chats.add(user_id)
        return dict(user)

    def _chat(self, chat_id: ChatId) -> JSONDict:
        if isinstance(chat_id, int) and chat_id > 0:
            user = self._users.get(chat_id, {"first_name": f"User {chat_id}"})
            chat: JSONDict = {"id": chat_id, "type": "private", "first_name": user["first_name"]}
            for key in ("last_name", "username"):
                if key in user:
                    chat[key] = user[key]
            return chat
        if isinstance(chat_id, int):
            kind = "supergroup" if str(chat_id).startswith("-100") else "group"
            return {"id": chat_id, "type": kind, "title": f"Chat {chat_id}"}
        numeric = -1_000_000_000_000 - zlib.crc32(chat_id.encode("utf-8"))  # stable per name
        return {"id": numeric, "type": "channel", "title": chat_id, "username": chat_id.lstrip("@")}

    def _next_message_id(self, chat_id: ChatId) -> int:
        self._message_ids[chat_id] = self._message_ids.get(chat_id, 0) + 1
        return self._message_ids[chat_id]

    def _enqueue(self, payload: JSONDict) -> JSONDict:
        self._next_update_id += 1
        update = {"update_id": self._next_update_id, **copy.deepcopy(payload)}
        self._queue.append(update)
        self._notify()
        return update

    def _user_message(
        self,
        user_id: int,
        content: JSONDict,
        *,
        first_name: str | None,
        language_code: str | None,
        extra: Mapping[str, Any] | None,
    ) -> JSONDict:
        user = self._remember_user(user_id, first_name, language_code=language_code)
        message: JSONDict = {
            "message_id": self._next_message_id(user_id),
            "from": user,
            "chat": self._chat(user_id),
            "date": int(time.time()),
            **content,
            **(extra or {}),
        }
        self._messages[(user_id, message["message_id"])] = message
        return self._enqueue({"message": message})

    def _register_file(
        self, data: bytes, *, kind: str, extension: str, extra: JSONDict | None = None
    ) -> JSONDict:
        file_id = self._new_id(f"{kind}-")
        file_unique_id = self._new_id("u")
        info: JSONDict = {
            "file_id": file_id,
            "file_unique_id": file_unique_id,
            "file_size": len(data),
            "file_path": f"{kind}s/file_{self._id_counter}.{extension}",
        }
        self._files[file_id] = info
        self._file_data[info["file_path"]] = data
        return {"file_id": file_id, "file_unique_id": file_unique_id, "file_size": len(data)} | (
            extra or {}
        )

    def user_sends_text(
        self,
        user_id: int,
        text: str,
        *,
        first_name: str | None = None,
        language_code: str | None = "vi",
        extra: Mapping[str, Any] | None = None,
    ) -> JSONDict:
        """Queue a private text message from ``user_id``; returns the Update dict.

        ``first_name``/``language_code`` are remembered per user (``None`` keeps the previous
        value); ``extra`` is merged into the Message (e.g. ``reply_to_message``).
        """
        return self._user_message(
            user_id,
            {"text": text},
            first_name=first_name,
            language_code=language_code,
            extra=extra,
        )

    def user_sends_command(
        self,
        user_id: int,
        command: str = "start",
        args: str | None = None,
        *,
        first_name: str | None = None,
        language_code: str | None = "vi",
    ) -> JSONDict:
        """Queue ``/command [args]`` with the ``bot_command`` entity aiogram's filters need."""
        name = "/" + command.lstrip("/")
        text = f"{name} {args}" if args else name
        entity = {"type": "bot_command", "offset": 0, "length": len(name.encode("utf-16-le")) // 2}
        return self._user_message(
            user_id,
            {"text": text, "entities": [entity]},
            first_name=first_name,
            language_code=language_code,
            extra=None,
        )

    def user_presses_button(
        self,
        user_id: int,
        callback_data: str,
        message_id: int | None = None,
        *,
        first_name: str | None = None,
        language_code: str | None = "vi",
        strict: bool = False,
    ) -> JSONDict:
        """Queue a callback_query as if the user tapped an inline button.

        With ``message_id=None`` the newest bot message in the chat whose keyboard contains
        ``callback_data`` is used (falling back to the newest bot message with any keyboard,
        then a synthetic one) -- that is the message a real user would be tapping.
        ``strict=True`` raises ``LookupError`` if no shown button carries ``callback_data``.
        """
        user = self._remember_user(user_id, first_name, language_code=language_code)
        message = self._find_button_message(user_id, callback_data, message_id)
        if strict and (message is None or not self._has_button(message, callback_data)):
            raise LookupError(f"no bot message in chat {user_id} has a button {callback_data!r}")
        if message is None and message_id is not None:
            message = self._messages.get((user_id, message_id))
        if message is None:
            message = {
                "message_id": message_id or self._next_message_id(user_id),
                "from": dict(self.bot_user),
                "chat": self._chat(user_id),
                "date": int(time.time()),
                "text": "",
            }
            self._messages[(user_id, message["message_id"])] = message
        query_id = str(10**15 + self._next_update_id + 1)
        self._callback_queries[query_id] = user_id
        return self._enqueue(
            {
                "callback_query": {
                    "id": query_id,
                    "from": user,
                    "message": message,
                    "chat_instance": str(user_id * 7 + 1),
                    "data": callback_data,
                }
            }
        )

    @staticmethod
    def _has_button(message: Mapping[str, Any], callback_data: str) -> bool:
        rows = (message.get("reply_markup") or {}).get("inline_keyboard", [])
        return any(b.get("callback_data") == callback_data for row in rows for b in row)

    def _find_button_message(
        self, chat_id: ChatId, callback_data: str, message_id: int | None
    ) -> JSONDict | None:
        def has_button(msg: JSONDict) -> bool:
            return self._has_button(msg, callback_data)

        if message_id is not None:
            msg = self._messages.get((chat_id, message_id))
            return msg if msg is not None and has_button(msg) else None
        bot_messages = [
            msg
            for (cid, _), msg in sorted(self._messages.items(), key=lambda kv: kv[0][1])
            if cid == chat_id and msg.get("from", {}).get("id") == self.bot_id
        ]
        for msg in reversed(bot_messages):
            if has_button(msg):
                return msg
        for msg in reversed(bot_messages):
            if msg.get("reply_markup"):
                return msg
        return None

    def user_shares_contact(
        self,
        user_id: int,
        phone: str,
        *,
        own: bool = True,
        other_user_id: int | None = None,
        first_name: str | None = None,
        language_code: str | None = "vi",
    ) -> JSONDict:
        """Queue a contact message; ``own=False`` forwards someone else's card (spoof check)."""
        user = self._remember_user(user_id, first_name, language_code=language_code)
        contact: JSONDict = {"phone_number": phone, "first_name": user["first_name"]}
        if own:
            contact["user_id"] = user_id
        else:
            contact["user_id"] = other_user_id if other_user_id is not None else user_id + 1_000_000
            contact["first_name"] = "Someone Else"
        return self._user_message(
            user_id, {"contact": contact}, first_name=None, language_code=None, extra=None
        )

    def user_sends_location(
        self,
        user_id: int,
        latitude: float,
        longitude: float,
        *,
        horizontal_accuracy: float | None = None,
        first_name: str | None = None,
        language_code: str | None = "vi",
    ) -> JSONDict:
        """Queue a location message (e.g. a farm's GPS position)."""
        location: JSONDict = {"latitude": latitude, "longitude": longitude}
        if horizontal_accuracy is not None:
            location["horizontal_accuracy"] = horizontal_accuracy
        return self._user_message(
            user_id,
            {"location": location},
            first_name=first_name,
            language_code=language_code,
            extra=None,
        )

    def user_sends_photo(
        self,
        user_id: int,
        *,
        caption: str | None = None,
        sizes: Iterable[tuple[int, int]] = ((90, 68), (320, 240), (800, 600), (1280, 960)),
        first_name: str | None = None,
        language_code: str | None = "vi",
    ) -> JSONDict:
        """Queue a photo message with several PhotoSize entries (smallest first, like Telegram).

        Each size gets downloadable placeholder bytes so ``bot.download`` works.
        """
        photo = []
        for width, height in sizes:
            data = b"\xff\xd8\xff\xe0FAKEJPEG" + f"{width}x{height}".encode() + b"\x00" * 16
            photo.append(
                self._register_file(
                    data, kind="photo", extension="jpg", extra={"width": width, "height": height}
                )
            )
        content: JSONDict = {"photo": photo}
        if caption is not None:
            content["caption"] = caption
        return self._user_message(
            user_id, content, first_name=first_name, language_code=language_code, extra=None
        )

    def user_sends_document(
        self,
        user_id: int,
        file_name: str = "report.xlsx",
        content: bytes = b"fake document content",
        *,
        mime_type: str = "application/octet-stream",
        caption: str | None = None,
        first_name: str | None = None,
        language_code: str | None = "vi",
    ) -> JSONDict:
        """Queue a document message; ``content`` is what ``getFile`` + download returns."""
        extension = file_name.rsplit(".", 1)[-1] if "." in file_name else "bin"
        document = self._register_file(
            content,
            kind="document",
            extension=extension,
            extra={"file_name": file_name, "mime_type": mime_type},
        )
        body: JSONDict = {"document": document}
        if caption is not None:
            body["caption"] = caption
        return self._user_message(
            user_id, body, first_name=first_name, language_code=language_code, extra=None
        )

    def user_sends_sticker(
        self,
        user_id: int,
        emoji: str = "👍",
        *,
        first_name: str | None = None,
        language_code: str | None = "vi",
    ) -> JSONDict:
        """Queue a sticker -- content a form-filling bot must politely reject."""
        sticker = self._register_file(
            b"RIFF-fake-webp",
            kind="sticker",
            extension="webp",
            extra={
                "type": "regular",
                "width": 512,
                "height": 512,
                "is_animated": False,
                "is_video": False,
                "emoji": emoji,
            },
        )
        return self._user_message(
            user_id,
            {"sticker": sticker},
            first_name=first_name,
            language_code=language_code,
            extra=None,
        )

    def user_sends_voice(
        self,
        user_id: int,
        duration: int = 3,
        *,
        first_name: str | None = None,
        language_code: str | None = "vi",
    ) -> JSONDict:
        """Queue a voice note (OGG/Opus placeholder bytes)."""
        voice = self._register_file(
            b"OggS-fake-opus",
            kind="voice",
            extension="oga",
            extra={"duration": duration, "mime_type": "audio/ogg"},
        )
        return self._user_message(
            user_id,
            {"voice": voice},
            first_name=first_name,
            language_code=language_code,
            extra=None,
        )

    def _my_chat_member(self, user_id: int, old: str, new: str) -> JSONDict:
        user = self._remember_user(user_id)
        bot = dict(self.bot_user)
        new_member: JSONDict = {"status": new, "user": bot}
        if new == "kicked":
            new_member["until_date"] = 0
        old_member: JSONDict = {"status": old, "user": bot}
        if old == "kicked":
            old_member["until_date"] = 0
        return self._enqueue(
            {
                "my_chat_member": {
                    "chat": self._chat(user_id),
                    "from": user,
                    "date": int(time.time()),
                    "old_chat_member": old_member,
                    "new_chat_member": new_member,
                }
            }
        )

    def user_blocks_bot(self, user_id: int) -> JSONDict:
        """Queue my_chat_member (member -> kicked) and make later sends to the user answer 403."""
        self.blocked.add(user_id)
        return self._my_chat_member(user_id, "member", "kicked")

    def user_unblocks_bot(self, user_id: int) -> JSONDict:
        """Queue my_chat_member (kicked -> member) and allow sends again."""
        self.blocked.discard(user_id)
        return self._my_chat_member(user_id, "kicked", "member")

    def add_raw_update(self, update: Mapping[str, Any]) -> JSONDict:
        """Queue an arbitrary update dict (malformed / unknown types) as-is.

        A missing ``update_id`` is assigned; a given one is kept and later ids continue above it.
        Callback query ids inside are registered so answerCallbackQuery accepts them.
        """
        raw = copy.deepcopy(dict(update))
        if "update_id" in raw and isinstance(raw["update_id"], int):
            self._next_update_id = max(self._next_update_id, raw["update_id"])
        else:
            self._next_update_id += 1
            raw["update_id"] = self._next_update_id
        callback = raw.get("callback_query")
        if isinstance(callback, dict) and "id" in callback:
            self._callback_queries[str(callback["id"])] = None
        self._queue.append(raw)
        self._notify()
        return raw

    @property
    def active_polls(self) -> int:
        """getUpdates requests currently waiting; ``wait_for(lambda: server.active_polls)``
        tells a test the bot's polling loop is up before it starts simulating users."""
        return self._active_polls

    @property
    def pending_updates(self) -> list[JSONDict]:
        """Unconfirmed updates (getUpdates queue, or undelivered webhook updates)."""
        return list(self._queue)

    # ------------------------------------------------------------------ webhook delivery

    async def deliver_webhook(
        self,
        update: Mapping[str, Any] | None = None,
        *,
        secret: str | _Sentinel | None = USE_WEBHOOK_SECRET,
        execute_reply: bool = True,
    ) -> int:
        """POST an update to the URL registered with setWebhook; return the HTTP status.

        ``update=None`` takes the oldest pending update.  A 2xx answer confirms (removes) it
        from the pending queue, anything else keeps it pending and is reported as
        ``last_error_message`` by getWebhookInfo, like Telegram.
        """
        if self.webhook is None:
            raise RuntimeError("no webhook is set; the bot must call setWebhook first")
        if update is None:
            pending = self._deliverable()
            if not pending:
                raise LookupError("no pending updates to deliver")
            update = pending[0]
        status = await self.post_update_to(
            self.webhook.url, update, secret=secret, execute_reply=execute_reply
        )
        if 200 <= status < 300:
            self._queue = [u for u in self._queue if u.get("update_id") != update.get("update_id")]
            self._last_webhook_error = None
        else:
            self._last_webhook_error = (
                int(time.time()),
                f"Wrong response from the webhook: {status}",
            )
        self._notify()
        return status

    async def deliver_pending_webhooks(self) -> list[int]:
        """Deliver every pending update in order (stops at the first non-2xx); statuses."""
        statuses: list[int] = []
        while self._deliverable():
            status = await self.deliver_webhook()
            statuses.append(status)
            if not 200 <= status < 300:
                break
        return statuses

    async def post_update_to(
        self,
        url: str,
        update: Mapping[str, Any],
        *,
        secret: str | _Sentinel | None = USE_WEBHOOK_SECRET,
        execute_reply: bool = True,
    ) -> int:
        """POST ``update`` as JSON to any URL the way Telegram does; return the HTTP status.

        ``secret`` defaults to the configured secret_token; pass a wrong string to test
        rejection or ``None`` to omit the header.  If the receiver answers with a Bot API
        method in the body (aiogram's ``handle_in_background=False`` mode), it is executed and
        recorded like a normal call (``source="webhook_reply"``).  Network errors return 0.
        """
        if self._client is None:
            raise RuntimeError("FakeTelegramServer is not running; use 'async with'")
        if secret is USE_WEBHOOK_SECRET:
            secret = self.webhook.secret_token if self.webhook else None
        assert not isinstance(secret, _Sentinel)
        headers = {_SECRET_HEADER: secret} if secret is not None else {}
        reply_method: str | None = None
        try:
            async with self._client.post(
                url,
                json=dict(update),
                headers=headers,
                timeout=aiohttp.ClientTimeout(total=self.webhook_timeout),
            ) as resp:
                status = resp.status
                if execute_reply and 200 <= status < 300:
                    reply = await self._read_webhook_reply(resp)
                    if reply is not None:
                        reply_method, fields, files = reply
                        await self._process(
                            self.token, reply_method, fields, files, source="webhook_reply"
                        )
        except (aiohttp.ClientError, TimeoutError) as exc:
            status = 0
            self._last_webhook_error = (int(time.time()), f"Connection failed: {exc!r}")
        self.webhook_deliveries.append(
            WebhookDelivery(
                url=url,
                update_id=update.get("update_id"),
                status=status,
                secret_sent=secret,
                reply_method=reply_method,
                timestamp=time.monotonic(),
            )
        )
        self._notify()
        return status

    @staticmethod
    async def _read_webhook_reply(
        resp: aiohttp.ClientResponse,
    ) -> tuple[str, JSONDict, dict[str, UploadedFile]] | None:
        fields: JSONDict = {}
        files: dict[str, UploadedFile] = {}
        if resp.content_type.startswith("multipart/"):
            reader = aiohttp.MultipartReader.from_response(resp)
            while (part := await reader.next()) is not None:
                if not isinstance(part, aiohttp.BodyPartReader) or part.name is None:
                    continue
                data = await part.read(decode=True)
                if part.filename:
                    files[part.name] = UploadedFile(
                        part.name, part.filename, part.headers.get("Content-Type"), bytes(data)
                    )
                else:
                    fields[part.name] = bytes(data).decode("utf-8")
        elif resp.content_type == "application/json":
            body = await resp.json()
            if not isinstance(body, dict):
                return None
            fields = body
        else:
            return None
        method = fields.pop("method", None)
        if not isinstance(method, str):
            return None
        return method, fields, files

    def _deliverable(self) -> list[JSONDict]:
        allowed = self.webhook.allowed_updates if self.webhook else self._allowed_updates
        return [u for u in self._queue if self._is_allowed(u, allowed)]

    # ------------------------------------------------------------------ queries

    def calls(self, method: str | None = None, chat_id: ChatId | None = None) -> list[RecordedCall]:
        """Successful calls, optionally filtered by method and/or chat."""
        return [
            call
            for call in self.sent
            if (method is None or call.method == method)
            and (chat_id is None or call.chat_id == chat_id)
        ]

    def messages_to(self, chat_id: ChatId) -> list[str]:
        """Texts of successful sendMessage calls to ``chat_id``, in order."""
        return [c.text or "" for c in self.calls("sendMessage", chat_id)]

    def last_reply_markup(self, chat_id: ChatId) -> JSONDict | None:
        """The reply_markup of the latest call to ``chat_id`` that carried one (incl. edits)."""
        for call in reversed(self.sent):
            if call.chat_id == chat_id and call.reply_markup is not None:
                return call.reply_markup
        return None

    def message(self, chat_id: ChatId, message_id: int) -> JSONDict | None:
        """Current state of a message (after edits), or None if unknown/deleted."""
        msg = self._messages.get((chat_id, message_id))
        return copy.deepcopy(msg) if msg is not None else None

    def file_bytes(self, file_id: str) -> bytes | None:
        """Bytes behind a file_id (user uploads and documents/photos the bot sent)."""
        info = self._files.get(file_id)
        return self._file_data.get(info["file_path"]) if info else None

    def get_commands(
        self, scope: Mapping[str, Any] | None = None, language_code: str = ""
    ) -> list[JSONDict] | None:
        """Commands set with setMyCommands for ``scope`` (default scope when None)."""
        return self.my_commands.get(self._commands_key(scope, language_code))

    async def wait_for(
        self,
        predicate: Callable[[], T | None],
        timeout: float = 5.0,  # noqa: ASYNC109 - part of the requested test API
        *,
        description: str = "condition",
    ) -> T:
        """Wait until ``predicate()`` returns something truthy; re-checked on every change.

        Event-driven: wakes on each request/update instead of polling, so tests stay fast.
        Raises ``TimeoutError`` with ``description`` on time-out.
        """
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            event = self._changed
            value = predicate()
            if value:
                return value
            remaining = deadline - loop.time()
            if remaining <= 0:
                raise TimeoutError(f"timed out after {timeout}s waiting for {description}")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(event.wait(), remaining)

    async def wait_for_messages(
        self,
        chat_id: ChatId,
        n: int,
        timeout: float = 5.0,  # noqa: ASYNC109 - part of the requested test API
    ) -> list[str]:
        """Wait until at least ``n`` sendMessage calls reached ``chat_id``; return all texts."""

        def ready() -> list[str] | None:
            texts = self.messages_to(chat_id)
            return texts if len(texts) >= n else None

        try:
            return await self.wait_for(ready, timeout)
        except TimeoutError:
            raise TimeoutError(
                f"expected {n} messages to chat {chat_id} within {timeout}s, "
                f"got {self.messages_to(chat_id)!r}"
            ) from None

    async def wait_for_calls(
        self,
        method: str | None = None,
        n: int = 1,
        *,
        chat_id: ChatId | None = None,
        timeout: float = 5.0,  # noqa: ASYNC109 - part of the requested test API
    ) -> list[RecordedCall]:
        """Wait until at least ``n`` successful calls match; return all matching calls."""

        def ready() -> list[RecordedCall] | None:
            found = self.calls(method, chat_id)
            return found if len(found) >= n else None

        return await self.wait_for(
            ready, timeout, description=f"{n} x {method or 'any'} to {chat_id or 'any chat'}"
        )

    async def wait_for_requests(
        self,
        method: str,
        n: int = 1,
        *,
        timeout: float = 5.0,  # noqa: ASYNC109 - part of the requested test API
    ) -> list[RecordedRequest]:
        """Wait for ``n`` requests (any outcome) of ``method``, e.g. "the bot is polling"."""

        def ready() -> list[RecordedRequest] | None:
            found = [r for r in self.requests if r.method == method]
            return found if len(found) >= n else None

        return await self.wait_for(ready, timeout, description=f"{n} x {method} request")

    # ------------------------------------------------------------------ HTTP layer

    def _notify(self) -> None:
        """Wake every waiter (long polls, wait_for helpers); they re-check their condition."""
        self._changed.set()
        self._changed = asyncio.Event()

    async def _sleep(self, seconds: float) -> None:
        """Sleep that ends early when the server shuts down, so teardown never hangs."""
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._closing.wait(), seconds)

    async def _handle_not_found(self, request: web.Request) -> web.Response:
        return web.json_response(
            {"ok": False, "error_code": 404, "description": "Not Found"}, status=404
        )

    async def _handle_file(self, request: web.Request) -> web.Response:
        if request.match_info["token"] != self.token:
            return web.json_response(
                {"ok": False, "error_code": 401, "description": "Unauthorized"}, status=401
            )
        data = self._file_data.get(request.match_info["path"])
        if data is None:
            return web.json_response(
                {"ok": False, "error_code": 404, "description": "Not Found"}, status=404
            )
        return web.Response(body=data, content_type="application/octet-stream")

    async def _handle_api(self, request: web.Request) -> web.Response:
        token = request.match_info["token"]
        method = request.match_info["method"]
        raw: dict[str, Any] = dict(request.query)
        files: dict[str, UploadedFile] = {}
        try:
            if request.content_type == "application/json":
                body = await request.json()
                if isinstance(body, dict):
                    raw.update(body)
            elif request.can_read_body:
                form = await request.post()
                for key, value in form.items():
                    if isinstance(value, web.FileField):
                        files[key] = UploadedFile(
                            key, value.filename, value.content_type, value.file.read()
                        )
                    else:
                        raw[key] = value
        except web.HTTPRequestEntityTooLarge:
            return self._finish(
                method, raw, files, _ApiError(413, "Request Entity Too Large"), source="http"
            )
        except ValueError:
            return self._finish(
                method,
                raw,
                files,
                _ApiError(400, "Bad Request: can't parse request body"),
                source="http",
            )
        status, body = await self._process(token, method, raw, files, source="http")
        return web.json_response(body, status=status)

    def _finish(
        self,
        method: str,
        params: JSONDict,
        files: Mapping[str, UploadedFile],
        error: _ApiError,
        *,
        source: Literal["http", "webhook_reply"],
    ) -> web.Response:
        self._record_request(method, params, files, error.status, error.body(), source)
        return web.json_response(error.body(), status=error.status)

    def _record_request(
        self,
        method: str,
        params: JSONDict,
        files: Mapping[str, UploadedFile],
        status: int,
        body: JSONDict,
        source: Literal["http", "webhook_reply"],
    ) -> None:
        self.requests.append(
            RecordedRequest(
                method=method,
                params=params,
                status=status,
                response=body,
                timestamp=time.monotonic(),
                source=source,
                files=dict(files),
            )
        )
        self.stats["requests"] += 1
        if status == 200:
            self.stats["ok"] += 1
        else:
            self.stats[str(status)] += 1
            if status >= 500:
                self.stats["5xx"] += 1
        self._notify()

    async def _process(
        self,
        token: str,
        method: str,
        raw: Mapping[str, Any],
        files: Mapping[str, UploadedFile],
        *,
        source: Literal["http", "webhook_reply"],
    ) -> tuple[int, JSONDict]:
        """Authenticate, inject faults, enforce limits, run the handler, record everything."""
        canonical = self._method_names.get(method.lower(), method)
        params: JSONDict = dict(raw)
        call: RecordedCall | None = None
        try:
            if token != self.token:
                raise _ApiError(401, "Unauthorized")
            if canonical not in self._handlers:
                raise _ApiError(404, "Not Found: method not found")
            params = _decode_params(raw)
            result, upload = await self._execute(canonical, params, files)
            status, body = 200, {"ok": True, "result": result}
            if canonical in ACTION_METHODS:
                call = self._make_call(canonical, params, result, upload)
        except _ApiError as err:
            status, body = err.status, err.body()
        if call is not None:
            self.sent.append(call)
            self.stats["sent"] += 1
        self._record_request(canonical, params, files, status, body, source)
        return status, body

    def _draw_fault(self, method: str) -> _Fault | None:
        for index, fault in enumerate(self._faults):
            if method in fault.methods:
                self.stats["injected"] += 1
                return self._faults.pop(index)
        if self._chaos_rate <= 0 or method not in self._chaos_methods or not self._chaos_kinds:
            return None
        if self._rng.random() >= self._chaos_rate:
            return None
        self.stats["chaos"] += 1
        kind = self._rng.choice(self._chaos_kinds)
        if kind in {"timeout", "timeout_delivered"}:
            return _Fault(
                "stall",
                self._chaos_methods,
                seconds=self._chaos_stall_seconds,
                deliver=kind == "timeout_delivered",
            )
        status = self._rng.choice((500, 502)) if kind == "5xx" else int(kind)
        return _Fault(
            "error", self._chaos_methods, status=status, retry_after=self._chaos_retry_after
        )

    async def _execute(
        self, method: str, params: JSONDict, files: Mapping[str, UploadedFile]
    ) -> tuple[Any, UploadedFile | None]:
        fault = self._draw_fault(method)
        if fault is not None:
            if fault.kind == "error":
                raise fault.error()
            self.stats["timeout"] += 1
            await self._sleep(fault.seconds)
            if not fault.deliver:
                raise _ApiError(504, "Gateway Timeout")

        chat_id: ChatId | None = params.get("chat_id")
        if method in ACTION_METHODS and chat_id is not None and chat_id in self.blocked:
            raise _ApiError(403, _BLOCKED_DESCRIPTION)
        if (
            self.strict_chats
            and chat_id is not None
            and method in ACTION_METHODS | {"getChat"}
            and chat_id not in self._known_chats
        ):
            raise _ApiError(400, "Bad Request: chat not found")

        now = time.monotonic()
        limited = method in RATE_LIMITED_METHODS and self._limiter.enabled
        if limited:
            retry_after = self._limiter.check(chat_id, now)
            if retry_after is not None:
                self.stats["rate_limited"] += 1
                raise _too_many_requests(retry_after)

        upload = self._resolve_upload(method, params, files)
        result = await self._handlers[method](params, upload)
        if limited:
            self._limiter.consume(chat_id, now)
        return result, upload

    def _make_call(
        self, method: str, params: JSONDict, result: Any, upload: UploadedFile | None
    ) -> RecordedCall:
        chat_id: ChatId | None = params.get("chat_id")
        message_id = params.get("message_id")
        if isinstance(result, dict) and "message_id" in result:
            message_id = result["message_id"]
            if chat_id is None:
                chat_id = result["chat"]["id"]
        if method == "answerCallbackQuery":
            chat_id = self._callback_queries.get(str(params.get("callback_query_id")))
        markup = params.get("reply_markup")
        return RecordedCall(
            method=method,
            chat_id=chat_id,
            text=params.get("text"),
            caption=params.get("caption"),
            reply_markup=markup if isinstance(markup, dict) else None,
            message_id=message_id,
            filename=upload.filename if upload else None,
            file_bytes=upload.data if upload else None,
            params=params,
            result=result,
            timestamp=time.monotonic(),
        )

    def _resolve_upload(
        self, method: str, params: JSONDict, files: Mapping[str, UploadedFile]
    ) -> UploadedFile | None:
        """Resolve ``attach://`` references, direct uploads, file_ids and URLs."""
        field_name = _FILE_FIELDS.get(method)
        if field_name is None:
            return None
        if field_name in files:
            return files[field_name]
        value = params.get(field_name)
        if value is None:
            if method == "setWebhook":
                return None
            raise _ApiError(400, f"Bad Request: there is no {field_name} in the request")
        if not isinstance(value, str):
            raise _ApiError(400, f"Bad Request: wrong {field_name} specified")
        if value.startswith("attach://"):
            attached = files.get(value.removeprefix("attach://"))
            if attached is None:
                raise _ApiError(400, "Bad Request: wrong file identifier/HTTP URL specified")
            return attached
        if value.startswith(("http://", "https://")):
            return UploadedFile(
                field_name, value.rsplit("/", 1)[-1] or None, None, None, source="url"
            )
        info = self._files.get(value)
        if info is None:
            raise _ApiError(400, "Bad Request: wrong file identifier/HTTP URL specified")
        return UploadedFile(
            field_name,
            info.get("file_name"),
            info.get("mime_type"),
            self._file_data.get(info["file_path"]),
            source="file_id",
            file_id=value,
        )

    # ------------------------------------------------------------------ validation helpers

    @staticmethod
    def _require_chat(params: JSONDict) -> ChatId:
        chat_id = params.get("chat_id")
        if chat_id is None or chat_id == "":
            raise _ApiError(400, "Bad Request: chat_id is empty")
        if not isinstance(chat_id, int | str):
            raise _ApiError(400, "Bad Request: chat not found")
        return chat_id

    @staticmethod
    def _require_message_id(params: JSONDict) -> int:
        message_id = params.get("message_id")
        if not isinstance(message_id, int):
            raise _ApiError(400, "Bad Request: message identifier is not specified")
        return message_id

    def _check_formatting(self, text: str, parse_mode: Any) -> None:
        if parse_mode is None or parse_mode == "":
            return
        if not isinstance(parse_mode, str) or parse_mode.lower() not in {
            "html",
            "markdown",
            "markdownv2",
        }:
            raise _ApiError(400, f"Bad Request: unsupported parse_mode {parse_mode!r}")
        if not self.strict_formatting:
            return
        if parse_mode.lower() == "html":
            _check_html(text)
        elif parse_mode.lower() == "markdownv2":
            _check_markdown_v2(text)

    @staticmethod
    def _check_markup(markup: Any, *, inline_only: bool = False) -> JSONDict | None:
        """Validate reply_markup like Telegram; return it only if it is an inline keyboard."""
        if markup is None:
            return None
        if not isinstance(markup, dict):
            raise _ApiError(400, "Bad Request: can't parse reply keyboard markup JSON object")
        if "inline_keyboard" in markup:
            rows = markup["inline_keyboard"]
            if not isinstance(rows, list) or not all(isinstance(r, list) for r in rows):
                raise _ApiError(400, "Bad Request: can't parse inline keyboard JSON object")
            for row in rows:
                for button in row:
                    if not isinstance(button, dict) or not isinstance(button.get("text"), str):
                        raise _ApiError(400, "Bad Request: can't parse inline keyboard button")
                    actions = set(button) - {"text", "style", "icon_custom_emoji_id"}
                    if not actions:
                        raise _ApiError(
                            400,
                            "Bad Request: can't parse inline keyboard button: Text buttons are "
                            "unallowed in the inline keyboard",
                        )
                    data = button.get("callback_data")
                    if data is not None and not 1 <= len(str(data).encode("utf-8")) <= 64:
                        raise _ApiError(400, "Bad Request: BUTTON_DATA_INVALID")
            return markup
        if inline_only:
            raise _ApiError(400, "Bad Request: inline keyboard expected")
        if "keyboard" in markup:
            rows = markup["keyboard"]
            if not isinstance(rows, list) or not all(isinstance(r, list) for r in rows):
                raise _ApiError(400, "Bad Request: can't parse keyboard JSON object")
            return None
        if "remove_keyboard" in markup or "force_reply" in markup:
            return None
        raise _ApiError(400, "Bad Request: can't parse reply keyboard markup JSON object")

    def _bot_message(self, chat_id: ChatId, content: JSONDict, markup: JSONDict | None) -> JSONDict:
        message: JSONDict = {
            "message_id": self._next_message_id(chat_id),
            "from": dict(self.bot_user),
            "chat": self._chat(chat_id),
            "date": int(time.time()),
            **content,
        }
        if markup is not None:
            message["reply_markup"] = markup
        self._messages[(chat_id, message["message_id"])] = message
        return copy.deepcopy(message)

    def _check_caption(self, params: JSONDict) -> JSONDict:
        caption = params.get("caption")
        if caption is None:
            return {}
        if len(caption) > 1024:
            raise _ApiError(400, "Bad Request: message caption is too long")
        self._check_formatting(caption, params.get("parse_mode"))
        return {"caption": caption}

    def _reply_to(self, chat_id: ChatId, params: JSONDict) -> JSONDict:
        reply_id = params.get("reply_to_message_id")
        reply_parameters = params.get("reply_parameters")
        if isinstance(reply_parameters, dict):
            reply_id = reply_parameters.get("message_id", reply_id)
        original = self._messages.get((chat_id, reply_id)) if isinstance(reply_id, int) else None
        return {"reply_to_message": copy.deepcopy(original)} if original else {}

    # ------------------------------------------------------------------ method handlers

    async def _h_get_me(self, params: JSONDict, upload: UploadedFile | None) -> Any:
        return self.bot_user | {
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": False,
        }

    @staticmethod
    def _is_allowed(update: Mapping[str, Any], allowed: list[str] | None) -> bool:
        kind = _update_type(update)
        if kind is None or kind not in _KNOWN_UPDATE_TYPES:
            return True  # raw/unknown updates always pass so malformed input can be tested
        if not allowed:
            return kind not in _DEFAULT_EXCLUDED_UPDATES
        return kind in allowed

    async def _h_get_updates(self, params: JSONDict, upload: UploadedFile | None) -> Any:
        if self.webhook is not None:
            raise _ApiError(
                409,
                "Conflict: can't use getUpdates method while webhook is active; "
                "use deleteWebhook to delete the webhook first",
            )
        self._poll_generation += 1
        generation = self._poll_generation
        self._notify()  # terminates an older long poll with 409, like Telegram
        if "allowed_updates" in params and isinstance(params["allowed_updates"], list):
            self._allowed_updates = params["allowed_updates"]
        offset = params.get("offset")
        if isinstance(offset, int) and offset > 0:
            self._queue = [u for u in self._queue if u.get("update_id", 0) >= offset]
        elif isinstance(offset, int) and offset < 0:
            self._queue = self._queue[offset:]
        limit = params.get("limit")
        limit = min(100, max(1, limit)) if isinstance(limit, int) else 100
        timeout = params.get("timeout")
        wait = min(float(timeout), self.max_poll_timeout) if isinstance(timeout, int) else 0.0
        self._active_polls += 1
        self._notify()
        try:
            return await self._long_poll(generation, limit, wait)
        finally:
            self._active_polls -= 1

    async def _long_poll(self, generation: int, limit: int, wait: float) -> list[JSONDict]:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + max(0.0, wait)
        while True:
            event = self._changed
            if generation != self._poll_generation:
                raise _ApiError(409, _DEFAULT_DESCRIPTIONS[409])
            self._queue = [u for u in self._queue if self._is_allowed(u, self._allowed_updates)]
            if self._queue or self._closing.is_set():
                return copy.deepcopy(self._queue[:limit])
            remaining = deadline - loop.time()
            if remaining <= 0:
                return []
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(event.wait(), remaining)

    async def _h_set_webhook(self, params: JSONDict, upload: UploadedFile | None) -> Any:
        url = params.get("url") or ""
        if not url:
            self.webhook = None
            return True
        if not isinstance(url, str) or not url.startswith(("https://", "http://")):
            raise _ApiError(
                400, "Bad Request: bad webhook: An HTTPS URL must be provided for webhook"
            )
        secret = params.get("secret_token")
        if secret is not None and not _SECRET_RE.fullmatch(secret):
            raise _ApiError(400, "Bad Request: secret token contains unallowed characters")
        max_connections = params.get("max_connections") or 40
        if not 1 <= max_connections <= 100:
            raise _ApiError(400, "Bad Request: bad webhook: max_connections must be 1-100")
        allowed = params.get("allowed_updates")
        drop = bool(params.get("drop_pending_updates"))
        if drop:
            self._queue.clear()
        if isinstance(allowed, list):
            self._allowed_updates = allowed
        self.webhook = WebhookConfig(
            url=url,
            secret_token=secret,
            allowed_updates=allowed if isinstance(allowed, list) else None,
            max_connections=max_connections,
            ip_address=params.get("ip_address"),
            has_custom_certificate=upload is not None,
            drop_pending_updates=drop,
        )
        self._notify()
        return True

    async def _h_delete_webhook(self, params: JSONDict, upload: UploadedFile | None) -> Any:
        self.webhook = None
        if params.get("drop_pending_updates"):
            self._queue.clear()
        self._last_webhook_error = None
        return True

    async def _h_get_webhook_info(self, params: JSONDict, upload: UploadedFile | None) -> Any:
        info: JSONDict = {
            "url": self.webhook.url if self.webhook else "",
            "has_custom_certificate": bool(self.webhook and self.webhook.has_custom_certificate),
            "pending_update_count": len(self._queue),
        }
        if self.webhook is not None:
            info["max_connections"] = self.webhook.max_connections
            if self.webhook.allowed_updates is not None:
                info["allowed_updates"] = self.webhook.allowed_updates
            if self.webhook.ip_address:
                info["ip_address"] = self.webhook.ip_address
            if self._last_webhook_error is not None:
                info["last_error_date"], info["last_error_message"] = self._last_webhook_error
        return info

    async def _h_send_message(self, params: JSONDict, upload: UploadedFile | None) -> Any:
        chat_id = self._require_chat(params)
        text = params.get("text")
        if not isinstance(text, str) or not text.strip():
            raise _ApiError(400, "Bad Request: message text is empty")
        if len(text) > 4096:
            raise _ApiError(400, "Bad Request: message is too long")
        self._check_formatting(text, params.get("parse_mode"))
        markup = self._check_markup(params.get("reply_markup"))
        return self._bot_message(chat_id, {"text": text, **self._reply_to(chat_id, params)}, markup)

    async def _h_send_chat_action(self, params: JSONDict, upload: UploadedFile | None) -> Any:
        self._require_chat(params)
        if params.get("action") not in _CHAT_ACTIONS:
            raise _ApiError(400, "Bad Request: wrong parameter action in request")
        return True

    async def _h_send_document(self, params: JSONDict, upload: UploadedFile | None) -> Any:
        chat_id = self._require_chat(params)
        assert upload is not None
        caption = self._check_caption(params)
        markup = self._check_markup(params.get("reply_markup"))
        if upload.source == "file_id" and upload.file_id in self._files:
            info = self._files[upload.file_id]
            document: JSONDict = {
                "file_id": info["file_id"],
                "file_unique_id": info["file_unique_id"],
                "file_size": info["file_size"],
            }
        else:
            data = upload.data or b""
            name = upload.filename or "document"
            document = self._register_file(
                data,
                kind="document",
                extension=name.rsplit(".", 1)[-1] if "." in name else "bin",
            )
        if upload.filename:
            document["file_name"] = upload.filename
            if upload.file_id is None:
                self._files[document["file_id"]]["file_name"] = upload.filename
        if upload.content_type:
            document["mime_type"] = upload.content_type
        return self._bot_message(chat_id, {"document": document, **caption}, markup)

    async def _h_send_photo(self, params: JSONDict, upload: UploadedFile | None) -> Any:
        chat_id = self._require_chat(params)
        assert upload is not None
        caption = self._check_caption(params)
        markup = self._check_markup(params.get("reply_markup"))
        data = upload.data or b""
        photo = [
            self._register_file(
                data, kind="photo", extension="jpg", extra={"width": w, "height": h}
            )
            for w, h in ((90, 90), (320, 320), (800, 800))
        ]
        return self._bot_message(chat_id, {"photo": photo, **caption}, markup)

    def _editable(self, params: JSONDict) -> JSONDict:
        chat_id = self._require_chat(params)
        message_id = self._require_message_id(params)
        message = self._messages.get((chat_id, message_id))
        if message is None:
            raise _ApiError(400, "Bad Request: message to edit not found")
        if message.get("from", {}).get("id") != self.bot_id:
            raise _ApiError(400, "Bad Request: message can't be edited")
        return message

    async def _h_edit_message_text(self, params: JSONDict, upload: UploadedFile | None) -> Any:
        text = params.get("text")
        if not isinstance(text, str) or not text.strip():
            raise _ApiError(400, "Bad Request: text must be non-empty")
        if len(text) > 4096:
            raise _ApiError(400, "Bad Request: MESSAGE_TOO_LONG")
        self._check_formatting(text, params.get("parse_mode"))
        markup = self._check_markup(params.get("reply_markup"), inline_only=True)
        if params.get("inline_message_id"):
            return True
        message = self._editable(params)
        if "text" not in message:
            raise _ApiError(400, "Bad Request: there is no text in the message to edit")
        if message["text"] == text and message.get("reply_markup") == markup:
            raise _ApiError(
                400,
                "Bad Request: message is not modified: specified new message content and reply "
                "markup are exactly the same as a current content and reply markup of the message",
            )
        message["text"] = text
        message["edit_date"] = int(time.time())
        if markup is None:
            message.pop("reply_markup", None)
        else:
            message["reply_markup"] = markup
        return copy.deepcopy(message)

    async def _h_edit_message_reply_markup(
        self, params: JSONDict, upload: UploadedFile | None
    ) -> Any:
        markup = self._check_markup(params.get("reply_markup"), inline_only=True)
        if params.get("inline_message_id"):
            return True
        message = self._editable(params)
        if message.get("reply_markup") == markup:
            raise _ApiError(
                400,
                "Bad Request: message is not modified: specified new message content and reply "
                "markup are exactly the same as a current content and reply markup of the message",
            )
        message["edit_date"] = int(time.time())
        if markup is None:
            message.pop("reply_markup", None)
        else:
            message["reply_markup"] = markup
        return copy.deepcopy(message)

    async def _h_answer_callback_query(self, params: JSONDict, upload: UploadedFile | None) -> Any:
        query_id = str(params.get("callback_query_id") or "")
        if query_id not in self._callback_queries or query_id in self._answered_callbacks:
            raise _ApiError(
                400,
                "Bad Request: query is too old and response timeout expired or query ID is invalid",
            )
        text = params.get("text")
        if isinstance(text, str) and len(text) > 200:
            raise _ApiError(400, "Bad Request: MESSAGE_TOO_LONG")
        self._answered_callbacks.add(query_id)
        return True

    async def _h_delete_message(self, params: JSONDict, upload: UploadedFile | None) -> Any:
        chat_id = self._require_chat(params)
        message_id = self._require_message_id(params)
        if self._messages.pop((chat_id, message_id), None) is None:
            raise _ApiError(400, "Bad Request: message to delete not found")
        return True

    async def _h_get_file(self, params: JSONDict, upload: UploadedFile | None) -> Any:
        info = self._files.get(str(params.get("file_id") or ""))
        if info is None:
            raise _ApiError(400, "Bad Request: invalid file_id")
        return {key: info[key] for key in ("file_id", "file_unique_id", "file_size", "file_path")}

    @staticmethod
    def _commands_key(
        scope: Mapping[str, Any] | None, language_code: str | None
    ) -> tuple[str, str]:
        scope_key = json.dumps(dict(scope), sort_keys=True) if scope else '{"type": "default"}'
        return scope_key, language_code or ""

    async def _h_set_my_commands(self, params: JSONDict, upload: UploadedFile | None) -> Any:
        commands = params.get("commands")
        if not isinstance(commands, list) or len(commands) > 100:
            raise _ApiError(400, "Bad Request: can't parse commands JSON object")
        for command in commands:
            if not isinstance(command, dict) or not _COMMAND_RE.fullmatch(
                str(command.get("command", ""))
            ):
                raise _ApiError(400, "Bad Request: BOT_COMMAND_INVALID")
            if not 1 <= len(str(command.get("description", ""))) <= 256:
                raise _ApiError(400, "Bad Request: BOT_COMMAND_DESCRIPTION_INVALID")
        key = self._commands_key(params.get("scope"), params.get("language_code"))
        self.my_commands[key] = commands
        return True

    async def _h_get_my_commands(self, params: JSONDict, upload: UploadedFile | None) -> Any:
        key = self._commands_key(params.get("scope"), params.get("language_code"))
        return self.my_commands.get(key, [])

    async def _h_delete_my_commands(self, params: JSONDict, upload: UploadedFile | None) -> Any:
        key = self._commands_key(params.get("scope"), params.get("language_code"))
        self.my_commands.pop(key, None)
        return True

    async def _h_get_chat(self, params: JSONDict, upload: UploadedFile | None) -> Any:
        chat_id = self._require_chat(params)
        return self._chat(chat_id) | {
            "accent_color_id": 0,
            "max_reaction_count": 11,
            "accepted_gift_types": {
                "unlimited_gifts": True,
                "limited_gifts": True,
                "unique_gifts": True,
                "premium_subscription": True,
                "gifts_from_channels": True,
            },
        }
