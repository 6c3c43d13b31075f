"""``GET /healthz`` for a load balancer or a service manager: 200 when the database answers
and every channel of this process is running, 503 otherwise, with JSON saying which.

Nothing personal and no configuration is in the answer: channel names and two words.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable

from aiohttp import web
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.web.pages import secure

log = logging.getLogger(__name__)

DATABASE_TIMEOUT = 5.0  # seconds: a database that takes longer counts as unreachable


class Health:
    def __init__(self, session_factory: async_sessionmaker[AsyncSession]) -> None:
        self.session_factory = session_factory
        # name → "is it running?" (the runtime adds each channel's receiving task).
        self.channels: dict[str, Callable[[], bool]] = {}

    def track(self, name: str, task: asyncio.Task[None]) -> None:
        self.channels[name] = lambda: not task.done()

    async def database(self) -> bool:
        try:
            async with asyncio.timeout(DATABASE_TIMEOUT), self.session_factory() as session:
                await session.execute(text("SELECT 1"))
        except Exception as exc:  # any failure means "not reachable" to a load balancer
            log.warning("health check: the database did not answer (%s)", type(exc).__name__)
            return False
        return True

    async def handle(self, _request: web.Request) -> web.StreamResponse:
        database = await self.database()
        channels = {name: running() for name, running in sorted(self.channels.items())}
        healthy = database and bool(channels) and all(channels.values())
        body = {
            "status": "ok" if healthy else "unavailable",
            "database": "ok" if database else "unreachable",
            "channels": {name: "running" if up else "stopped" for name, up in channels.items()},
        }
        return secure(web.json_response(body, status=200 if healthy else 503))
