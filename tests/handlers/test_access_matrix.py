"""Every admin action, tried by every other kind of user, is refused and audited; an admin
of another province sees and changes nothing of this one."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from bot.app import App
from storage.models import AuditEntry, OutboxMessage, Submission, User, UserStatus
from tests.handlers.scene import Chat

ADMIN_COMMANDS = [
    "/duyet",
    "/tiendo commune_report",
    "/xem BCX-000001",
    "/thongbao",
    "/moi",
    "/nguoidung",
    "/khoa 1",
    "/mokhoa 1",
    "/capquyen 1",
    "/xoanguoidung 1",
    "/web",
]
ADMIN_BUTTONS = [
    "@approve:1",
    "@reject:1",
    "@review:fix:1",
    "@review:ok:1",
    "@tiendo:commune_report",
]


async def audit_count(app: App) -> int:
    async with app.session_factory() as session:
        return int(
            await session.scalar(
                select(func.count()).select_from(AuditEntry).where(AuditEntry.action == "refused")
            )
            or 0
        )


@pytest.mark.parametrize("who", ["officer", "pending", "producer", "stranger", "disabled"])
async def test_non_admins_are_refused_and_audited(world, who: str) -> None:  # type: ignore[no-untyped-def]
    app, users = world
    chat = Chat(app)
    if who == "stranger":
        await chat.say(who, "/start")  # a stranger is in onboarding; commands still answer
    before = await audit_count(app)
    for text in ADMIN_COMMANDS:
        assert "Chỉ quản trị viên mới làm được việc này." in await chat.say(who, text), text
    for payload in ADMIN_BUTTONS:
        pending = users["pending"].id
        answer = await chat.say(who, button=payload.replace(":1", f":{pending}"))
        assert "Chỉ quản trị viên mới làm được việc này." in answer, payload
    assert await audit_count(app) - before == len(ADMIN_COMMANDS) + len(ADMIN_BUTTONS)
    async with app.session_factory() as session:
        pending_user = await session.get(User, users["pending"].id)
        assert pending_user is not None and pending_user.status == UserStatus.PENDING
        report = (await session.scalars(select(Submission))).one()
        assert report.review_status is None


async def test_admin_of_another_province_sees_and_changes_nothing(world) -> None:  # type: ignore[no-untyped-def]
    app, users = world
    chat = Chat(app)
    assert "Không có báo cáo mã BCX-000001" in await chat.say("admin_hn", "/xem BCX-000001")
    listing = await chat.say("admin_hn", "/nguoidung")
    assert "officer" not in listing and "producer" not in listing
    assert "Không có người dùng này" in await chat.say("admin_hn", f"/khoa {users['officer'].id}")
    assert "Không có người dùng này" in await chat.say(
        "admin_hn", f"/capquyen {users['officer'].id}"
    )
    assert "Không có người dùng này" in await chat.say(
        "admin_hn", f"/mokhoa {users['disabled'].id}"
    )
    answer = await chat.say("admin_hn", button=f"@approve:{users['pending'].id}")
    assert "Cán bộ này không thuộc địa bàn anh/chị phụ trách" in answer
    answer = await chat.say("admin_hn", button="@review:fix:1")
    assert "Lựa chọn này không còn hiệu lực." in answer
    progress = await chat.say("admin_hn", "/tiendo commune_report 2024-Q2")
    assert "Đã gửi: 0" in progress and "Xã Cao Lộc" not in progress
    async with app.session_factory() as session:
        officer = await session.get(User, users["officer"].id)
        pending = await session.get(User, users["pending"].id)
        assert officer is not None and officer.status == UserStatus.ACTIVE
        assert pending is not None and pending.status == UserStatus.PENDING
        locked = await session.get(User, users["disabled"].id)
        assert locked is not None and locked.status == UserStatus.DISABLED
    # The admin of the right province can.
    assert "Mã biên nhận BCX-000001" in await chat.say("admin_ls", "/xem BCX-000001")
    assert "Đã duyệt" in await chat.say("admin_ls", button=f"@approve:{users['pending'].id}")


async def test_broadcast_reaches_only_the_admins_scope(world) -> None:  # type: ignore[no-untyped-def]
    app, _users = world
    chat = Chat(app)
    await chat.say("admin_hn", "/thongbao")
    await chat.say("admin_hn", "1")
    preview = await chat.say("admin_hn", "Họp giao ban thứ Hai.")
    assert "Không liên lạc được với ai" in preview  # no officer in Hà Nội here
    async with app.session_factory() as session:
        sent = await session.scalar(
            select(func.count())
            .select_from(OutboxMessage)
            .where(OutboxMessage.dedupe_key.startswith("broadcast:"))
        )
    assert sent == 0
