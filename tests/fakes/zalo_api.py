"""A local fake of the Zalo Bot API (bot-api.zaloplatforms.com) for end-to-end tests.

It speaks the wire protocol on ``127.0.0.1`` (an ephemeral port), so the bot's own HTTP
client, its error mapping and its webhook route are what the tests exercise. Small on
purpose; what it enforces is what bots get wrong:

* the token in the path (401 otherwise), JSON answers ``{ok, result, description,
  error_code}`` (with ``errors_in_body=True`` errors come as HTTP 200 and ``ok: false``);
* ``getUpdates``: one update per call, no offset; 408 when none came within the poll's
  ``timeout`` (capped by ``max_poll_wait`` to keep tests fast); refused while a webhook is set;
* ``sendMessage``: text of 1 to 2,000 characters (counted in UTF-16 units), else 400;
  ``sendPhoto`` takes a public URL; ``setWebhook`` an HTTPS URL (plain HTTP only to this
  machine) and a secret of 8 to 256 characters;
* faults: :meth:`FakeZaloServer.fail_next` answers the next N matching calls with an error
  (429 "quota exceeded" by default), :meth:`FakeZaloServer.stall_next` makes them hang;
* webhook: once set, every update is POSTed in order with ``X-Bot-Api-Secret-Token``, in
  the documented wrapped shape or the unwrapped one seen in practice (``webhook_shape``);
* photos sent by simulated users are served at URLs of the fake (for a later download).

Every call is recorded in :attr:`FakeZaloServer.calls` with its outcome; only successful
user-visible sends are in :attr:`FakeZaloServer.sent`, so "nothing lost, nothing doubled" is
a comparison of ``sent`` with what was expected.
"""

from __future__ import annotations

import asyncio
import contextlib
import secrets
import time
import unicodedata
from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any, Literal, Self, TypeVar
from urllib.parse import urlsplit

import aiohttp
from aiohttp import web

TOKEN = "3001234567:fake-zalo-token_for-tests"
SEND_METHODS = frozenset({"sendMessage", "sendPhoto", "sendSticker", "sendChatAction"})
USE_SECRET: Any = object()  # deliver with the secret given to setWebhook
JSONDict = dict[str, Any]
Shape = Literal["wrapped", "bare"]
T = TypeVar("T")


@dataclass
class Call:
    """One request the bot made, and how the fake answered."""

    method: str
    params: JSONDict
    status: int
    at: float = field(default_factory=time.monotonic)

    @property
    def ok(self) -> bool:
        return self.status == 200

    @property
    def chat_id(self) -> str | None:
        return self.params.get("chat_id")

    @property
    def text(self) -> str:
        return str(self.params.get("text") or self.params.get("caption") or "")


@dataclass
class _Fault:
    status: int
    description: str
    methods: frozenset[str]
    stall: float = 0.0
    after: int = 0  # matching calls to let through first


class FakeZaloServer:
    """``async with FakeZaloServer() as zalo:`` then point the bot at ``zalo.base_url``."""

    def __init__(
        self,
        token: str = TOKEN,
        *,
        bot_name: str = "Bot OCOP Thử nghiệm",
        max_poll_wait: float = 1.0,
        errors_in_body: bool = False,
        webhook_shape: Shape = "wrapped",
    ) -> None:
        self.token = token
        self.bot_name = bot_name
        self.max_poll_wait = max_poll_wait
        self.errors_in_body = errors_in_body
        self.webhook_shape: Shape = webhook_shape
        self.calls: list[Call] = []
        self.sent: list[Call] = []
        self.webhook: tuple[str, str] | None = None  # (url, secret)
        self.deliveries: list[tuple[JSONDict, int]] = []  # (update, HTTP status; 0: no answer)
        self.active_polls = 0
        self.photos: dict[str, bytes] = {}
        self._queue: deque[JSONDict] = deque()
        self._faults: list[_Fault] = []
        self._changed = asyncio.Event()
        self._deliverer: asyncio.Task[None] | None = None
        self._runner: web.AppRunner | None = None
        self._client: aiohttp.ClientSession | None = None
        self._port = 0

    async def __aenter__(self) -> Self:
        app = web.Application()
        app.router.add_route("*", "/bot{token}/{method}", self._handle_api)
        app.router.add_get("/photos/{name}", self._handle_photo)
        self._runner = web.AppRunner(app, access_log=None, shutdown_timeout=1.0)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self._port = int(self._runner.addresses[0][1])
        self._client = aiohttp.ClientSession()
        return self

    async def __aexit__(self, *_exc: object) -> None:
        if self._deliverer is not None:
            self._deliverer.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._deliverer
        self._faults.clear()
        self._notify()
        if self._client is not None:
            await self._client.close()
        if self._runner is not None:
            await self._runner.cleanup()

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self._port}"

    # -- what users do -------------------------------------------------------------------

    def user(self, user_id: str, name: str = "Người dùng Zalo") -> ZaloUser:
        return ZaloUser(self, user_id, name)

    def update(self, event: str, user_id: str, name: str, **fields: Any) -> JSONDict:
        """An update as Zalo sends it (ids are hex strings, ``date`` in milliseconds)."""
        message = {
            "from": {"id": user_id, "display_name": name, "is_bot": False},
            "chat": {"id": user_id, "chat_type": "PRIVATE"},
            "message_id": secrets.token_hex(10),
            "date": int(time.time() * 1000),
            **fields,
        }
        return {"event_name": event, "message": message}

    def push(self, update: JSONDict) -> JSONDict:
        """Queue an update: for the next ``getUpdates``, or for the webhook when one is set."""
        self._queue.append(update)
        if self.webhook is not None:
            self._start_delivering()
        self._notify()
        return update

    def add_photo(self, content: bytes = b"\xff\xd8\xff\xe0 fake jpeg") -> str:
        """Host ``content`` and return its public URL (like Zalo's photo URLs)."""
        name = secrets.token_hex(8) + ".jpg"
        self.photos[name] = content
        return f"{self.base_url}/photos/{name}"

    @property
    def pending(self) -> list[JSONDict]:
        return list(self._queue)

    # -- faults ----------------------------------------------------------------------------

    def fail_next(
        self,
        n: int = 1,
        *,
        status: int = 429,
        description: str = "Quota exceeded",
        methods: Iterable[str] = SEND_METHODS,
        after: int = 0,
    ) -> None:
        """Answer the next ``n`` calls of ``methods`` with an error, once ``after`` of them
        went through (``after=1``: the second piece of a long reply fails)."""
        self._faults.extend(
            _Fault(status, description, frozenset(methods), after=after) for _ in range(n)
        )

    def stall_next(
        self, n: int = 1, *, seconds: float = 10.0, methods: Iterable[str] = SEND_METHODS
    ) -> None:
        self._faults.extend(_Fault(200, "", frozenset(methods), stall=seconds) for _ in range(n))

    # -- what the bot did ------------------------------------------------------------------

    def messages_to(self, chat_id: str) -> list[str]:
        return [c.text for c in self.sent if c.method == "sendMessage" and c.chat_id == chat_id]

    def calls_of(self, method: str) -> list[Call]:
        return [c for c in self.calls if c.method == method]

    async def wait_for(
        self, predicate: Callable[[], T], within: float = 5.0, *, description: str = "condition"
    ) -> T:
        """Wait until ``predicate()`` is truthy; re-checked whenever the fake sees a request."""
        deadline = asyncio.get_running_loop().time() + within
        while not (value := predicate()):
            remaining = deadline - asyncio.get_running_loop().time()
            if remaining <= 0:
                raise TimeoutError(f"timed out after {within}s waiting for {description}")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._changed.wait(), min(remaining, 0.1))
        return value

    # -- webhook delivery -------------------------------------------------------------------

    async def deliver(
        self, update: JSONDict, *, shape: Shape | None = None, secret: Any = USE_SECRET
    ) -> int:
        """POST ``update`` to the webhook as Zalo would; the HTTP status (0: no answer).
        ``secret=None`` leaves the header out; any other string is sent as given."""
        if self.webhook is None or self._client is None:
            raise RuntimeError("no webhook is set: the bot must call setWebhook first")
        url, expected = self.webhook
        secret = expected if secret is USE_SECRET else secret
        body = update if (shape or self.webhook_shape) == "bare" else {"ok": True, "result": update}
        headers = {} if secret is None else {"X-Bot-Api-Secret-Token": secret}
        try:
            async with self._client.post(url, json=body, headers=headers, timeout=10) as answer:
                status = answer.status
        except (aiohttp.ClientError, TimeoutError):
            status = 0
        self.deliveries.append((update, status))
        self._notify()
        return status

    def _start_delivering(self) -> None:
        if self._deliverer is None or self._deliverer.done():
            self._deliverer = asyncio.create_task(self._deliver_queue())

    async def _deliver_queue(self) -> None:
        """Every queued update, in order, once (Zalo's retries are not documented)."""
        while self._queue and self.webhook is not None:
            await self.deliver(self._queue.popleft())

    # -- HTTP --------------------------------------------------------------------------------

    def _notify(self) -> None:
        self._changed.set()
        self._changed = asyncio.Event()

    async def _handle_photo(self, request: web.Request) -> web.Response:
        content = self.photos.get(request.match_info["name"])
        if content is None:
            raise web.HTTPNotFound()
        return web.Response(body=content, content_type="image/jpeg")

    async def _handle_api(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        try:
            params = await request.json() if request.can_read_body else {}
        except ValueError:
            params = None
        params = params if isinstance(params, dict) else {}
        status, result, description = await self._answer(
            request.match_info["token"], method, params
        )
        call = Call(method, params, status)
        self.calls.append(call)
        if status == 200 and method in SEND_METHODS - {"sendChatAction"}:
            self.sent.append(call)
        self._notify()
        if status == 200:
            return web.json_response({"ok": True, "result": result})
        body = {"ok": False, "error_code": status, "description": description}
        return web.json_response(body, status=200 if self.errors_in_body else status)

    async def _answer(self, token: str, method: str, params: JSONDict) -> tuple[int, Any, str]:
        if token != self.token:
            return 401, None, "Unauthorized"
        handler = getattr(self, f"_m_{method}", None)
        if handler is None:
            return 404, None, "Method not found"
        fault = next((f for f in self._faults if method in f.methods), None)
        if fault is not None and fault.after:
            for waiting in self._faults:
                if method in waiting.methods and waiting.after:
                    waiting.after -= 1
            fault = None
        if fault is not None:
            self._faults.remove(fault)
            if fault.stall:
                await asyncio.sleep(fault.stall)
            else:
                return fault.status, None, fault.description
        try:
            return 200, await handler(params), ""
        except _Refused as refused:
            return refused.status, None, refused.description

    # -- methods ---------------------------------------------------------------------------

    async def _m_getMe(self, params: JSONDict) -> JSONDict:
        bot_id = self.token.split(":", 1)[0]
        return {
            "id": bot_id,
            "account_name": self.bot_name,
            "account_type": "BASIC",
            "can_join_groups": False,
        }

    async def _m_getUpdates(self, params: JSONDict) -> JSONDict:
        if self.webhook is not None:
            raise _Refused(400, "Webhook is active: call deleteWebhook to use getUpdates")
        try:
            wait = min(float(params.get("timeout", 30)), self.max_poll_wait)
        except (TypeError, ValueError):
            raise _Refused(400, "timeout must be a number of seconds") from None
        self.active_polls += 1
        self._notify()
        try:
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(wait):
                    while not self._queue:
                        await self._changed.wait()
        finally:
            self.active_polls -= 1
        if not self._queue:
            raise _Refused(408, "Request timeout")
        return self._queue.popleft()

    async def _m_setWebhook(self, params: JSONDict) -> JSONDict:
        url, secret = params.get("url"), params.get("secret_token")
        parts = urlsplit(url) if isinstance(url, str) else None
        local = parts is not None and parts.hostname in ("127.0.0.1", "localhost")
        if parts is None or not (parts.scheme == "https" or (parts.scheme == "http" and local)):
            raise _Refused(400, "url must be an HTTPS URL")
        if not isinstance(secret, str) or not 8 <= len(secret) <= 256:
            raise _Refused(400, "secret_token must be 8 to 256 characters")
        self.webhook = (url, secret)
        self._start_delivering()
        return {"url": url, "updated_at": int(time.time() * 1000)}

    async def _m_deleteWebhook(self, params: JSONDict) -> JSONDict:
        self.webhook = None
        return {"url": "", "updated_at": int(time.time() * 1000)}

    async def _m_getWebhookInfo(self, params: JSONDict) -> JSONDict:
        url = self.webhook[0] if self.webhook else ""
        return {"url": url, "updated_at": int(time.time() * 1000)}

    async def _m_sendMessage(self, params: JSONDict) -> JSONDict:
        _chat(params)
        _length(params.get("text"), "text", required=True)
        return _sent()

    async def _m_sendPhoto(self, params: JSONDict) -> JSONDict:
        _chat(params)
        photo = params.get("photo")
        if not isinstance(photo, str) or urlsplit(photo).scheme not in ("http", "https"):
            raise _Refused(400, "photo must be a public URL")
        _length(params.get("caption"), "caption", required=False)
        return _sent()

    async def _m_sendSticker(self, params: JSONDict) -> JSONDict:
        _chat(params)
        if not isinstance(params.get("sticker"), str) or not params["sticker"]:
            raise _Refused(400, "sticker is required")
        return _sent()

    async def _m_sendChatAction(self, params: JSONDict) -> None:
        _chat(params)
        if params.get("action") != "typing":
            raise _Refused(400, "action must be typing")


class _Refused(Exception):
    def __init__(self, status: int, description: str) -> None:
        super().__init__(description)
        self.status = status
        self.description = description


def _chat(params: JSONDict) -> None:
    if not isinstance(params.get("chat_id"), str) or not params["chat_id"]:
        raise _Refused(400, "chat_id is required")


def _length(value: object, name: str, *, required: bool) -> None:
    if value is None and not required:
        return
    units = len(value.encode("utf-16-le")) // 2 if isinstance(value, str) else 0
    if not 1 <= units <= 2000:
        raise _Refused(400, f"{name} must be 1 to 2000 characters")


def _sent() -> JSONDict:
    return {"message_id": secrets.token_hex(10), "date": int(time.time() * 1000)}


def norm(text: str) -> str:
    return " ".join(unicodedata.normalize("NFC", text).split())


class ZaloUser:
    """A Zalo user in the fake: acts, then checks the bot's next messages in order."""

    def __init__(self, server: FakeZaloServer, user_id: str, name: str) -> None:
        self.server = server
        self.id = user_id
        self.name = name
        self.seen = 0

    def says(self, text: str) -> JSONDict:
        return self.server.push(
            self.server.update("message.text.received", self.id, self.name, text=text)
        )

    def sends_photo(self, caption: str | None = None, content: bytes | None = None) -> JSONDict:
        url = self.server.add_photo(content) if content else self.server.add_photo()
        fields: JSONDict = {"photo": url} | ({"caption": caption} if caption else {})
        return self.server.push(
            self.server.update("message.image.received", self.id, self.name, **fields)
        )

    def sends_sticker(self) -> JSONDict:
        return self.server.push(
            self.server.update("message.sticker.received", self.id, self.name, sticker="abc123")
        )

    def is_protected_and_writes(self) -> JSONDict:
        """What Zalo sends instead of the content of a protected user (a child...)."""
        return self.server.push(
            self.server.update("message.unsupported.received", self.id, self.name)
        )

    def messages(self) -> list[str]:
        return self.server.messages_to(self.id)

    async def expect(self, *fragments: str, within: float = 10.0) -> list[str]:
        """The next ``len(fragments)`` messages to this user contain these texts, in order."""
        want = self.seen + len(fragments)
        try:
            await self.server.wait_for(lambda: len(self.messages()) >= want, within)
        except TimeoutError:
            got = self.messages()[self.seen :]
            raise AssertionError(f"expected {fragments!r}, got {got!r}") from None
        texts = self.messages()[self.seen : want]
        for fragment, text in zip(fragments, texts, strict=True):
            assert norm(fragment) in norm(text), (fragment, text)
        self.seen = want
        return texts
