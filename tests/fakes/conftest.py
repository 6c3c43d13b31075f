"""A fake Bot API server and a real aiogram ``Bot`` pointed at it, fresh for each test."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from aiogram import Bot

from tests.fakes.aiogram_client import TOKEN, make_bot
from tests.fakes.telegram_api import FakeTelegramServer


@pytest.fixture
async def server() -> AsyncIterator[FakeTelegramServer]:
    async with FakeTelegramServer(token=TOKEN) as fake:
        yield fake


@pytest.fixture
async def bot(server: FakeTelegramServer) -> AsyncIterator[Bot]:
    tg = make_bot(server)
    try:
        yield tg
    finally:
        await tg.session.close()
