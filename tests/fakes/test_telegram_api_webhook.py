"""Webhook delivery: secrets, pending updates, and a reply in the response body."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import pytest
from aiogram import Bot, Dispatcher
from aiogram.exceptions import TelegramConflictError
from aiogram.filters import CommandStart
from aiogram.methods import SendMessage
from aiogram.types import Message
from aiogram.webhook.aiohttp_server import SimpleRequestHandler
from aiohttp import web

from tests.fakes.aiogram_client import USER, bounded, keyboard
from tests.fakes.telegram_api import FakeTelegramServer


async def start_receiver(
    handler: Callable[[web.Request], Awaitable[web.StreamResponse]],
) -> tuple[web.AppRunner, str]:
    """A tiny webhook receiver on 127.0.0.1 standing in for the bot's web app."""
    app = web.Application()
    app.router.add_post("/webhook", handler)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    return runner, f"http://127.0.0.1:{runner.addresses[0][1]}/webhook"


@bounded()
async def test_webhook_secret_and_pending(server: FakeTelegramServer, bot: Bot) -> None:
    received: list[dict[str, Any]] = []

    async def receive(request: web.Request) -> web.Response:
        if request.headers.get("X-Telegram-Bot-Api-Secret-Token") != "s3cret":
            return web.Response(status=401, text="Unauthorized")
        received.append(await request.json())
        return web.json_response({})

    runner, url = await start_receiver(receive)
    try:
        assert await bot.set_webhook(url, secret_token="s3cret", allowed_updates=["message"])
        assert server.webhook is not None
        assert (server.webhook.url, server.webhook.secret_token) == (url, "s3cret")
        assert server.webhook.allowed_updates == ["message"]
        with pytest.raises(TelegramConflictError):
            await bot.get_updates()

        update = server.user_sends_text(USER, "qua webhook")
        info = await bot.get_webhook_info()
        assert info.url == url and info.pending_update_count == 1

        assert await server.deliver_webhook(update, secret="wrong") == 401
        assert await server.deliver_webhook(update, secret=None) == 401
        info = await bot.get_webhook_info()
        assert info.pending_update_count == 1 and info.last_error_message
        assert await server.deliver_webhook() == 200
        assert received == [update]
        assert (await bot.get_webhook_info()).pending_update_count == 0
        assert [d.status for d in server.webhook_deliveries] == [401, 401, 200]

        assert await server.post_update_to(url, update, secret="s3cret") == 200
        assert await bot.delete_webhook()
        assert server.webhook is None
    finally:
        await runner.cleanup()


@bounded()
async def test_webhook_reply_with_real_dispatcher(server: FakeTelegramServer, bot: Bot) -> None:
    dp = Dispatcher()

    @dp.message(CommandStart())
    async def start(message: Message) -> SendMessage:
        # Answering in the webhook response body: Telegram executes it, so must the fake.
        return message.answer("Chào mừng!", reply_markup=keyboard(("Báo cáo", "report")))

    app = web.Application()
    SimpleRequestHandler(
        dispatcher=dp, bot=bot, secret_token="tok", handle_in_background=False
    ).register(app, path="/webhook")
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    url = f"http://127.0.0.1:{runner.addresses[0][1]}/webhook"
    try:
        await bot.set_webhook(url, secret_token="tok")
        server.user_sends_command(USER, "start")
        assert await server.deliver_webhook() == 200
        assert server.messages_to(USER) == ["Chào mừng!"]
        reply = server.sent[0]
        assert reply.reply_markup == {
            "inline_keyboard": [[{"text": "Báo cáo", "callback_data": "report"}]]
        }
        assert server.webhook_deliveries[-1].reply_method == "sendMessage"
        assert server.requests[-1].source == "webhook_reply"
        assert (
            await server.post_update_to(url, server.user_sends_text(USER, "x"), secret="no") == 401
        )
    finally:
        await runner.cleanup()
