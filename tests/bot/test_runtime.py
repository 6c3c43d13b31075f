"""Several channels in one process: the console and Telegram (the fake Bot API over HTTP,
the real aiogram client) run together, each user is answered on their own channel, and
start-up says once per channel how it receives."""

from __future__ import annotations

import asyncio
import io
import os
from collections.abc import AsyncIterator

import pytest

from bot.app import App, StartupError
from bot.runtime import configured_services, run_services
from tests.bot.channels.test_telegram_helpers import (
    TOKEN,
    ScriptedUser,
    bounded,
    make_app,
    settled,
)
from tests.conftest import make_settings
from tests.fakes.telegram_api import FakeTelegramServer


@pytest.fixture
async def server() -> AsyncIterator[FakeTelegramServer]:
    async with FakeTelegramServer(token=TOKEN) as fake:
        yield fake


@pytest.fixture
async def app(database_url: str, server: FakeTelegramServer) -> AsyncIterator[App]:
    app = await make_app(database_url, server)
    yield app
    await app.close()


async def _wait_for_text(buffer: io.StringIO, fragment: str, within: float = 10.0) -> None:
    deadline = asyncio.get_running_loop().time() + within
    while fragment not in buffer.getvalue():
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError(f"console never showed {fragment!r}:\n{buffer.getvalue()}")
        await asyncio.sleep(0.05)


@bounded(60)
async def test_console_and_telegram_answer_each_on_their_own_channel(
    app: App, server: FakeTelegramServer, capsys: pytest.CaptureFixture[str]
) -> None:
    read_end, write_end = os.pipe()
    stdin = os.fdopen(read_end, "r", encoding="utf-8")
    keyboard = os.fdopen(write_end, "w", encoding="utf-8")
    screen = io.StringIO()
    services = configured_services(
        app, console=True, console_user="lan", stdin=stdin, stdout=screen
    )
    assert [service.name for service in services] == ["telegram", "console"]

    stop = asyncio.Event()
    runtime = asyncio.create_task(run_services(app, services, stop=stop))
    await server.wait_for(lambda: server.active_polls or runtime.done(), 10, description="polling")

    # Lan types in the terminal while Hoa writes on Telegram, at the same time.
    await _wait_for_text(screen, "Chào mừng")  # the console greets its user on opening
    hoa = ScriptedUser(server, 5001)
    hoa.command("start")
    keyboard.write("/help\n")
    keyboard.flush()
    await hoa.expect(
        "Chào mừng anh/chị đến với trợ lý báo cáo OCOP", "Anh/chị vui lòng chọn ngôn ngữ"
    )
    await _wait_for_text(screen, "/help")
    await settled(app, server)

    # Nothing of Lan's went to Telegram, nothing of Hoa's came to the terminal.
    chats = {call.params.get("chat_id") for call in server.calls("sendMessage")}
    assert chats == {5001}
    assert len(hoa.messages()) == hoa.seen

    # End of the console's input ends it; the runtime then stops Telegram cleanly too.
    keyboard.close()
    assert await asyncio.wait_for(runtime, 20) is False
    assert not server.active_polls

    announced = capsys.readouterr().out.splitlines()
    assert announced == [
        "Telegram bot @ocop_test_bot is running (long polling).",
        "Console chat is running in this terminal (user lan).",
        "Stop it with Ctrl-C.",
    ]


async def test_console_is_the_default_only_without_a_messenger(
    sqlite_url: str, server: FakeTelegramServer
) -> None:
    bare = App(make_settings(sqlite_url))
    # No messenger: the console chat, and the browser chat beside it (OCOP_WEB_CHAT=auto).
    assert [service.name for service in configured_services(bare)] == ["console", "web"]
    telegram_only = App(
        make_settings(sqlite_url, telegram_token=TOKEN, telegram_api_base=server.base_url)
    )
    assert [service.name for service in configured_services(telegram_only)] == ["telegram"]
    several_workers = App(
        make_settings(
            "postgresql+asyncpg://postgres@127.0.0.1:5432/never_opened",
            telegram_token=TOKEN,
            telegram_api_base=server.base_url,
            telegram_mode="webhook",
            webhook_url="https://bot.example.vn/tg",
            webhook_secret="s3cret-s3cret",
            webhook_workers=2,
        )
    )
    with pytest.raises(StartupError, match="console"):
        configured_services(several_workers, console=True)
