"""Telegram alone in the runtime: for tests and tools that run one channel."""

from __future__ import annotations

import asyncio

from bot.app import App
from bot.channels.telegram.service import TelegramService
from bot.runtime import run_services


async def run_telegram(app: App, *, stop: asyncio.Event | None = None, worker: int = 0) -> None:
    """Run Telegram until ``stop`` is set, or until SIGINT/SIGTERM when no event is given."""
    await run_services(app, [TelegramService(app, worker=worker)], stop=stop)
