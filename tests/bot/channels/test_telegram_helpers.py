"""Shared pieces of the Telegram tests (this module holds no tests itself).

Everything runs the real aiogram client over HTTP against the fake Bot API server of
``tests/fakes/telegram_api/`` on 127.0.0.1, and the real app (pipeline, handlers,
outbox, sender) on the ``database_url`` fixture, so SQLite and PostgreSQL both run.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import socket
import time
import unicodedata
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any, ParamSpec, TypeVar

from sqlalchemy import func, select

from bot.app import App
from bot.channels.telegram.runner import run_telegram
from storage.models import Identity, OutboxMessage, OutboxStatus, SeenMessage, User
from tests.conftest import make_settings
from tests.fakes.telegram_api import FakeTelegramServer, RecordedCall

TOKEN = "123456:TEST-token_for-the-fake"
P = ParamSpec("P")
R = TypeVar("R")


def bounded(seconds: float) -> Callable[[Callable[P, Awaitable[R]]], Callable[P, Awaitable[R]]]:
    """Fail a test that runs longer than ``seconds`` instead of hanging the suite."""

    def decorate(func: Callable[P, Awaitable[R]]) -> Callable[P, Awaitable[R]]:
        @functools.wraps(func)
        async def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
            return await asyncio.wait_for(func(*args, **kwargs), seconds)

        return wrapper

    return decorate


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


async def make_app(database_url: str, server: FakeTelegramServer, **overrides: object) -> App:
    values: dict[str, object] = {
        "telegram_token": TOKEN,
        "telegram_api_base": server.base_url,
        "telegram_timeout": 5.0,
        "telegram_poll_timeout": 1,
        "telegram_rate_per_chat": 20.0,  # the real pace (1/s) is tested by the burst test
    }
    values.update(overrides)
    app = App(make_settings(database_url, **values))
    await app.prepare()
    return app


@contextlib.asynccontextmanager
async def running(app: App, server: FakeTelegramServer) -> AsyncIterator[asyncio.Event]:
    """``run_telegram`` in the background until the block ends; waits until it listens."""
    stop = asyncio.Event()
    task = asyncio.create_task(run_telegram(app, stop=stop))
    try:
        if app.settings.telegram_mode == "polling":
            await server.wait_for(
                lambda: server.active_polls or task.done(), 10, description="polling"
            )
        else:
            await server.wait_for(
                lambda: server.webhook is not None or task.done(), 10, description="setWebhook"
            )
        if task.done():
            task.result()  # start-up failed: show why
        yield stop
    finally:
        stop.set()
        await asyncio.wait_for(task, 15)


def norm(text: str) -> str:
    return " ".join(unicodedata.normalize("NFC", text).split())


def inline_data(call: RecordedCall) -> list[str]:
    """The callback data of the inline buttons a message carried."""
    markup = call.params.get("reply_markup") or {}
    return [b["callback_data"] for row in markup.get("inline_keyboard", []) for b in row]


def inline_labels(call: RecordedCall) -> list[str]:
    markup = call.params.get("reply_markup") or {}
    return [b["text"] for row in markup.get("inline_keyboard", []) for b in row]


class ScriptedUser:
    """A Telegram user in the fake: acts, then checks the bot's next messages in order."""

    def __init__(self, server: FakeTelegramServer, user_id: int, *, language: str = "vi") -> None:
        self.server = server
        self.id = user_id
        self.language = language
        self.seen = 0

    def command(self, name: str, args: str | None = None) -> dict[str, Any]:
        return self.server.user_sends_command(self.id, name, args, language_code=self.language)

    def says(self, text: str) -> dict[str, Any]:
        return self.server.user_sends_text(self.id, text, language_code=self.language)

    def presses(self, callback_data: str) -> dict[str, Any]:
        return self.server.user_presses_button(
            self.id, callback_data, strict=True, language_code=self.language
        )

    def shares_own_contact(self, phone: str) -> dict[str, Any]:
        return self.server.user_shares_contact(self.id, phone, language_code=self.language)

    def messages(self) -> list[RecordedCall]:
        return self.server.calls("sendMessage", self.id)

    async def expect(self, *fragments: str, within: float = 10.0) -> list[RecordedCall]:
        """The next ``len(fragments)`` messages to this user contain these texts, in order."""
        want = self.seen + len(fragments)
        try:
            await self.server.wait_for(lambda: len(self.messages()) >= want, within)
        except TimeoutError:
            got = [c.text for c in self.messages()[self.seen :]]
            raise AssertionError(f"expected {fragments!r}, got {got!r}") from None
        calls = self.messages()[self.seen : want]
        for fragment, call in zip(fragments, calls, strict=True):
            assert norm(fragment) in norm(call.text or ""), (fragment, call.text)
        self.seen = want
        return calls


async def wait_until(
    predicate: Callable[[], Awaitable[bool]], within: float = 10.0, what: str = "condition"
) -> None:
    deadline = time.monotonic() + within
    while not await predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {within}s waiting for {what}")
        await asyncio.sleep(0.05)


async def outbox_by_status(app: App) -> dict[str, int]:
    async with app.session_factory() as session:
        rows = await session.execute(
            select(OutboxMessage.status, func.count()).group_by(OutboxMessage.status)
        )
        return {str(status): int(count) for status, count in rows.all()}


async def settled(app: App, server: FakeTelegramServer, within: float = 10.0) -> None:
    """Every update confirmed to Telegram and every outbox row out of the pending state."""

    async def quiet() -> bool:
        pending = (await outbox_by_status(app)).get(OutboxStatus.PENDING, 0)
        return not server.pending_updates and pending == 0

    await wait_until(quiet, within, "updates processed and outbox empty")


async def identity(app: App, user_id: int) -> Identity | None:
    async with app.session_factory() as session:
        return await session.scalar(
            select(Identity).where(
                Identity.channel == "telegram", Identity.external_id == str(user_id)
            )
        )


async def registered_user(app: App, user_id: int) -> User | None:
    async with app.session_factory() as session:
        return await session.scalar(
            select(User)
            .join(Identity, Identity.user_id == User.id)
            .where(Identity.channel == "telegram", Identity.external_id == str(user_id))
        )


async def seen_count(app: App) -> int:
    async with app.session_factory() as session:
        return int(await session.scalar(select(func.count()).select_from(SeenMessage)) or 0)


async def user_count(app: App) -> int:
    async with app.session_factory() as session:
        return int(await session.scalar(select(func.count()).select_from(User)) or 0)


async def onboard_in_vietnamese(user: ScriptedUser, name: str = "Nguyễn Thị Hoa") -> None:
    """The whole onboarding as a producer in Cao Lộc, Lạng Sơn, pressing buttons, typing
    without accents and sharing the phone's own contact."""
    user.command("start")
    await user.expect(
        "Chào mừng anh/chị đến với trợ lý báo cáo OCOP", "Anh/chị vui lòng chọn ngôn ngữ"
    )
    user.presses("vi")
    await user.expect("Anh/chị tham gia với vai trò nào?")
    user.presses("producer")
    await user.expect("Anh/chị ở tỉnh/thành phố nào?")
    user.says("lang son")
    await user.expect("Tỉnh/thành phố: Lạng Sơn", "Anh/chị ở xã/phường nào của Lạng Sơn?")
    user.says("xa cao loc")
    await user.expect("Xã/phường: Xã Cao Lộc", "Anh/chị vui lòng cho biết họ và tên.")
    user.says(name)
    await user.expect("Anh/chị vui lòng cho biết số điện thoại")
    user.shares_own_contact("+84912345678")
    await user.expect(f"Họ tên: {name}", "Anh/chị có đồng ý")
    user.presses("yes")
    await user.expect(f"Xin cảm ơn anh/chị {name}! Anh/chị đã đăng ký xong.")
