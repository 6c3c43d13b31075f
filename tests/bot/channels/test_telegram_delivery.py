"""Outbox → Telegram through the running bot, with the fake enforcing Telegram's limits and
failing on purpose: nothing lost, nothing doubled, each chat in order, blocked users left
alone."""

from __future__ import annotations

import time
from collections import defaultdict
from collections.abc import AsyncIterator

import pytest

from bot.app import App
from bot.messages import Outbound
from storage.models import OutboxStatus
from storage.outbox import Outbox
from storage.users import Users
from tests.bot.channels.test_telegram_helpers import (
    TOKEN,
    bounded,
    identity,
    make_app,
    outbox_by_status,
    running,
    wait_until,
)
from tests.fakes.telegram_api import FakeTelegramServer


@pytest.fixture
async def server() -> AsyncIterator[FakeTelegramServer]:
    async with FakeTelegramServer(token=TOKEN) as fake:
        yield fake


async def enqueue(app: App, rows: list[tuple[int, str]]) -> None:
    """Outbox rows as the pipeline or the scheduler would write them (users exist)."""
    async with app.session_factory() as session, session.begin():
        users = Users(session)
        for chat in sorted({chat for chat, _ in rows}):
            if await users.by_identity("telegram", str(chat)) is None:
                await users.create_with_identity("telegram", str(chat), language="vi")
        outbox = Outbox(session)
        for chat, text in rows:
            await outbox.enqueue(
                channel="telegram", address=str(chat), message=Outbound(text=text), user_id=None
            )
    for sender in app.senders:
        sender.wake()


async def all_out(app: App, within: float) -> dict[str, int]:
    async def done() -> bool:
        return (await outbox_by_status(app)).get(OutboxStatus.PENDING, 0) == 0

    await wait_until(done, within, "every outbox row delivered or given up")
    return await outbox_by_status(app)


@bounded(45)
async def test_a_burst_of_200_messages_within_telegrams_limits(
    database_url: str, server: FakeTelegramServer
) -> None:
    """200 reminders to 20 chats; the fake answers 429 above 30/s overall or 1/s per chat
    (burst 3), like Telegram. The bot's own pace keeps it under both."""
    server.set_rate_limits(global_per_second=30, per_chat_per_second=1, per_chat_burst=3)
    chats = [8000 + n for n in range(20)]
    rows = [(chat, f"Nhắc việc {n} cho {chat}") for n in range(10) for chat in chats]
    app = await make_app(database_url, server, telegram_rate_per_chat=1.0)
    try:
        async with running(app, server):
            started = time.monotonic()
            await enqueue(app, rows)
            statuses = await all_out(app, 40)
            elapsed = time.monotonic() - started
    finally:
        await app.close()

    assert statuses == {OutboxStatus.SENT: 200}
    by_chat: dict[int, list[str]] = defaultdict(list)
    for call in server.calls("sendMessage"):
        by_chat[int(call.chat_id or 0)].append(call.text or "")
    for chat in chats:  # every message exactly once, in the order it was queued
        assert by_chat[chat] == [text for c, text in rows if c == chat]
    # The pacing prevents 429s (none on an idle machine); a loaded machine can stall the event
    # loop and bunch arrivals at the fake, and the few 429s that causes are retried above.
    assert server.stats["rate_limited"] <= 3
    assert elapsed >= 7  # 10 messages per chat at about 1/s after a burst of 2


@bounded(45)
async def test_429s_the_fake_provokes_are_retried(
    database_url: str, server: FakeTelegramServer
) -> None:
    """A bot that paces faster than the platform allows still delivers everything once:
    each 429 waits its ``retry_after`` and the chat's order holds."""
    server.set_rate_limits(per_chat_per_second=2, per_chat_burst=1)
    rows = [(8100, f"tin {n}") for n in range(4)] + [(8101, f"msg {n}") for n in range(4)]
    app = await make_app(database_url, server, telegram_rate_per_chat=10.0)
    try:
        async with running(app, server):
            await enqueue(app, rows)
            statuses = await all_out(app, 40)
    finally:
        await app.close()
    assert server.stats["rate_limited"] > 0
    assert statuses == {OutboxStatus.SENT: 8}
    assert server.messages_to(8100) == [f"tin {n}" for n in range(4)]
    assert server.messages_to(8101) == [f"msg {n}" for n in range(4)]


@bounded(30)
async def test_server_errors_and_time_outs_are_retried_and_delivered_once(
    database_url: str, server: FakeTelegramServer
) -> None:
    app = await make_app(database_url, server, telegram_timeout=1.0)
    try:
        async with running(app, server):
            server.fail_next(1, status=502)
            server.stall_next(1, seconds=3.0)  # the client gives up after 1 s; not executed
            await enqueue(app, [(8200, "một"), (8200, "hai"), (8201, "ba")])
            statuses = await all_out(app, 25)
    finally:
        await app.close()
    assert statuses == {OutboxStatus.SENT: 3}
    assert server.messages_to(8200) == ["một", "hai"]
    assert server.messages_to(8201) == ["ba"]
    assert server.stats["502"] + server.stats["504"] == 2


@bounded(30)
async def test_a_user_who_blocked_the_bot_is_left_alone(
    database_url: str, server: FakeTelegramServer
) -> None:
    server.block(8300)
    app = await make_app(database_url, server)
    try:
        async with running(app, server):
            await enqueue(app, [(8300, "nhắc 1"), (8300, "nhắc 2"), (8301, "nhắc khác")])
            statuses = await all_out(app, 20)
            found = await identity(app, 8300)
    finally:
        await app.close()
    assert statuses == {OutboxStatus.BLOCKED: 2, OutboxStatus.SENT: 1}
    assert found is not None and found.reachable is False
    assert server.messages_to(8300) == []
    assert [r.status for r in server.requests if r.params.get("chat_id") == 8300] == [403]
    assert server.messages_to(8301) == ["nhắc khác"]
