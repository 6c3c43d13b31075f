"""The Bot API answering 429, 5xx and time-outs at random: every message is delivered exactly
once, each chat in order. (A time-out here means Telegram did not take the message; one that
Telegram took before the client gave up is the at-least-once case of test_kill_mid_report.)"""

from __future__ import annotations

from collections import defaultdict

from storage.models import OutboxStatus
from tests.bot.channels.test_telegram_delivery import all_out, enqueue
from tests.bot.channels.test_telegram_helpers import bounded, make_app, running
from tests.fakes.telegram_api import FakeTelegramServer


@bounded(90)
async def test_random_429_5xx_and_time_outs_deliver_everything_once(
    database_url: str, server: FakeTelegramServer
) -> None:
    chats = [9100 + n for n in range(10)]
    rows = [(chat, f"Tin {n} gửi {chat}") for n in range(4) for chat in chats]
    app = await make_app(database_url, server, telegram_timeout=1.0)
    try:
        async with running(app, server):
            server.chaos(rate=0.25, kinds=("429", "5xx", "timeout"), seed=11, stall_seconds=1.5)
            await enqueue(app, rows)
            statuses = await all_out(app, 80)
    finally:
        await app.close()
    assert statuses == {OutboxStatus.SENT: len(rows)}
    assert server.stats["chaos"] > 5  # the faults really happened
    by_chat: dict[int, list[str]] = defaultdict(list)
    for call in server.calls("sendMessage"):
        by_chat[int(call.chat_id or 0)].append(call.text or "")
    for chat in chats:
        assert by_chat[chat] == [text for c, text in rows if c == chat]
