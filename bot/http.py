"""The bot's one HTTP server: every channel's webhook and the download links
(bot/files/; later the web pages) on ``OCOP_WEBHOOK_HOST:OCOP_WEBHOOK_PORT``.

Channels mount their routes while they start; the server listens only if one did, so a
console-only bot opens no port. One aiohttp application, so one port to open in the
firewall and one place for request limits and for the security headers every response
carries (:func:`security_headers`): pages may run only scripts and styles served from this
server (no inline script, nothing from a CDN), are never framed by another site, and leak
no address (a download token) to another site through the Referer.
"""

from __future__ import annotations

import logging

from aiohttp import web

log = logging.getLogger(__name__)

MAX_BODY = 1024 * 1024  # webhook updates are small; a larger body is not from a messenger

#: Headers every response gets unless its handler set its own. ``default-src 'self'`` forbids
#: inline scripts and styles as well as anything from another origin.
SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'none'; "
        "form-action 'self'; frame-ancestors 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
    "Cross-Origin-Opener-Policy": "same-origin",
}


async def security_headers(request: web.BaseRequest, response: web.StreamResponse) -> None:
    """``on_response_prepare``: runs for every response, a streamed one (server-sent events,
    downloads) included, which a middleware would see only after its headers are sent."""
    for name, value in SECURITY_HEADERS.items():
        response.headers.setdefault(name, value)


class HttpServer:
    """Collects routes, then serves them on ``host:port`` until stopped."""

    def __init__(self, *, host: str, port: int, reuse_port: bool = False) -> None:
        self.app = web.Application(client_max_size=MAX_BODY)
        self.app.on_response_prepare.append(security_headers)
        self.host = host
        self.port = port
        # Several worker processes listening on one port (bot/workers.py).
        self.reuse_port = reuse_port
        self._runner: web.AppRunner | None = None
        self._paths: set[str] = set()
        # Who mounted routes (a channel's name or the setting that asked for them).
        self.owners: set[str] = set()

    @property
    def has_routes(self) -> bool:
        return bool(self._paths)

    @property
    def listening(self) -> bool:
        return self._runner is not None

    def add_post(self, path: str, handler: web.Handler, *, owner: str) -> None:
        """Mount ``handler`` on ``path``; two channels may not share a path."""
        if path in self._paths:
            raise ValueError(f"{owner}: the path {path} is already served by another channel")
        self._paths.add(path)
        self.owners.add(owner)
        self.app.router.add_post(path, handler)

    def add_get(self, path: str, handler: web.Handler, *, owner: str) -> None:
        """Mount a GET (and HEAD) ``handler`` on ``path`` (a pattern such as
        ``/files/{token}``); two owners may not share a path."""
        if path in self._paths:
            raise ValueError(f"{owner}: the path {path} is already served")
        self._paths.add(path)
        self.owners.add(owner)
        self.app.router.add_get(path, handler)

    async def start(self) -> int:
        """Listen; returns the bound port (useful when ``port`` is 0). Raises OSError."""
        self._runner = web.AppRunner(self.app, access_log=None, shutdown_timeout=5.0)
        await self._runner.setup()
        site = web.TCPSite(self._runner, self.host, self.port, reuse_port=self.reuse_port or None)
        try:
            await site.start()
        except OSError:
            await self._runner.cleanup()
            self._runner = None
            raise
        self.port = int(self._runner.addresses[0][1])
        return self.port

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None
