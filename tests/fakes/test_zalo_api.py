"""The fake Zalo Bot API behaves as the tests of the Zalo channel assume: checked with plain
HTTP requests (not the bot's client), each test bounded in time, on 127.0.0.1 only."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest
from aiohttp import web

from tests.bot.channels.test_telegram_helpers import bounded
from tests.fakes.zalo_api import TOKEN, FakeZaloServer


@pytest.fixture
async def zalo() -> AsyncIterator[FakeZaloServer]:
    async with FakeZaloServer(max_poll_wait=0.3) as fake:
        yield fake


async def call(
    fake: FakeZaloServer, method: str, params: dict[str, Any] | None = None, token: str = TOKEN
) -> tuple[int, dict[str, Any]]:
    async with (
        aiohttp.ClientSession() as session,
        session.post(f"{fake.base_url}/bot{token}/{method}", json=params or {}) as answer,
    ):
        return answer.status, await answer.json()


@bounded(10)
async def test_the_token_is_checked(zalo: FakeZaloServer) -> None:
    assert await call(zalo, "getMe", token="3001234567:wrong") == (
        401,
        {"ok": False, "error_code": 401, "description": "Unauthorized"},
    )
    status, body = await call(zalo, "getMe")
    assert status == 200 and body["result"]["account_name"] == "Bot OCOP Thử nghiệm"


@bounded(10)
async def test_get_updates_gives_one_update_per_call_then_408(zalo: FakeZaloServer) -> None:
    lan = zalo.user("a1b2c3", "Lan")
    first, second = lan.says("xin chào"), lan.says("/start")
    assert (await call(zalo, "getUpdates", {"timeout": "30"}))[1]["result"] == first
    assert (await call(zalo, "getUpdates", {"timeout": 30}))[1]["result"] == second
    started = time.monotonic()
    status, body = await call(zalo, "getUpdates", {"timeout": "30"})
    assert (status, body["error_code"]) == (408, 408)
    assert 0.25 <= time.monotonic() - started < 2  # waited for the (capped) poll time-out


@bounded(10)
async def test_a_long_poll_returns_as_soon_as_a_user_writes(zalo: FakeZaloServer) -> None:
    zalo.max_poll_wait = 5
    poll = asyncio.create_task(call(zalo, "getUpdates", {"timeout": "30"}))
    await zalo.wait_for(lambda: zalo.active_polls, description="the poll")
    update = zalo.user("a1", "An").says("1")
    assert (await poll)[1]["result"] == update


@bounded(10)
async def test_texts_are_1_to_2000_characters(zalo: FakeZaloServer) -> None:
    assert (await call(zalo, "sendMessage", {"chat_id": "a1", "text": "x" * 2000}))[0] == 200
    status, body = await call(zalo, "sendMessage", {"chat_id": "a1", "text": "x" * 2001})
    assert status == 400 and "2000" in body["description"]
    assert (await call(zalo, "sendMessage", {"chat_id": "a1", "text": ""}))[0] == 400
    # counted as a JavaScript service counts: an emoji is two units
    assert (await call(zalo, "sendMessage", {"chat_id": "a1", "text": "🌾" * 1001}))[0] == 400
    assert (await call(zalo, "sendMessage", {"chat_id": "a1"}))[0] == 400
    assert [c.status for c in zalo.calls] == [200, 400, 400, 400, 400]
    assert len(zalo.sent) == 1


@bounded(10)
async def test_429_on_the_next_n_sends_only(zalo: FakeZaloServer) -> None:
    zalo.fail_next(2)
    params = {"chat_id": "a1", "text": "chào"}
    assert (await call(zalo, "getMe"))[0] == 200  # not a send: untouched
    assert (await call(zalo, "sendMessage", params))[1]["description"] == "Quota exceeded"
    assert (await call(zalo, "sendMessage", params))[0] == 429
    assert (await call(zalo, "sendMessage", params))[0] == 200
    assert zalo.messages_to("a1") == ["chào"]


@bounded(10)
async def test_errors_may_come_in_a_200_answer(zalo: FakeZaloServer) -> None:
    zalo.errors_in_body = True
    zalo.fail_next(1, status=500, description="Internal error")
    status, body = await call(zalo, "sendMessage", {"chat_id": "a1", "text": "x"})
    assert (status, body["ok"], body["error_code"]) == (200, False, 500)


@bounded(10)
async def test_photos_are_hosted_and_sent_by_url(zalo: FakeZaloServer) -> None:
    update = zalo.user("a1", "An").sends_photo("Ảnh sản phẩm", content=b"jpeg bytes")
    url = update["message"]["photo"]
    assert url.startswith(zalo.base_url)
    async with aiohttp.ClientSession() as session, session.get(url) as answer:
        assert await answer.read() == b"jpeg bytes"
    assert (await call(zalo, "sendPhoto", {"chat_id": "a1", "photo": "not a url"}))[0] == 400
    status, _ = await call(zalo, "sendPhoto", {"chat_id": "a1", "photo": url, "caption": "OK"})
    assert status == 200 and zalo.sent[-1].text == "OK"


@pytest.mark.parametrize("shape", ["wrapped", "bare"])
@bounded(10)
async def test_webhook_delivery_in_both_shapes_with_the_secret(
    zalo: FakeZaloServer, shape: str
) -> None:
    received: list[tuple[str | None, Any]] = []

    async def receive(request: web.Request) -> web.Response:
        received.append((request.headers.get("X-Bot-Api-Secret-Token"), await request.json()))
        return web.json_response({"ok": True})

    app = web.Application()
    app.router.add_post("/zalo/webhook", receive)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    try:
        zalo.webhook_shape = shape  # type: ignore[assignment]
        url = f"http://127.0.0.1:{port}/zalo/webhook"
        assert (await call(zalo, "setWebhook", {"url": url, "secret_token": "short"}))[0] == 400
        assert (
            await call(zalo, "setWebhook", {"url": "http://example.com/x", "secret_token": "s" * 8})
        )[0] == 400
        assert (await call(zalo, "setWebhook", {"url": url, "secret_token": "s3cret-token"}))[
            0
        ] == 200
        assert (await call(zalo, "getUpdates", {"timeout": "1"}))[0] == 400  # webhook is set
        update = zalo.user("a1", "An").says("chào")
        await zalo.wait_for(lambda: received, description="the delivery")
        assert await zalo.deliver(update, secret=None) == 200  # the header can be left out
    finally:
        await runner.cleanup()
    body = update if shape == "bare" else {"ok": True, "result": update}
    assert received == [("s3cret-token", body), (None, body)]
    assert zalo.deliveries == [(update, 200), (update, 200)]
    assert (await call(zalo, "getWebhookInfo"))[1]["result"]["url"] == url
    await call(zalo, "deleteWebhook")
    assert (await call(zalo, "getWebhookInfo"))[1]["result"]["url"] == ""


@bounded(10)
async def test_a_stalled_call_answers_late(zalo: FakeZaloServer) -> None:
    zalo.stall_next(1, seconds=0.3)
    started = time.monotonic()
    assert (await call(zalo, "sendChatAction", {"chat_id": "a1", "action": "typing"}))[0] == 200
    assert time.monotonic() - started >= 0.3
    assert zalo.sent == []  # a chat action is not a message


@bounded(10)
async def test_a_scripted_user_checks_the_next_messages_in_order(zalo: FakeZaloServer) -> None:
    hoa = zalo.user("h0a", "Hoa")
    await call(zalo, "sendMessage", {"chat_id": "h0a", "text": "Xin chào  Hoa!"})
    await call(zalo, "sendMessage", {"chat_id": "h0a", "text": "Vui lòng chọn"})
    assert await hoa.expect("Xin chào Hoa", "chọn") == ["Xin chào  Hoa!", "Vui lòng chọn"]
    with pytest.raises(AssertionError, match="expected"):
        await hoa.expect("more", within=0.2)
