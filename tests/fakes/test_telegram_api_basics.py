"""The fake's HTTP layer and queries: tokens, method names, JSON bodies, waiting.

Every test drives the fake through the real aiogram client (or raw HTTP where aiogram hides
a wire detail); see :mod:`tests.fakes.aiogram_client` for why.
"""

from __future__ import annotations

import json
import time

import pytest
from aiogram import Bot
from aiogram.exceptions import TelegramUnauthorizedError

from tests.fakes.aiogram_client import TOKEN, USER, bounded, make_bot, raw_post
from tests.fakes.telegram_api import FakeTelegramServer


@bounded()
async def test_get_me_and_base_url(server: FakeTelegramServer, bot: Bot) -> None:
    assert server.base_url.startswith("http://127.0.0.1:")
    me = await bot.get_me()
    assert me.id == 123
    assert me.is_bot
    assert me.username == "ocop_test_bot"
    assert [r.method for r in server.requests] == ["getMe"]
    assert server.sent == []  # read-only calls are not "sent"


@bounded()
async def test_wrong_token_is_unauthorized(server: FakeTelegramServer) -> None:
    wrong = make_bot(server, token="123:WRONG")
    try:
        with pytest.raises(TelegramUnauthorizedError):
            await wrong.send_message(chat_id=USER, text="hi")
    finally:
        await wrong.session.close()
    assert server.requests[-1].status == 401
    assert server.sent == []


@bounded()
async def test_unknown_method_and_case_insensitive_names(server: FakeTelegramServer) -> None:
    status, body = await raw_post(server, f"/bot{TOKEN}/sendTelepathy", data={"chat_id": "1"})
    assert status == 404
    assert body == {"ok": False, "error_code": 404, "description": "Not Found: method not found"}
    status, body = await raw_post(server, f"/bot{TOKEN}/GETME")
    assert status == 200
    assert body["result"]["id"] == 123


@bounded()
async def test_json_body_is_accepted(server: FakeTelegramServer) -> None:
    status, body = await raw_post(
        server,
        f"/bot{TOKEN}/sendMessage",
        json={"chat_id": USER, "text": "json", "reply_markup": {"remove_keyboard": True}},
    )
    assert status == 200
    assert body["result"]["text"] == "json"
    assert server.messages_to(USER) == ["json"]


@bounded()
async def test_wait_helpers_time_out_quickly(server: FakeTelegramServer) -> None:
    started = time.monotonic()
    with pytest.raises(TimeoutError):
        await server.wait_for_calls("sendMessage", timeout=0.1)
    assert time.monotonic() - started < 1
    assert json.dumps(server.stats)  # plain counter, easy to print in failure messages
