"""Malformed, unknown and oversized webhook bodies: a 4xx or a logged skip, never a crash;
the endpoint answers a real update afterwards. (Malformed JSON and unknown update types are
also covered one by one in tests/bot/channels/test_telegram_webhook.py.)"""

from __future__ import annotations

import json

import aiohttp

from bot.app import App
from tests.bot.channels.test_telegram_helpers import (
    ScriptedUser,
    bounded,
    running,
    seen_count,
)
from tests.fakes.telegram_api import FakeTelegramServer
from tests.faults.conftest import SECRET


async def post_raw(app: App, body: bytes) -> int:
    headers = {"Content-Type": "application/json", "X-Telegram-Bot-Api-Secret-Token": SECRET}
    async with (
        aiohttp.ClientSession() as http,
        http.post(str(app.settings.webhook_url), data=body, headers=headers) as resp,
    ):
        return resp.status


@bounded(60)
async def test_oversized_and_hostile_bodies_never_break_the_server(
    webhook_app: App, server: FakeTelegramServer
) -> None:
    app = webhook_app
    async with running(app, server):
        # 10 MB of valid-looking JSON: refused before it is read into the bot.
        huge = json.dumps({"update_id": 1, "message": {"text": "x" * 10_000_000}}).encode()
        assert await post_raw(app, huge) == 413
        # Deeply nested JSON, a null body, binary noise, an update with a 100k-char text.
        assert await post_raw(app, b"[" * 100_000 + b"]" * 100_000) in (400, 413)
        assert await post_raw(app, b"null") == 400
        assert await post_raw(app, bytes(range(256)) * 100) == 400
        long_text = {
            "update_id": 2,
            "message": {
                "message_id": 1,
                "date": 1718000000,
                "text": "a" * 100_000,
                "chat": {"id": 6100, "type": "private"},
                "from": {"id": 6100, "is_bot": False, "first_name": "A"},
            },
        }
        assert await post_raw(app, json.dumps(long_text).encode()) == 200  # answered politely
        for n in range(50):  # a burst of junk does not wear the server down
            assert await post_raw(app, b'{"update_id": "%d"' % n) == 400
        an = ScriptedUser(server, 6101)
        an.command("start")
        assert await server.deliver_webhook() == 200
        await an.expect("Chào mừng", "Anh/chị vui lòng chọn ngôn ngữ")
        assert await seen_count(app) == 2
        replies = server.calls("sendMessage", 6100)
        assert replies and "Tin nhắn quá dài" in (replies[-1].text or "")
