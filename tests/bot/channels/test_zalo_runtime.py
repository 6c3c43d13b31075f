"""Zalo and Telegram in one process: ``bot.runtime`` starts both from the settings (the fake
Zalo Bot API and the fake Telegram Bot API, both on 127.0.0.1), each user is answered on
their own channel, and start-up says once per channel how it receives."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest
from sqlalchemy import select

from bot.app import App
from bot.runtime import configured_services, run_services
from storage.models import Identity
from tests.bot.channels.test_telegram_helpers import TOKEN as TELEGRAM_TOKEN
from tests.bot.channels.test_telegram_helpers import ScriptedUser, bounded, wait_until
from tests.bot.channels.test_zalo_helpers import make_app, pending_rows
from tests.fakes.telegram_api import FakeTelegramServer
from tests.fakes.zalo_api import FakeZaloServer


@pytest.fixture
async def zalo() -> AsyncIterator[FakeZaloServer]:
    async with FakeZaloServer() as fake:
        yield fake


@pytest.fixture
async def telegram() -> AsyncIterator[FakeTelegramServer]:
    async with FakeTelegramServer(token=TELEGRAM_TOKEN) as fake:
        yield fake


@pytest.fixture
async def app(
    database_url: str, zalo: FakeZaloServer, telegram: FakeTelegramServer
) -> AsyncIterator[App]:
    app = await make_app(
        database_url,
        zalo,
        telegram_token=TELEGRAM_TOKEN,
        telegram_api_base=telegram.base_url,
        telegram_timeout=5.0,
        telegram_poll_timeout=1,
        telegram_rate_per_chat=20.0,
    )
    yield app
    await app.close()


@bounded(60)
async def test_zalo_and_telegram_answer_each_on_their_own_channel(
    app: App,
    zalo: FakeZaloServer,
    telegram: FakeTelegramServer,
    capsys: pytest.CaptureFixture[str],
) -> None:
    services = configured_services(app)
    assert [service.name for service in services] == ["telegram", "zalo"]
    stop = asyncio.Event()
    runtime = asyncio.create_task(run_services(app, services, stop=stop))
    try:
        await telegram.wait_for(lambda: telegram.active_polls or runtime.done(), 10)
        await zalo.wait_for(lambda: zalo.active_polls or runtime.done(), 10)
        # Hoa writes on Telegram while Lan writes on Zalo, at the same time.
        hoa = ScriptedUser(telegram, 5001)
        lan = zalo.user("1a2b3c", "Lan")
        hoa.command("start")
        lan.says("/start")
        await hoa.expect(
            "Chào mừng anh/chị đến với trợ lý báo cáo OCOP", "Anh/chị vui lòng chọn ngôn ngữ"
        )
        await lan.expect("Chào mừng anh/chị đến với trợ lý báo cáo OCOP", "1. Tiếng Việt")
        lan.says("2")  # Lan types the number of the choice; Hoa presses the button
        hoa.presses("vi")
        await lan.expect("In which role are you joining?")
        await hoa.expect("Anh/chị tham gia với vai trò nào?")

        async def quiet() -> bool:
            return await pending_rows(app) == 0

        await wait_until(quiet, 10, "outbox empty")
    finally:
        stop.set()
        await asyncio.wait_for(runtime, 20)

    # Nothing of Lan's went to Telegram, nothing of Hoa's to Zalo.
    assert {call.params.get("chat_id") for call in telegram.calls("sendMessage")} == {5001}
    assert {call.chat_id for call in zalo.sent} == {"1a2b3c"}
    assert len(hoa.messages()) == hoa.seen and len(lan.messages()) == lan.seen
    async with app.session_factory() as session:
        rows = await session.execute(select(Identity.channel, Identity.external_id))
        identities = {(channel, external_id) for channel, external_id in rows.all()}
    assert identities == {("telegram", "5001"), ("zalo", "1a2b3c")}
    out = capsys.readouterr().out
    assert "Telegram bot @ocop_test_bot is running (long polling)." in out
    assert "Zalo bot Bot OCOP Thử nghiệm is running (long polling)." in out
