"""The browser chat as a running channel: it mounts its routes on the one HTTP server and
then only waits, while its outbox sender marks replies delivered and wakes the open pages.

On by default when no messenger is configured ("auto": a fresh install can chat in the
terminal and in the browser at once), and then left out, with a word, if the port is
taken (a second ``ocop-bot`` in another terminal); ``OCOP_WEB_CHAT=on`` runs it beside
any messenger, and then a taken port stops the bot like any other.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from datetime import timedelta
from urllib.parse import urlsplit

from bot.app import App, StartupError
from bot.channels.web.channel import CHANNEL, DocumentShelf, WebChannel
from bot.channels.web.hub import Hub
from bot.channels.web.identity import SECRET_NAME, Tokens
from bot.channels.web.routes import WebChat
from bot.files.links import FileLinks, link_secret
from bot.files.serve import make_file_handler
from bot.files.signing import LinkSigner
from bot.http import HttpServer
from bot.i18n import Translator
from storage.app_secrets import shared_secret

PATH = "/chat"


class WebService:
    name = CHANNEL
    receives = "http"

    def __init__(self, app: App, *, optional: bool = False) -> None:
        self.app = app
        self.settings = app.settings
        # Optional: when the port is taken, the bot runs on without it (bot/runtime.py).
        self.optional = optional
        self.sender_address: str | None = None
        self.hub = Hub()
        self.channel = WebChannel(self.hub)
        public = self.settings.public_url
        # Behind a reverse proxy the public path is forwarded unchanged (as for bot/files/).
        self.root = (urlsplit(public).path.rstrip("/") if public else "") + PATH
        self.tr = Translator(self.settings.default_language)
        self._http: HttpServer | None = None

    @property
    def url(self) -> str:
        """Where a person opens the chat (the public address, else this server's own)."""
        if self.settings.public_url:
            return self.settings.public_url + PATH
        host = self.settings.webhook_host
        if host in ("", "0.0.0.0"):
            host = "127.0.0.1"
        elif host == "::":
            host = "::1"
        if ":" in host:
            host = f"[{host}]"
        port = self._http.port if self._http is not None else self.settings.webhook_port
        return f"http://{host}:{port}{self.root}"

    async def start(self, http: HttpServer) -> None:
        """Read the secrets every worker shares, then mount the routes."""
        try:
            async with self.app.session_factory() as session, session.begin():
                tokens = Tokens(await shared_secret(session, SECRET_NAME))
                files = await link_secret(session, self.settings.link_secret)
        except Exception as exc:
            raise StartupError(f"Cannot use the database OCOP_DATABASE_URL: {exc}") from exc
        links = FileLinks(
            self.app.session_factory,
            LinkSigner(files),
            public_url=self.root,  # same origin: relative links, /chat/files/<token>
            ttl=timedelta(hours=self.settings.link_ttl_hours),
        )
        self.channel.shelf = DocumentShelf(self.app.session_factory, links)
        chat = WebChat(
            pipeline=self.app.pipeline,
            session_factory=self.app.session_factory,
            hub=self.hub,
            tokens=tokens,
            root=self.root,
            default_language=self.settings.default_language,
            public_url=self.settings.public_url,
        )
        try:
            chat.mount(http, owner=self.name)
            http.add_get(links.route, make_file_handler(links), owner=self.name)
        except ValueError as exc:
            raise StartupError(f"The browser chat cannot be served: {exc}.") from exc
        self._http = http

    def describe(self) -> str:
        """The line the README's first command prints beside the console."""
        return self.tr.t("Chat in the browser: {url}", url=self.url)

    def left_out(self, reason: Exception) -> str:
        """Said instead when the port was taken (``optional``)."""
        return self.tr.t("The browser chat is not open: {reason}", reason=str(reason))

    async def serve(self, stop: asyncio.Event, deliver_now: Callable[[], Awaitable[None]]) -> None:
        """Pages come to the routes; here only wait, then end every open stream."""
        await stop.wait()
        self.hub.close()

    async def after_delivery(self) -> None:
        """After each round of this channel's outbox sender: wake the pages concerned."""
        await self.hub.after_round()

    async def close(self) -> None:
        self.hub.close()
