"""Shared pieces of the Zalo tests (this module holds no tests itself).

Everything runs the bot's own Zalo client over HTTP against the fake Bot API of
``tests/fakes/zalo_api.py`` on 127.0.0.1, and the real app (pipeline, handlers, outbox,
sender) on the ``database_url`` fixture, so SQLite and PostgreSQL both run.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator

import pytest
from sqlalchemy import func, select

from bot.app import App
from bot.channels.zalo.service import ZaloService
from bot.runtime import run_services
from storage.models import (
    Identity,
    OutboxMessage,
    OutboxStatus,
    SeenMessage,
    User,
    UserStatus,
    utcnow,
)
from storage.places import Places
from storage.users import Users
from tests.bot.channels.test_telegram_helpers import free_port, wait_until
from tests.conftest import make_settings
from tests.fakes.zalo_api import TOKEN, FakeZaloServer, ZaloUser

SECRET = "zalo-webhook-secret_for-tests"


async def make_app(database_url: str, zalo: FakeZaloServer, **overrides: object) -> App:
    values: dict[str, object] = {
        "zalo_bot_token": TOKEN,
        "zalo_api_base": zalo.base_url,
        "zalo_timeout": 5.0,
        "zalo_poll_timeout": 1,
        "zalo_rate_global": 50.0,
        "zalo_rate_per_chat": 20.0,  # the conservative default pace is not what is tested here
    }
    if overrides.get("zalo_mode") == "webhook":
        port = free_port()
        values.update(
            webhook_port=port,
            public_url=f"http://127.0.0.1:{port}",
            zalo_webhook_secret=SECRET,
        )
    values.update(overrides)
    app = App(make_settings(database_url, **values))
    await app.prepare()
    return app


# The fake Zalo Bot API and a bot on it, for the test files that import them (as fixtures).
@pytest.fixture
async def zalo() -> AsyncIterator[FakeZaloServer]:
    async with FakeZaloServer() as fake:
        yield fake


@pytest.fixture
async def app(database_url: str, zalo: FakeZaloServer) -> AsyncIterator[App]:
    app = await make_app(database_url, zalo)
    yield app
    await app.close()


def quick_service(app: App) -> ZaloService:
    """The Zalo service with test-sized pauses after a 429 and between failed polls."""
    service = ZaloService(app)
    service.channel.backoff.base = 0.05
    return service


@contextlib.asynccontextmanager
async def running(
    app: App, zalo: FakeZaloServer, service: ZaloService | None = None
) -> AsyncIterator[ZaloService]:
    """The Zalo service in the runtime until the block ends; waits until it receives."""
    service = service or quick_service(app)
    stop = asyncio.Event()
    task = asyncio.create_task(run_services(app, [service], stop=stop))
    try:
        if service.receives == "polling":
            await zalo.wait_for(lambda: zalo.active_polls or task.done(), 10, description="poll")
        else:
            await zalo.wait_for(lambda: zalo.webhook or task.done(), 10, description="webhook")
        if task.done():
            task.result()  # start-up failed: show why
        yield service
    finally:
        stop.set()
        await asyncio.wait_for(task, 15)


async def pending_rows(app: App) -> int:
    async with app.session_factory() as session:
        statement = select(func.count()).where(OutboxMessage.status == OutboxStatus.PENDING)
        return int(await session.scalar(statement) or 0)


async def settled(app: App, zalo: FakeZaloServer, within: float = 10.0) -> None:
    """Every update taken by the bot and every outbox row out of the pending state."""

    async def quiet() -> bool:
        await app.pipeline.idle()
        return not zalo.pending and await pending_rows(app) == 0

    await wait_until(quiet, within, "updates processed and outbox empty")


async def read_by_then_answers(app: App, zalo: FakeZaloServer, user: ZaloUser, text: str) -> None:
    """``user`` types ``text`` in answer to a notification they received, once the bot has
    marked it sent, as a person would (storage/offers.py: a notice still queued answers no
    number). The fake shows a message to its scripted user when it takes the call, before
    Zalo's confirmation reaches the bot: sooner than anyone could read and type."""
    await settled(app, zalo)
    user.says(text)


async def stored(app: App) -> dict[str, int]:
    """How many users, seen messages and outbox rows the database holds."""
    async with app.session_factory() as session:
        return {
            name: int(await session.scalar(select(func.count()).select_from(model)) or 0)
            for name, model in (("users", User), ("seen", SeenMessage), ("outbox", OutboxMessage))
        }


async def registered_user(app: App, user: ZaloUser) -> User | None:
    async with app.session_factory() as session:
        return await session.scalar(
            select(User)
            .join(Identity, Identity.user_id == User.id)
            .where(Identity.channel == "zalo", Identity.external_id == user.id)
        )


async def onboard_by_typing(user: ZaloUser, name: str = "Nguyễn Thị Hoa") -> None:
    """The whole onboarding as a producer in Cao Lộc, Lạng Sơn, typing numbers and text."""
    user.says("/start")
    await user.expect("Chào mừng", "1. Tiếng Việt")
    user.says("1")
    await user.expect("Anh/chị tham gia với vai trò nào?")
    user.says("1")
    await user.expect("Anh/chị ở tỉnh/thành phố nào?")
    user.says("lang son")
    await user.expect("Tỉnh/thành phố: Lạng Sơn", "Anh/chị ở xã/phường nào của Lạng Sơn?")
    user.says("xa cao loc")
    await user.expect("Xã/phường: Xã Cao Lộc", "Anh/chị vui lòng cho biết họ và tên.")
    user.says(name)
    await user.expect("Anh/chị vui lòng cho biết số điện thoại")
    user.says("0912 345 678")
    await user.expect(f"Họ tên: {name}")
    user.says("toi dong y")
    await user.expect(f"Xin cảm ơn anh/chị {name}! Anh/chị đã đăng ký xong.")


async def zalo_person(
    app: App, user: ZaloUser, role: str, province: str, commune: str | None = None
) -> int:
    """A registered, approved person known only on Zalo (as a transcript's scene line)."""
    async with app.session_factory() as session, session.begin():
        places = Places(session)
        found = (await places.search_provinces(province))[0]
        place = (await places.search_communes(found.code, commune))[0] if commune else None
        person, _identity = await Users(session).create_with_identity(
            "zalo", user.id, language="vi"
        )
        person.role = role
        person.status = UserStatus.ACTIVE
        person.full_name = user.name
        person.phone = "+84912" + f"{sum(map(ord, user.id)) % 1_000_000:06d}"
        person.province_code = found.code
        person.commune_code = place.code if place else None
        person.consent_at = utcnow()
        return person.id
