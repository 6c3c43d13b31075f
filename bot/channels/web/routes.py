"""The browser chat's HTTP side: the page, its event stream, the send endpoint, its files.

``GET  <root>``               the page; a new browser gets its id cookie here
``GET  <root>/events``        server-sent events: the recent conversation, then each new
                              reply as it is delivered (an event's id is the outbox row's id,
                              so a reconnecting page gets what it missed, from storage)
``POST <root>/send``          JSON ``{"id", "text"}``, ``{"id", "button"}`` or
                              ``{"id", "session": true}``; refused (403) without the cookie
                              and its anti-forgery token in ``X-CSRF-Token``
``GET  <root>/static/<name>`` the script and the style sheet, from this package

What is sent becomes an :class:`~bot.messages.Inbound` and takes the one pipeline like any
messenger's update (cleaned there, under the same flood guard); the client's message id
makes a retried POST a repeat that the pipeline drops.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from aiohttp import web
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.channels.web import history
from bot.channels.web.channel import CHANNEL
from bot.channels.web.hub import Hub, TooManyStreams
from bot.channels.web.identity import HEADER, Tokens, browser_id, keep_id, new_id
from bot.channels.web.page import render_page
from bot.flood import FloodGuard, Verdict
from bot.http import HttpServer
from bot.i18n import N_, Translator
from bot.messages import Inbound, InboundKind
from bot.pipeline import Pipeline, StorageUnavailable
from storage.users import Users

log = logging.getLogger(__name__)

KEEP_ALIVE = 15.0  # seconds between comments on an idle stream (and reads of the outbox)
RECONNECT_MS = 3000  # how soon a browser reconnects a broken stream
MAX_BODY = 64 * 1024
MAX_PAYLOAD = 256
_CLIENT_ID = re.compile(r"[A-Za-z0-9_-]{8,64}")
STATIC_DIR = Path(__file__).resolve().parent / "static"
STATIC_TYPES = {"chat.js": "text/javascript", "chat.css": "text/css"}

EXPIRED = N_("This page has expired. Please reload it.")
MALFORMED = N_("Your message could not be read. Please reload the page.")
TOO_FAST = N_("Too many messages at once. Please wait a moment, then send again.")
UNAVAILABLE = N_(
    "The database is not reachable right now. Please send your message again in a moment."
)


class WebChat:
    """The routes of one running browser chat."""

    def __init__(
        self,
        *,
        pipeline: Pipeline,
        session_factory: async_sessionmaker[AsyncSession],
        hub: Hub,
        tokens: Tokens,
        root: str,
        default_language: str,
        public_url: str | None = None,
    ) -> None:
        self.pipeline = pipeline
        self.session_factory = session_factory
        self.hub = hub
        self.tokens = tokens
        self.root = root
        self.default_language = default_language
        # Behind HTTPS the cookie is Secure; behind a reverse proxy that does not forward the
        # Host header, the public address is the page's origin.
        self.https = (public_url or "").startswith("https://")
        self.origins = {urlsplit(public_url).netloc} if public_url else set()
        # Cookies are free to make: a bound per address on top of each person's own.
        self.per_address = FloodGuard(per_minute=600, burst=200)
        self.static = {name: (STATIC_DIR / name).read_bytes() for name in STATIC_TYPES}

    def mount(self, http: HttpServer, *, owner: str) -> None:
        http.add_get(self.root, self.page, owner=owner)
        http.add_get(self.root + "/events", self.events, owner=owner)
        http.add_post(self.root + "/send", self.send, owner=owner)
        http.add_get(self.root + "/static/{name}", self.static_file, owner=owner)

    # -- the page -------------------------------------------------------------------------

    async def page(self, request: web.Request) -> web.Response:
        browser = browser_id(request)
        fresh = browser is None
        browser = browser or new_id()
        tr = await self._translator(None if fresh else browser)
        response = web.Response(
            text=render_page(tr, token=self.tokens.token(browser), root=self.root),
            content_type="text/html",
            charset="utf-8",
            headers={"Cache-Control": "no-store"},
        )
        if fresh:
            keep_id(response, browser, path=self.root, secure=self.https or request.secure)
        return response

    async def static_file(self, request: web.Request) -> web.Response:
        name = request.match_info["name"]
        if name not in self.static:
            raise web.HTTPNotFound()
        return web.Response(
            body=self.static[name],
            content_type=STATIC_TYPES[name],
            charset="utf-8",
            headers={"Cache-Control": "no-cache"},
        )

    # -- the event stream -----------------------------------------------------------------

    async def events(self, request: web.Request) -> web.StreamResponse:
        browser = browser_id(request)
        if browser is None:
            raise web.HTTPForbidden(text="no chat cookie: open the chat page first")
        last = _last_event(request)
        try:
            with self.hub.watching(browser) as watch:
                response = web.StreamResponse(
                    headers={
                        "Content-Type": "text/event-stream; charset=utf-8",
                        "Cache-Control": "no-store",
                        "X-Accel-Buffering": "no",  # a reverse proxy must not hold events back
                    }
                )
                await response.prepare(request)
                await response.write(f"retry: {RECONNECT_MS}\n\n".encode())
                try:
                    await self._stream(response, browser, last, watch.wait)
                except ConnectionError:
                    pass  # the page was closed
                return response
        except TooManyStreams:
            raise web.HTTPTooManyRequests(text="too many open chat pages") from None

    async def _stream(
        self,
        response: web.StreamResponse,
        browser: str,
        last: int | None,
        wait: Callable[[float], Awaitable[None]],
    ) -> None:
        """The conversation so far (or since ``last``), ``ready``, then what is delivered."""
        ready, resumed = False, last is not None
        while not self.hub.closed:
            try:
                if not ready:
                    shown = await self._opening(browser, last)
                else:
                    shown = await self._since(browser, last or 0)
            except Exception as exc:  # the database may be restarting: try again later
                log.warning("browser chat could not read the outbox: %s", type(exc).__name__)
                shown = None
            if shown:
                await response.write("".join(_event(item) for item in shown).encode())
                last = shown[-1].id
            if shown is not None and not ready:
                ready = True
                data = json.dumps({"count": len(shown), "resumed": resumed})
                await response.write(f"event: ready\ndata: {data}\n\n".encode())
            elif not shown:
                await response.write(b": keep-alive\n\n")
            await wait(KEEP_ALIVE)

    async def _opening(self, browser: str, last: int | None) -> list[history.Shown]:
        if last is None:
            return await history.recent(self.session_factory, browser)
        return await self._since(browser, last)

    async def _since(self, browser: str, last: int) -> list[history.Shown]:
        shown: list[history.Shown] = []
        while True:
            batch = await history.after(self.session_factory, browser, last)
            shown.extend(batch)
            if len(batch) < history.BATCH:
                return shown
            last = batch[-1].id

    # -- what the person sends ------------------------------------------------------------

    async def send(self, request: web.Request) -> web.Response:
        browser = browser_id(request)
        if browser is None or not self.tokens.check(browser, request.headers.get(HEADER)):
            return await self._refuse(403, EXPIRED, browser)
        if not _same_origin(request, self.origins):
            return await self._refuse(403, EXPIRED, browser)
        if request.content_type != "application/json":
            return await self._refuse(415, MALFORMED, browser)
        body = await request.content.read(MAX_BODY + 1)
        if len(body) > MAX_BODY:
            return await self._refuse(413, MALFORMED, browser)
        if self.per_address.check(request.remote or "?") is not Verdict.HANDLE:
            return await self._refuse(429, TOO_FAST, browser)
        try:
            data = json.loads(body)
        except ValueError:
            data = None
        inbound = _inbound(browser, data)
        if inbound is None:
            return await self._refuse(400, MALFORMED, browser)
        if inbound.kind is InboundKind.SESSION and (
            self.pipeline.flood.check((CHANNEL, browser)) is not Verdict.HANDLE
        ):
            # The pipeline lets a messenger's "chat opened" through; a page can send it at
            # will, so it counts here like any message.
            return await self._refuse(429, TOO_FAST, browser)
        try:
            await self.pipeline.process(inbound)
        except StorageUnavailable:
            tr = Translator(self.default_language)
            return web.json_response({"error": tr.t(UNAVAILABLE)}, status=503)
        return web.json_response({"ok": True})

    async def _refuse(self, status: int, reason: str, browser: str | None) -> web.Response:
        tr = await self._translator(browser)
        return web.json_response({"error": tr.t(reason)}, status=status)

    async def _translator(self, browser: str | None) -> Translator:
        """The person's language once they chose one; the default before (or if the
        database cannot say)."""
        language = self.default_language
        if browser is not None:
            try:
                async with self.session_factory() as session:
                    found = await Users(session).by_identity(CHANNEL, browser)
                if found is not None:
                    language = found[0].language
            except Exception as exc:
                log.debug("language of a browser unknown (%s)", type(exc).__name__)
        return Translator(language)


def _inbound(browser: str, data: object) -> Inbound | None:
    """The message a POST body describes, or None when it is not one."""
    if not isinstance(data, dict):
        return None
    client = data.get("id")
    if not isinstance(client, str) or not _CLIENT_ID.fullmatch(client):
        return None
    base: dict[str, Any] = {"channel": CHANNEL, "user_id": browser}
    message_id = f"{browser}:{client}"
    if data.get("session") is True:  # a page opened on an empty conversation: greet
        return Inbound(**base, message_id=message_id, kind=InboundKind.SESSION)
    button, text = data.get("button"), data.get("text")
    if isinstance(button, str) and 0 < len(button) <= MAX_PAYLOAD:
        return Inbound(**base, message_id=message_id, kind=InboundKind.BUTTON, payload=button)
    if isinstance(text, str):
        return Inbound(**base, message_id=message_id, kind=InboundKind.TEXT, text=text)
    return None


def _last_event(request: web.Request) -> int | None:
    """The id of the last message the page showed (a reconnecting EventSource says it)."""
    value = request.headers.get("Last-Event-ID") or request.query.get("after") or ""
    return int(value) if value.isdigit() and len(value) < 20 else None


def _event(shown: history.Shown) -> str:
    data = json.dumps(shown.as_json(), ensure_ascii=False, separators=(",", ":"))
    return f"id: {shown.id}\nevent: message\ndata: {data}\n\n"


def _same_origin(request: web.Request, public: set[str]) -> bool:
    """A browser names the page a POST comes from; it must be this server's."""
    origin = request.headers.get("Origin")
    if origin is None:
        return True  # not a browser's cross-site request (those always say where from)
    return urlsplit(origin).netloc in {request.host, *public}
