"""Every admin action, tried by every other kind of user, is refused and audited; an admin
of another province sees and changes nothing of this one."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import func, select

from bot.app import App
from bot.messages import Inbound, InboundKind
from storage.models import AuditEntry, OutboxMessage, Role, Submission, User, UserStatus
from storage.places import Places
from storage.submissions import Submissions
from storage.users import Users
from tests.conftest import make_settings
from tests.transcript import RecordingChannel

ADMIN_COMMANDS = [
    "/duyet",
    "/tiendo commune_report",
    "/xem BCX-000001",
    "/thongbao",
    "/moi",
    "/nguoidung",
    "/khoa 1",
    "/capquyen 1",
]
ADMIN_BUTTONS = [
    "@approve:1",
    "@reject:1",
    "@review:fix:1",
    "@review:ok:1",
    "@tiendo:commune_report",
]


async def person(
    app: App,
    name: str,
    role: str | None,
    status: str,
    province: str | None,
    commune: str | None = None,
) -> User:
    async with app.session_factory() as session, session.begin():
        places = Places(session)
        user, _ = await Users(session).create_with_identity("console", name, language="vi")
        user.role, user.status, user.full_name = role, status, name
        if province:
            found = (await places.search_provinces(province))[0]
            user.province_code = found.code
            if commune:
                user.commune_code = (await places.search_communes(found.code, commune))[0].code
        return user


class Chat:
    def __init__(self, app: App) -> None:
        self.app = app
        self.channel = RecordingChannel()
        self.sender = app.sender({"console": self.channel})

    async def say(self, who: str, text: str | None = None, *, button: str | None = None) -> str:
        kind = InboundKind.BUTTON if button else InboundKind.TEXT
        await self.app.pipeline.process(
            Inbound(
                channel="console",
                user_id=who,
                message_id=uuid.uuid4().hex,
                kind=kind,
                text=text,
                payload=button,
            )
        )
        await self.sender.drain()
        replies = self.channel.inbox.pop(who, [])
        return "\n".join(r.text for r in replies)


@pytest.fixture
async def world(database_url: str):  # type: ignore[no-untyped-def]
    app = App(make_settings(database_url))
    await app.prepare()
    users = {
        "admin_ls": await person(
            app, "admin_ls", Role.PROVINCE_ADMIN, UserStatus.ACTIVE, "lang son"
        ),
        "admin_hn": await person(app, "admin_hn", Role.PROVINCE_ADMIN, UserStatus.ACTIVE, "ha noi"),
        "officer": await person(
            app, "officer", Role.OFFICER, UserStatus.ACTIVE, "lang son", "cao loc"
        ),
        "pending": await person(
            app, "pending", Role.OFFICER, UserStatus.PENDING, "lang son", "dong dang"
        ),
        "producer": await person(
            app, "producer", Role.PRODUCER, UserStatus.ACTIVE, "lang son", "cao loc"
        ),
        "stranger": await person(app, "stranger", None, UserStatus.NEW, None),
        "disabled": await person(
            app, "disabled", Role.PROVINCE_ADMIN, UserStatus.DISABLED, "lang son"
        ),
    }
    async with app.session_factory() as session, session.begin():
        officer = await session.get(User, users["officer"].id)
        assert officer is not None
        await Submissions(session).create(
            form_id="commune_report",
            period="2024-Q2",
            scope_key=f"commune:{officer.commune_code}",
            receipt_prefix="BCX",
            user=officer,
            answers={"products_registered": "4"},
            now=officer.created_at,
        )
    yield app, users
    await app.close()


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
    answer = await chat.say("admin_hn", button=f"@approve:{users['pending'].id}")
    assert "Nút này không còn dùng được nữa." in answer
    answer = await chat.say("admin_hn", button="@review:fix:1")
    assert "Nút này không còn dùng được nữa." in answer
    progress = await chat.say("admin_hn", "/tiendo commune_report 2024-Q2")
    assert "Đã gửi: 0" in progress and "Xã Cao Lộc" not in progress
    async with app.session_factory() as session:
        officer = await session.get(User, users["officer"].id)
        pending = await session.get(User, users["pending"].id)
        assert officer is not None and officer.status == UserStatus.ACTIVE
        assert pending is not None and pending.status == UserStatus.PENDING
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
