"""Injected faults and flood limits reach the bot as aiogram's own exceptions."""

from __future__ import annotations

import time

import pytest
from aiogram import Bot
from aiogram.exceptions import (
    TelegramBadRequest,
    TelegramForbiddenError,
    TelegramNetworkError,
    TelegramRetryAfter,
    TelegramServerError,
)
from aiogram.types import Update

from tests.fakes.aiogram_client import TOKEN, USER, bounded, make_bot
from tests.fakes.telegram_api import FakeTelegramServer


@bounded()
async def test_injected_429_raises_retry_after(server: FakeTelegramServer, bot: Bot) -> None:
    server.fail_next(1, status=429, retry_after=7)
    with pytest.raises(TelegramRetryAfter) as exc_info:
        await bot.send_message(chat_id=USER, text="lost?")
    assert exc_info.value.retry_after == 7
    assert server.stats["429"] == 1
    assert server.sent == []
    assert server.requests[-1].response["parameters"] == {"retry_after": 7}
    await bot.send_message(chat_id=USER, text="retried")
    assert server.messages_to(USER) == ["retried"]


@bounded()
async def test_rate_limits_answer_429(server: FakeTelegramServer, bot: Bot) -> None:
    server.set_rate_limits(per_chat_per_second=1.0, per_chat_burst=2)
    await bot.send_message(chat_id=USER, text="1")
    await bot.send_message(chat_id=USER, text="2")
    with pytest.raises(TelegramRetryAfter) as exc_info:
        await bot.send_message(chat_id=USER, text="3")
    assert exc_info.value.retry_after >= 1
    await bot.send_message(chat_id=USER + 1, text="other chat has its own bucket")

    server.set_rate_limits(global_per_second=2)
    await bot.send_message(chat_id=7, text="a")
    await bot.send_message(chat_id=8, text="b")
    with pytest.raises(TelegramRetryAfter):
        await bot.send_message(chat_id=9, text="c")
    assert server.stats["429"] == 2
    assert server.stats["rate_limited"] == 2
    assert [c.text for c in server.sent] == ["1", "2", "other chat has its own bucket", "a", "b"]


@bounded()
async def test_forbidden_blocked_user(server: FakeTelegramServer, bot: Bot) -> None:
    server.fail_next(1, status=403)
    with pytest.raises(TelegramForbiddenError, match="bot was blocked by the user"):
        await bot.send_message(chat_id=USER, text="x")

    update = server.user_blocks_bot(USER)
    parsed = Update.model_validate(update, context={"bot": bot})
    assert parsed.my_chat_member is not None
    assert parsed.my_chat_member.new_chat_member.status == "kicked"
    with pytest.raises(TelegramForbiddenError):
        await bot.send_message(chat_id=USER, text="y")
    await bot.send_message(chat_id=USER + 1, text="others still fine")
    server.user_unblocks_bot(USER)
    await bot.send_message(chat_id=USER, text="welcome back")
    assert [c.text for c in server.sent] == ["others still fine", "welcome back"]
    assert server.stats["403"] == 2


@bounded()
async def test_server_errors(server: FakeTelegramServer, bot: Bot) -> None:
    server.fail_next(1, status=500)
    server.fail_next(1, status=502, description="Bad Gateway")
    with pytest.raises(TelegramServerError):
        await bot.send_message(chat_id=USER, text="x")
    with pytest.raises(TelegramServerError, match="Bad Gateway"):
        await bot.send_message(chat_id=USER, text="x")
    await bot.get_me()  # not targeted by default: faults are kept for user-visible calls
    server.fail_next(1, status=400, description="Bad Request: chat not found")
    with pytest.raises(TelegramBadRequest, match="chat not found"):
        await bot.send_message(chat_id=USER, text="x")
    assert server.stats["5xx"] == 2
    assert server.sent == []
    assert [r.status for r in server.requests] == [500, 502, 200, 400]


@bounded()
async def test_stall_makes_client_time_out(server: FakeTelegramServer) -> None:
    impatient = make_bot(server, timeout=0.3)
    try:
        server.stall_next(1, seconds=3.0)
        started = time.monotonic()
        with pytest.raises(TelegramNetworkError, match="timeout"):
            await impatient.send_message(chat_id=USER, text="slow")
        assert time.monotonic() - started < 2.0
        assert server.stats["timeout"] == 1
        await impatient.send_message(chat_id=USER, text="fast")
        assert server.messages_to(USER) == ["fast"]  # the stalled one was not executed
    finally:
        await impatient.session.close()


@bounded()
async def test_stall_with_delivery_records_late(server: FakeTelegramServer) -> None:
    impatient = make_bot(server, timeout=0.2)
    try:
        server.stall_next(1, seconds=0.5, deliver=True)
        with pytest.raises(TelegramNetworkError):
            await impatient.send_message(chat_id=USER, text="arrives anyway")
        # The classic duplicate trap: the client gave up but the user still gets the message.
        assert await server.wait_for_messages(USER, 1, timeout=3) == ["arrives anyway"]
    finally:
        await impatient.session.close()


@bounded(20)
async def test_chaos_is_seeded_and_nothing_is_lost_or_doubled() -> None:
    async def run(seed: int) -> tuple[list[int], list[str]]:
        async with FakeTelegramServer(token=TOKEN) as fake:
            fake.chaos(rate=0.4, kinds=("429", "5xx"), seed=seed, retry_after=1)
            tg = make_bot(fake)
            try:
                for i in range(15):
                    while True:
                        try:
                            await tg.send_message(chat_id=USER, text=f"m{i}")
                            break
                        except (TelegramRetryAfter, TelegramServerError):
                            continue  # a real bot would sleep retry_after; not needed here
            finally:
                await tg.session.close()
            return [r.status for r in fake.requests], fake.messages_to(USER)

    statuses_a, texts_a = await run(seed=3)
    statuses_b, texts_b = await run(seed=3)
    assert statuses_a == statuses_b  # reproducible
    assert any(s != 200 for s in statuses_a)
    assert texts_a == texts_b == [f"m{i}" for i in range(15)]


@bounded()
async def test_chaos_timeouts_are_not_executed(server: FakeTelegramServer) -> None:
    impatient = make_bot(server, timeout=0.2)
    try:
        server.chaos(rate=1.0, kinds=("timeout",), seed=1, stall_seconds=1.0)
        with pytest.raises(TelegramNetworkError):
            await impatient.send_message(chat_id=USER, text="never")
        server.chaos(rate=0)
        await impatient.send_message(chat_id=USER, text="ok")
        assert server.messages_to(USER) == ["ok"]
        assert server.stats["chaos"] == 1
    finally:
        await impatient.session.close()
