"""Notices (an approval, a review's "cần bổ sung", a product step, an announcement) to a
person whose Zalo OA window has closed: they go to the person's other linked messenger;
with none, the notice is kept as a failed row counted as unreachable, and nothing is sent
blindly to Zalo. Through the real pipeline and the OA sender against the fake OA, on SQLite
and PostgreSQL (storage/reach.py)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta

import pytest

from bot.app import App
from bot.channels.zalo_oa.service import ZaloOaService
from bot.messages import Inbound, InboundKind
from bot.sender import OutboxSender
from storage.models import Identity, OutboxStatus, Role, User, UserStatus, utcnow
from storage.reach import NOTICE_UNREACHABLE
from storage.users import Users
from storage.zalo_oa import unreached_by_province
from tests.bot.channels.test_telegram_helpers import bounded
from tests.bot.channels.test_zalo_oa_end_to_end import make_app
from tests.fakes.zalo_oa_api import FakeOaServer
from tests.people import outbox_rows


@pytest.fixture
async def oa() -> AsyncIterator[FakeOaServer]:
    async with FakeOaServer() as fake:
        yield fake


@pytest.fixture
async def app(database_url: str, oa: FakeOaServer) -> AsyncIterator[App]:
    app = await make_app(database_url, oa)
    yield app
    await app.close()


async def someone(
    app: App,
    name: str,
    *,
    role: str = Role.OFFICER,
    status: str = UserStatus.PENDING,
    oa_seen: timedelta | None = None,
    oa_followed: bool = True,
    telegram_seen: timedelta | None = None,
    console: str | None = None,
) -> int:
    now = utcnow()
    async with app.session_factory() as session, session.begin():
        user = User(role=role, status=status, full_name=name, language="vi")
        session.add(user)
        await session.flush()
        if oa_seen is not None:
            session.add(
                Identity(
                    user_id=user.id,
                    channel="zalo_oa",
                    external_id=f"oa-{user.id}",
                    last_seen_at=now - oa_seen,
                    reachable=oa_followed,
                )
            )
        if telegram_seen is not None:
            session.add(
                Identity(
                    user_id=user.id,
                    channel="telegram",
                    external_id=f"tg-{user.id}",
                    last_seen_at=now - telegram_seen,
                )
            )
        if console is not None:
            session.add(Identity(user_id=user.id, channel="console", external_id=console))
        return user.id


async def press(app: App, admin: str, payload: str, number: int) -> None:
    handled = await app.pipeline.process_alone(
        Inbound(
            channel="console",
            user_id=admin,
            message_id=f"press-{number}",
            kind=InboundKind.BUTTON,
            payload=payload,
        )
    )
    assert handled


async def rows_of(app: App, user_id: int) -> list[tuple[str, str, str, str]]:
    found = await outbox_rows(app, user_id)
    return [(r.channel, r.address, r.status, r.error or "") for r in found]


@bounded(60)
async def test_an_approval_finds_a_messenger_that_can_carry_it(app: App, oa: FakeOaServer) -> None:
    await someone(app, "Admin", role=Role.NATIONAL_ADMIN, status=UserStatus.ACTIVE, console="ad")
    # Wrote on the OA three days ago (the window is closed); linked Telegram long before.
    linked = await someone(
        app, "Nguyễn Văn Lâm", oa_seen=timedelta(days=3), telegram_seen=timedelta(days=20)
    )
    # Only the OA, and its window closed: no way to reach them now.
    oa_only = await someone(app, "Trần Thị Cúc", oa_seen=timedelta(days=3))
    # Unfollowed the OA; has Telegram.
    unfollowed = await someone(
        app,
        "Lê Văn Tư",
        oa_seen=timedelta(hours=1),
        oa_followed=False,
        telegram_seen=timedelta(days=9),
    )
    # Wrote on the OA an hour ago: the messenger used last is still open, and preferred.
    open_window = await someone(
        app, "Phạm Thị Đào", oa_seen=timedelta(hours=1), telegram_seen=timedelta(days=5)
    )

    for number, who in enumerate((linked, oa_only, unfollowed, open_window)):
        await press(app, "ad", f"@approve:{who}", number)

    assert await rows_of(app, linked) == [("telegram", f"tg-{linked}", OutboxStatus.PENDING, "")]
    assert await rows_of(app, oa_only) == [
        ("zalo_oa", f"oa-{oa_only}", OutboxStatus.FAILED, NOTICE_UNREACHABLE)
    ]
    assert await rows_of(app, unfollowed) == [
        ("telegram", f"tg-{unfollowed}", OutboxStatus.PENDING, "")
    ]
    assert await rows_of(app, open_window) == [
        ("zalo_oa", f"oa-{open_window}", OutboxStatus.PENDING, "")
    ]
    async with app.session_factory() as session:
        officer = await session.get(User, oa_only)
        assert officer is not None and officer.status == UserStatus.ACTIVE  # decided all the same
        unreached = await unreached_by_province(session, utcnow() - timedelta(days=1))
    assert unreached == {None: 1}  # counted like an unreachable reminder

    # The OA sender sends the one notice whose window is open, and nothing else to Zalo.
    service = ZaloOaService(app)
    await service.tokens.prepare()
    sender = OutboxSender(app.session_factory, {"zalo_oa": service.channel})
    await sender.drain()
    await service.close()
    assert [address for address, _body in oa.sent] == [f"oa-{open_window}"]
    assert (await rows_of(app, oa_only))[0][2] == OutboxStatus.FAILED


async def test_delivery_identity_skips_a_closed_window(app: App) -> None:
    linked = await someone(
        app, "Hoa", oa_seen=timedelta(hours=60), telegram_seen=timedelta(days=30)
    )
    closing = await someone(app, "Mai", oa_seen=timedelta(hours=47, minutes=30))
    nobody = await someone(app, "Cúc", oa_seen=timedelta(hours=60))
    async with app.session_factory() as session:
        users = Users(session)
        chosen = await users.delivery_identity(linked)
        assert chosen is not None and chosen.channel == "telegram"
        # No other messenger, and the window still open (if only just): the OA it is.
        closing_target = await users.notice_target(closing)
        assert closing_target is not None and closing_target.channel == "zalo_oa"
        assert closing_target.error is None
        assert await users.delivery_identity(nobody) is None
        target = await users.notice_target(nobody)
        assert target is not None and target.error == NOTICE_UNREACHABLE
