"""The fake's shared state and the few helpers every part of it uses."""

from __future__ import annotations

import asyncio
import contextlib
import random
import secrets
import zlib
from collections import Counter
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Literal

import aiohttp
from aiohttp import web

from tests.fakes.telegram_api.records import (
    ChatId,
    Handler,
    JSONDict,
    RecordedCall,
    RecordedRequest,
    UploadedFile,
    WebhookConfig,
    WebhookDelivery,
)

if TYPE_CHECKING:
    from tests.fakes.telegram_api.faults import Fault
    from tests.fakes.telegram_api.rate_limits import RateLimiter


class ServerState:
    """The state every part reads, declared once; :class:`FakeTelegramServer` sets it up.

    The mixins each hold one part of the fake; this base tells them (and their readers) what
    the others keep. Methods one part calls in another are declared for type checkers only.
    """

    # configuration
    token: str
    bot_id: int
    bot_user: JSONDict
    max_poll_timeout: float
    strict_chats: bool
    strict_formatting: bool
    webhook_timeout: float

    # records a test inspects
    sent: list[RecordedCall]
    requests: list[RecordedRequest]
    stats: Counter[str]
    blocked: set[ChatId]
    webhook: WebhookConfig | None
    webhook_deliveries: list[WebhookDelivery]
    my_commands: dict[tuple[str, str], list[JSONDict]]

    # faults and flood limits (faults.py)
    _limiter: RateLimiter
    _faults: list[Fault]
    _chaos_rate: float
    _chaos_kinds: tuple[str, ...]
    _chaos_methods: frozenset[str]
    _chaos_stall_seconds: float
    _chaos_retry_after: int
    _rng: random.Random

    # updates, chats, messages and files
    _queue: list[JSONDict]
    _allowed_updates: list[str] | None
    _next_update_id: int
    _poll_generation: int
    _active_polls: int
    _message_ids: dict[ChatId, int]
    _messages: dict[tuple[ChatId, int], JSONDict]
    _users: dict[int, JSONDict]
    _known_chats: set[ChatId]
    _callback_queries: dict[str, ChatId | None]
    _answered_callbacks: set[str]
    _files: dict[str, JSONDict]
    _file_data: dict[str, bytes]
    _last_webhook_error: tuple[int, str] | None
    _id_counter: int

    # the HTTP side
    _handlers: dict[str, Handler]
    _method_names: dict[str, str]
    _runner: web.AppRunner | None
    _client: aiohttp.ClientSession | None
    _closing: asyncio.Event
    _changed: asyncio.Event
    _port: int | None

    def _notify(self) -> None:
        """Wake every waiter (long polls, wait_for helpers); they re-check their condition."""
        self._changed.set()
        self._changed = asyncio.Event()

    async def _sleep(self, seconds: float) -> None:
        """Sleep that ends early when the server shuts down, so teardown never hangs."""
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._closing.wait(), seconds)

    def _new_id(self, prefix: str) -> str:
        self._id_counter += 1
        return f"{prefix}{self._id_counter:06d}{secrets.token_hex(4)}"

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

    if TYPE_CHECKING:  # implemented by the mixins, called across them

        def _enqueue(self, payload: JSONDict) -> JSONDict: ...

        def _user_message(
            self,
            user_id: int,
            content: JSONDict,
            *,
            first_name: str | None,
            language_code: str | None,
            extra: Mapping[str, Any] | None,
        ) -> JSONDict: ...

        def _register_file(
            self, data: bytes, *, kind: str, extension: str, extra: JSONDict | None = None
        ) -> JSONDict: ...

        def _resolve_upload(
            self, method: str, params: JSONDict, files: Mapping[str, UploadedFile]
        ) -> UploadedFile | None: ...

        def _draw_fault(self, method: str) -> Fault | None: ...

        async def _process(
            self,
            token: str,
            method: str,
            raw: Mapping[str, Any],
            files: Mapping[str, UploadedFile],
            *,
            source: Literal["http", "webhook_reply"],
        ) -> tuple[int, JSONDict]: ...
