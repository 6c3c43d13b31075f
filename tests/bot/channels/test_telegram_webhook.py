"""Telegram by webhook: the secret is checked before anything is read or stored, bad bodies
are refused without a crash, and a database outage makes Telegram deliver again."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import aiohttp
import pytest
from sqlalchemy import event

from bot.app import App, StartupError
from bot.channels.telegram import ALLOWED_UPDATES
from bot.channels.telegram.runner import run_telegram
from bot.pipeline import StorageUnavailable
from tests.bot.channels.test_telegram_helpers import (
    TOKEN,
    ScriptedUser,
    bounded,
    free_port,
    make_app,
    running,
    seen_count,
    settled,
    user_count,
)
from tests.fakes.telegram_api import FakeTelegramServer

SECRET = "s3cret_Token-for-tests"


@pytest.fixture
async def server() -> AsyncIterator[FakeTelegramServer]:
    async with FakeTelegramServer(token=TOKEN) as fake:
        yield fake


@pytest.fixture
async def app(database_url: str, server: FakeTelegramServer) -> AsyncIterator[App]:
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


async def post_raw(app: App, body: bytes, secret: str | None = SECRET) -> int:
    headers = {"Content-Type": "application/json"}
    if secret is not None:
        headers["X-Telegram-Bot-Api-Secret-Token"] = secret
    async with (
        aiohttp.ClientSession() as http,
        http.post(str(app.settings.webhook_url), data=body, headers=headers) as resp,
    ):
        return resp.status


@bounded(30)
async def test_set_webhook_and_the_secret(app: App, server: FakeTelegramServer) -> None:
    an = ScriptedUser(server, 6001)
    async with running(app, server):
        assert server.webhook is not None
        assert server.webhook.url == app.settings.webhook_url
        assert server.webhook.secret_token == SECRET
        assert server.webhook.allowed_updates == list(ALLOWED_UPDATES)

        update = an.command("start")
        assert await server.deliver_webhook(update, secret="wrong-secret") == 401
        assert await server.deliver_webhook(update, secret=None) == 401
        assert (await seen_count(app), await user_count(app)) == (0, 0)  # nothing stored
        assert an.messages() == []

        assert await server.deliver_webhook(update) == 200
        await an.expect("Chào mừng", "Anh/chị vui lòng chọn ngôn ngữ")
        assert await server.deliver_webhook(update) == 200  # redelivered: processed once
        await settled(app, server)
        assert len(an.messages()) == 2

        an.presses("vi")
        assert await server.deliver_webhook() == 200
        await an.expect("Anh/chị tham gia với vai trò nào?")
        assert len(server.calls("answerCallbackQuery")) == 1


@bounded(30)
async def test_bad_bodies_and_unknown_updates(app: App, server: FakeTelegramServer) -> None:
    async with running(app, server):
        assert await post_raw(app, b"{not json") == 400
        assert await post_raw(app, b"[1, 2]") == 400
        assert await post_raw(app, b'{"message": {}}') == 400  # no update_id
        assert await post_raw(app, b'{"update_id": 7, "message": {"text": 5}}') == 400
        assert await post_raw(app, "\udcff".encode("utf-8", "surrogatepass")) == 400
        assert await post_raw(app, b"{not json", secret=None) == 401  # secret first
        unknown = b'{"update_id": 8, "brand_new_update": {"id": 1}}'
        assert await post_raw(app, unknown) == 200
        poll = b'{"update_id": 9, "poll_answer": {"poll_id": "1", "option_ids": [0]}}'
        assert await post_raw(app, poll) == 200
        assert (await seen_count(app), await user_count(app)) == (0, 0)

        # the endpoint still works after all that
        an = ScriptedUser(server, 6002)
        an.command("start")
        assert await server.deliver_webhook() == 200
        await an.expect("Chào mừng", "Anh/chị vui lòng chọn ngôn ngữ")


@bounded(30)
async def test_database_outage_answers_503_and_telegram_redelivers(
    app: App, server: FakeTelegramServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = app.pipeline.process
    down = True

    async def outage(inbound):  # type: ignore[no-untyped-def]
        if down:
            raise StorageUnavailable("connection refused")
        return await real(inbound)

    monkeypatch.setattr(app.pipeline, "process", outage)
    an = ScriptedUser(server, 6003)
    async with running(app, server):
        an.command("start")
        assert await server.deliver_webhook() == 503
        assert len(server.pending_updates) == 1  # Telegram keeps it
        down = False
        assert await server.deliver_webhook() == 200
        await an.expect("Chào mừng", "Anh/chị vui lòng chọn ngôn ngữ")

        an.presses("vi")
        down = True
        assert await server.deliver_webhook() == 503
        # the spinner was stopped even though the press could not be processed yet
        assert len(server.calls("answerCallbackQuery")) == 1
        down = False
        assert await server.deliver_webhook() == 200  # its answer is refused now: harmless
        await an.expect("Anh/chị tham gia với vai trò nào?")
        await settled(app, server)
    assert len(an.messages()) == 3


@bounded(20)
async def test_webhook_mode_needs_a_url_and_a_valid_secret(
    database_url: str, server: FakeTelegramServer
) -> None:
    app = await make_app(database_url, server, telegram_mode="webhook")
    try:
        with pytest.raises(StartupError, match="OCOP_WEBHOOK_URL"):
            await run_telegram(app)
        app.settings.webhook_url = "https://bot.example.org/tg"
        app.settings.webhook_secret = "spaces are not allowed"
        with pytest.raises(StartupError, match="OCOP_WEBHOOK_SECRET"):
            await run_telegram(app)
    finally:
        await app.close()


@bounded(60)
async def test_a_burst_of_officers_is_answered_in_shared_transactions(
    app: App, server: FakeTelegramServer
) -> None:
    """Deadline day: many people write at the same moment. Their updates arrive as parallel
    HTTP requests and share transactions (group commit); each is answered as if alone."""
    seen_inserts = [0]  # one per transaction of the pipeline

    def on_statement(_conn, _cursor, statement: str, *_args) -> None:  # type: ignore[no-untyped-def]
        seen_inserts[0] += statement.startswith("INSERT INTO seen_messages")

    event.listen(app.engine.sync_engine, "before_cursor_execute", on_statement)
    people = [ScriptedUser(server, 6100 + n) for n in range(20)]
    async with running(app, server):
        updates = [person.command("start") for person in people]
        statuses = await asyncio.gather(*(server.deliver_webhook(u) for u in updates))
        assert statuses == [200] * 20
        for person in people:
            await person.expect("Chào mừng", "Anh/chị vui lòng chọn ngôn ngữ")
        await settled(app, server)
        assert await user_count(app) == 20
    assert all(len(person.messages()) == 2 for person in people)
    assert seen_inserts[0] < 20
