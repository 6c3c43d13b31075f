"""No token, phone number or typed name in logs or stored errors (Decree 13/2023/NĐ-CP; a
leaked token is a hijacked bot), even with OCOP_LOG_LEVEL=DEBUG."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from typing import Any

import pytest
from aiohttp import web
from sqlalchemy import select, text

from bot.app import App, StartupError
from bot.channels.base import Capabilities, PermanentFailure, RecipientBlocked, RetryLater
from bot.channels.telegram.runner import run_telegram
from bot.errors import describe_error, redact, safe_error
from bot.messages import Outbound
from bot.sender import OutboxSender
from storage.models import OutboxMessage
from storage.outbox import Outbox
from storage.users import Users
from tests.bot.channels.test_telegram_helpers import TOKEN, bounded, make_app
from tests.conftest import make_settings
from tests.fakes.telegram_api import FakeTelegramServer
from tests.handlers.scene import Chat

NAME = "Trần Văn Bình"
PHONES = ("0987 654 321", "0987654321", "+84987654321", "987654321")


def leaks(logged: str) -> list[str]:
    return [needle for needle in (NAME, *PHONES) if needle in logged]


async def test_a_failure_with_a_name_and_a_phone_logs_neither(
    database_url: str, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    """Observed: the traceback of a failed statement quoted its parameters (PostgreSQL) and
    aiosqlite's DEBUG lines quoted every statement's parameters."""
    app = App(make_settings(database_url, log_level="DEBUG"))
    await app.prepare()

    async def failing_claim(self: Users, user: Any, phone: str | None, **_: object) -> bool:
        # A bug: a NOT NULL column left empty. PostgreSQL quotes the whole row it refused.
        await self.session.execute(
            text(
                "INSERT INTO set_aside_messages (channel, message_id, address, kind, text, "
                "attempts, created_at) VALUES (:name, :phone, 'x', 'x', :name, NULL, "
                "CURRENT_TIMESTAMP)"
            ),
            {"name": user.full_name, "phone": phone},
        )
        return False

    monkeypatch.setattr(Users, "claim_imported", failing_claim)
    caplog.set_level(logging.DEBUG)
    hidden = app.engine.sync_engine.hide_parameters
    try:
        chat = Chat(app)
        for said in ("/start", "1", "2", "lang son", "xa cao loc", NAME, PHONES[0]):
            await chat.say("binh", said)
        answer = await chat.say("binh", "1")  # "I agree": the officer's claim fails
        assert "Xin lỗi" in answer or "Sorry" in answer
    finally:
        await app.close()
    assert "handling console message" in caplog.text  # the failure was logged...
    assert "Traceback" in caplog.text
    assert leaks(caplog.text) == []  # ...without what the person typed
    assert hidden  # SQL parameters are never part of an error text


def test_redaction_of_error_texts() -> None:
    url = f"ClientResponseError: 302, url='https://api.telegram.org/bot{TOKEN}/getMe'"
    assert TOKEN not in redact(url) and "/bot<token>/getMe" in redact(url)
    assert redact("Key (phone)=(+84987654321) already exists.") == (
        "Key (phone)=(<hidden>) already exists."
    )
    assert redact("gọi 0987 654 321 hoặc +84 987 654 321") == "gọi <number> hoặc <number>"
    assert redact("run for 2024-06-10 at 08:00, outbox 1234") == (
        "run for 2024-06-10 at 08:00, outbox 1234"
    )
    refused = ValueError(f"1 validation error input_value='{NAME}', input_type=str")
    assert "Bình" not in safe_error(refused)


async def test_a_database_error_is_described_without_what_was_typed(
    database_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    """asyncpg quotes an argument it cannot convert in the error itself, whatever the
    engine hides: the stored line and the logged traceback must not."""
    app = App(make_settings(database_url))
    try:
        async with app.engine.connect() as connection:
            statement = (
                "SELECT CAST(:v AS integer)"
                if app.engine.dialect.name == "postgresql"
                else "SELECT * FROM missing WHERE v = :v"
            )
            with pytest.raises(Exception) as caught:
                await connection.execute(text(statement), {"v": NAME})
        assert NAME not in describe_error(caught.value)
        logging.getLogger("test").error("statement failed", exc_info=caught.value)
        assert "statement failed" in caplog.text and NAME not in caplog.text
    finally:
        await app.close()


@pytest.fixture
async def server() -> AsyncIterator[FakeTelegramServer]:
    async with FakeTelegramServer(token=TOKEN) as fake:
        yield fake


@pytest.fixture
async def redirect_loop() -> AsyncIterator[str]:
    """A "Bot API" that redirects every request to itself: aiohttp gives up, quoting the
    URL, and the URL carries the token."""

    async def again(request: web.Request) -> web.Response:
        raise web.HTTPFound(str(request.url))

    application = web.Application()
    application.router.add_route("*", "/{tail:.*}", again)
    runner = web.AppRunner(application)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    yield f"http://127.0.0.1:{port}"
    await runner.cleanup()


@pytest.mark.parametrize("problem", ["refused token", "redirect loop"])
@bounded(20)
async def test_a_start_up_error_never_shows_the_token(
    sqlite_url: str,
    server: FakeTelegramServer,
    redirect_loop: str,
    problem: str,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Observed: ``…/bot123456:TEST-token…/getMe`` in a start-up error."""
    caplog.set_level(logging.DEBUG)
    token = "123456:WRONG-but-well-formed-token_xyz"
    overrides: dict[str, object] = (
        {"telegram_token": token}  # the fake Bot API answers 401
        if problem == "refused token"
        else {"telegram_api_base": redirect_loop}
    )
    app = await make_app(sqlite_url, server, **overrides)
    secret = token if problem == "refused token" else TOKEN
    try:
        with pytest.raises(StartupError) as caught:
            await run_telegram(app)
    finally:
        await app.close()
    assert "OCOP_TELEGRAM" in str(caught.value)
    assert secret not in str(caught.value)
    assert secret not in caplog.text
    logging.getLogger("test").error("failed", exc_info=caught.value)  # with its whole chain
    assert secret not in caplog.text


URL = f"https://api.telegram.org/bot{TOKEN}/sendMessage"


class FailingChannel:
    """A channel whose HTTP client quotes the request URL (and its token) in the error."""

    name = "console"
    capabilities = Capabilities()

    def __init__(self, error: Exception) -> None:
        self.error = error

    async def send(self, address: str, message: Outbound) -> None:
        raise self.error


@pytest.mark.parametrize(
    "error",
    [
        RuntimeError(f"Cannot connect to {URL}"),
        RetryLater(f"502 from {URL}"),
        PermanentFailure(f"400 Bad Request: {URL}"),
        RecipientBlocked(f"403 Forbidden: {URL}"),
    ],
    ids=lambda e: type(e).__name__,
)
async def test_a_delivery_error_is_stored_without_the_token(
    sqlite_url: str, error: Exception, caplog: pytest.LogCaptureFixture
) -> None:
    """Observed: the token in ``outbox.error``."""
    app = App(make_settings(sqlite_url))
    await app.prepare()
    try:
        async with app.session_factory() as session, session.begin():
            await Outbox(session).enqueue(
                channel="console", address="an", message=Outbound(text="x"), user_id=None
            )
        channels = {"console": FailingChannel(error)}
        await OutboxSender(app.session_factory, channels).run_once()  # type: ignore[arg-type]
        async with app.session_factory() as session:
            row = (await session.scalars(select(OutboxMessage))).one()
        assert row.error and "sendMessage" in row.error
        assert TOKEN not in row.error
        assert TOKEN not in caplog.text
    finally:
        await app.close()
