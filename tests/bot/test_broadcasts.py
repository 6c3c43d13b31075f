"""Announcements (``/thongbao``) to people no messenger can reach now, and the report to
their author: like every other notice, such a message is kept as a failed row counted as
unreachable (storage/reach.py), never skipped, and the author's report says how many
could not be reached. On SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import func, select

from bot.app import App
from bot.broadcasts import report_finished_broadcasts
from storage.broadcasts import Broadcasts
from storage.models import (
    Broadcast,
    OutboxMessage,
    OutboxStatus,
    Role,
    User,
    UserStatus,
    utcnow,
)
from storage.reach import NOTICE_UNREACHABLE
from storage.zalo_oa import unreached_by_province
from tests.conftest import make_settings
from tests.handlers.scene import Chat, build_world
from tests.people import add_identities, outbox_rows

OA_CLOSED = ("zalo_oa", timedelta(days=3), True)  # wrote on the OA 3 days ago: window closed
BLOCKED = ("telegram", timedelta(hours=1), False)  # blocked the bot on Telegram


@pytest.fixture
async def world(database_url: str) -> AsyncIterator[Any]:
    async for value in build_world(database_url):
        yield value


async def somebody(
    app: App,
    name: str,
    role: str,
    identities: list[tuple[str, timedelta, bool]],
    *,
    province_code: int | None = None,
) -> int:
    """An active person with these identities: (channel, last seen how long ago, reachable)."""
    async with app.session_factory() as session, session.begin():
        user = User(
            role=role,
            status=UserStatus.ACTIVE,
            full_name=name,
            language="vi",
            province_code=province_code,
        )
        session.add(user)
        await session.flush()
        add_identities(session, user.id, identities)
        return user.id


async def rows_of(app: App, user_id: int) -> list[tuple[str, str, str, str]]:
    found = await outbox_rows(app, user_id)
    return [(r.status, r.error or "", r.dedupe_key or "", r.channel) for r in found]


async def test_an_announcement_keeps_those_nobody_can_reach_and_reports_them(world) -> None:  # type: ignore[no-untyped-def]
    app, users = world
    province = users["officer"].province_code
    oa_closed = await somebody(app, "Cúc", Role.OFFICER, [OA_CLOSED], province_code=province)
    blocked = await somebody(app, "Tư", Role.OFFICER, [BLOCKED], province_code=province)
    chat = Chat(app)

    await chat.say("admin_ls", "/thongbao")
    await chat.say("admin_ls", button="officers")
    preview = await chat.say("admin_ls", "Họp giao ban thứ Hai.")
    # The officer on the console, and the two nobody can reach now: all three are written
    # to, and the preview says so before the admin sends it.
    assert (
        "Thông báo sẽ được gửi tới 3 người, trong đó 2 người hiện không liên lạc được qua "
        "kênh nào. Anh/chị có muốn gửi không?"
    ) in preview
    answer = await chat.say("admin_ls", button="send")

    assert "Đang gửi tới 3 người" in answer
    # The report is truthful: one received it, two could not be reached on any messenger.
    assert "Thông báo số 1 đã gửi xong: 1 người đã nhận, 2 người không gửi được" in answer
    assert "trong đó 2 người hiện không liên lạc được qua kênh nào" in answer
    delivered = chat.channel.inbox.pop("officer", [])
    assert [m.text for m in delivered] == ["Thông báo:\nHọp giao ban thứ Hai."]
    for who, channel in ((oa_closed, "zalo_oa"), (blocked, "telegram")):
        assert await rows_of(app, who) == [
            (OutboxStatus.FAILED, NOTICE_UNREACHABLE, f"broadcast:1:{who}", channel)
        ]
    async with app.session_factory() as session:
        # Counted in the province admins' digest and on the dashboard.
        unreached = await unreached_by_province(session, utcnow() - timedelta(days=1))
        broadcast = await session.get(Broadcast, 1)
    assert unreached == {province: 2}
    assert broadcast is not None and broadcast.recipients == 3


async def test_the_preview_counts_as_unreachable_exactly_those_kept_as_unreachable(world) -> None:  # type: ignore[no-untyped-def]
    """Observed: the preview said "It will go to 5 people" when some of them no messenger
    could reach. It counts them as the sending will find them: another linked messenger
    that can carry it, or a Zalo OA window still open, is reachable."""
    app, users = world
    province = users["officer"].province_code
    reachable = [
        [OA_CLOSED, ("telegram", timedelta(days=5), True)],  # Telegram still carries it
        [("zalo_oa", timedelta(hours=47, minutes=30), True)],  # the window is still open
        [BLOCKED, ("zalo_oa", timedelta(hours=2), True)],
    ]
    unreachable = [[OA_CLOSED], [BLOCKED, OA_CLOSED]]
    for number, identities in enumerate(reachable + unreachable):
        await somebody(app, f"Người {number}", Role.OFFICER, identities, province_code=province)
    chat = Chat(app)

    await chat.say("admin_ls", "/thongbao")
    await chat.say("admin_ls", button="officers")
    preview = await chat.say("admin_ls", "Họp giao ban thứ Hai.")
    # The officer on the console, the three above who can be reached and the two who cannot.
    assert "tới 6 người, trong đó 2 người hiện không liên lạc được qua kênh nào." in preview
    await chat.say("admin_ls", button="send")

    async with app.session_factory() as session:
        kept = await session.scalar(
            select(func.count()).where(OutboxMessage.error == NOTICE_UNREACHABLE)
        )
    assert kept == 2


async def test_the_preview_of_an_audience_everyone_can_reach_says_only_how_many(world) -> None:  # type: ignore[no-untyped-def]
    app, _users = world
    chat = Chat(app)
    await chat.say("admin_ls", "/thongbao")
    await chat.say("admin_ls", button="officers")
    preview = await chat.say("admin_ls", "Họp giao ban thứ Hai.")
    assert "Thông báo sẽ được gửi tới 1 người. Anh/chị có muốn gửi không?" in preview
    assert "không liên lạc được" not in preview


@pytest.mark.parametrize("identity", [OA_CLOSED, BLOCKED], ids=["oa_closed", "blocked"])
async def test_the_report_to_an_author_nobody_can_reach_is_kept_as_unreachable(
    database_url: str, identity: tuple[str, timedelta, bool]
) -> None:
    app = App(make_settings(database_url))
    await app.prepare()
    try:
        author = await somebody(app, "Admin", Role.NATIONAL_ADMIN, [identity])
        async with app.session_factory() as session, session.begin():
            broadcast = await Broadcasts(session).create(
                author_id=author,
                text="Họp giao ban.",
                audience="everyone",
                province_code=None,
                commune_code=None,
                recipients=0,
            )
            number = broadcast.id

        assert await report_finished_broadcasts(app.session_factory) == 1

        assert await rows_of(app, author) == [
            (OutboxStatus.FAILED, NOTICE_UNREACHABLE, f"broadcast-report:{number}", identity[0])
        ]
        async with app.session_factory() as session:
            stored = await session.get(Broadcast, number)
            assert stored is not None and stored.reported_at is not None  # reported once
            unreached = await unreached_by_province(session, utcnow() - timedelta(days=1))
        assert unreached == {None: 1}
        assert await report_finished_broadcasts(app.session_factory) == 0
    finally:
        await app.close()
