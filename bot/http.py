"""The bot's one HTTP server: every channel's webhook and the download links
(bot/files/; later the web pages) on ``OCOP_WEBHOOK_HOST:OCOP_WEBHOOK_PORT``.

Channels mount their routes while they start; the server listens only if one did, so a
console-only bot opens no port. One aiohttp application, so one port to open in the
firewall and one place for request limits.
"""

from __future__ import annotations

import logging

from aiohttp import web

log = logging.getLogger(__name__)

MAX_BODY = 1024 * 1024  # webhook updates are small; a larger body is not from a messenger


class HttpServer:
    """Collects routes, then serves them on ``host:port`` until stopped."""

    def __init__(self, *, host: str, port: int, reuse_port: bool = False) -> None:
        self.app = web.Application(client_max_size=MAX_BODY)
        self.host = host
        self.port = port
        # Several worker processes listening on one port (bot/workers.py).
        self.reuse_port = reuse_port
        self._runner: web.AppRunner | None = None
        self._paths: set[str] = set()

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
        self.app.router.add_post(path, handler)

    def add_get(self, path: str, handler: web.Handler, *, owner: str) -> None:
        """Mount a GET (and HEAD) ``handler`` on ``path`` (a pattern such as
        ``/files/{token}``); two owners may not share a path."""
        if path in self._paths:
            raise ValueError(f"{owner}: the path {path} is already served")
        self._paths.add(path)
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
