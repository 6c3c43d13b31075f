"""Fixtures of the fault tests: the fake Bot API and a bot in webhook mode on loopback."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from bot.app import App
from tests.bot.channels.test_telegram_helpers import TOKEN, free_port, make_app
from tests.conftest import _empty_postgres
from tests.fakes.telegram_api import FakeTelegramServer

SECRET = "fault-test-secret"


@pytest.fixture
async def server() -> AsyncIterator[FakeTelegramServer]:
    async with FakeTelegramServer(token=TOKEN) as fake:
        yield fake


@pytest.fixture
async def webhook_app(database_url: str, server: FakeTelegramServer) -> AsyncIterator[App]:
    port = free_port()
    app = await make_app(
        database_url,
        server,
        telegram_mode="webhook",
        webhook_url=f"http://127.0.0.1:{port}/telegram/hook",
        webhook_secret=SECRET,
        webhook_host="127.0.0.1",
        webhook_port=port,
    )
    yield app
    await app.close()


@pytest.fixture
async def postgres_url(postgres_ready: str) -> str:
    """The test PostgreSQL database, emptied (for tests about PostgreSQL itself)."""
    await _empty_postgres(postgres_ready)
    return postgres_ready
