"""Rights are checked at every step of a conversation, not only when it starts: a change of
commune, a disabling or a demotion ends what is open, and nothing of another commune is
shown or changed."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import func, select

from bot.app import App
from storage.models import (
    Broadcast,
    Campaign,
    Identity,
    Invite,
    Role,
    Submission,
    User,
    UserStatus,
)
from storage.places import Places
from storage.submissions import Submissions
from tests.handlers.scene import Chat, person

MAY_20 = datetime(2024, 5, 20, 9, 0, tzinfo=ZoneInfo("Asia/Ho_Chi_Minh"))
REPORT_CLOSED = "Anh/chị không còn quyền gửi báo cáo của xã này; bản nháp đã được đóng."
ADMIN_CLOSED = "Anh/chị không còn quyền thực hiện việc này"


async def count(app: App, model: type) -> int:
    async with app.session_factory() as session:
        return int(await session.scalar(select(func.count()).select_from(model)) or 0)


async def set_user(app: App, user_id: int, **values: object) -> None:
    """What an admin (or the command line) changes meanwhile, committed on its own."""
    async with app.session_factory() as session, session.begin():
        user = await session.get(User, user_id)
        assert user is not None
        for name, value in values.items():
            setattr(user, name, value)


async def dong_dang_report(app: App) -> Submission:
    """Commune B (Đồng Đăng) already sent its Q2 report, with an answer easy to spot."""
    async with app.session_factory() as session, session.begin():
        places = Places(session)
        province = (await places.search_provinces("lang son"))[0]
        commune = (await places.search_communes(province.code, "dong dang"))[0]
        author = await session.get(User, 1)
        assert author is not None
        return await Submissions(session).create(
            form_id="commune_report",
            period="2024-Q2",
            scope_key=f"commune:{commune.code}",
            receipt_prefix="BCX",
            user=author,
            answers={"products_registered": 777},
            now=MAY_20,
        )


async def revisions(app: App) -> dict[str, int]:
    async with app.session_factory() as session:
        return {s.receipt: s.revision for s in (await session.scalars(select(Submission))).all()}


async def test_officer_who_moves_commune_cannot_send_or_see_the_new_communes_report(world) -> None:  # type: ignore[no-untyped-def]
    app, _users = world
    app.pipeline.clock = lambda: MAY_20
    theirs = await dong_dang_report(app)
    chat = Chat(app)
    opened = await chat.say("officer", "/baocao")  # Cao Lộc's Q2 report, reopened at the review
    assert "BCX-000001" in opened and "Anh/chị vui lòng kiểm tra lại" in opened
    await chat.say("officer", "/toi")
    await chat.say("officer", button="@profile:province")
    await chat.say("officer", "lang son")
    moved = await chat.say("officer", "dong dang")
    assert "quản trị viên cần duyệt lại" in moved and REPORT_CLOSED in moved
    said = [await chat.say("officer", button=b) for b in ("send", "theirs", "mine", "send")]
    assert all("777" not in answer for answer in said), said
    assert all("BCX-" not in answer for answer in said), said
    assert await revisions(app) == {"BCX-000001": 1, theirs.receipt: 1}


async def test_a_producer_who_moves_keeps_their_own_draft(world) -> None:  # type: ignore[no-untyped-def]
    """A producer's forms are their own wherever they live: moving commune re-scopes the
    draft instead of closing it."""
    app, _users = world
    chat = Chat(app)
    assert "Câu 1/" in await chat.say("producer", "/dangky")
    await chat.say("producer", "/toi")
    await chat.say("producer", button="@profile:province")
    await chat.say("producer", "lang son")
    moved = await chat.say("producer", "dong dang")
    assert "Đã lưu." in moved and "bản nháp đã được đóng" not in moved
    assert "Anh/chị đang làm dở phiếu này" in await chat.say("producer", "/dangky")


async def test_officer_disabled_while_a_draft_is_open_cannot_send_it(world) -> None:  # type: ignore[no-untyped-def]
    app, users = world
    app.pipeline.clock = lambda: MAY_20
    chat = Chat(app)
    assert "Anh/chị vui lòng kiểm tra lại" in await chat.say("officer", "/baocao")
    assert "không còn dùng được" in await chat.say("admin_ls", f"/khoa {users['officer'].id}")
    answer = await chat.say("officer", button="send")
    assert REPORT_CLOSED in answer and "Đã gửi" not in answer
    assert await revisions(app) == {"BCX-000001": 1}
    again = await chat.say("officer", "/baocao")
    assert "bị khóa" in again and "Anh/chị vui lòng kiểm tra lại" not in again


async def test_admin_disabled_half_way_through_an_invite_gets_no_code(world) -> None:  # type: ignore[no-untyped-def]
    app, users = world
    await person(app, "boss", Role.NATIONAL_ADMIN, UserStatus.ACTIVE, None)
    chat = Chat(app)
    assert "Mời ai?" in await chat.say("admin_ls", "/moi")
    assert "Xã/phường nào?" in await chat.say("admin_ls", button=Role.OFFICER)
    assert "không còn dùng được" in await chat.say("boss", f"/khoa {users['admin_ls'].id}")
    answer = await chat.say("admin_ls", "cao loc")
    assert ADMIN_CLOSED in answer and "Mã mời" not in answer
    assert await count(app, Invite) == 0


async def test_admin_demoted_half_way_through_an_announcement_sends_nothing(world) -> None:  # type: ignore[no-untyped-def]
    app, users = world
    chat = Chat(app)
    await chat.say("admin_ls", "/thongbao")
    await chat.say("admin_ls", button="officers")
    await set_user(app, users["admin_ls"].id, role=Role.OFFICER)
    answer = await chat.say("admin_ls", "Họp giao ban thứ Hai.")
    assert ADMIN_CLOSED in answer and "Xem trước" not in answer
    assert await count(app, Broadcast) == 0


async def test_national_admin_made_province_admin_cannot_finish_an_invite_elsewhere(world) -> None:  # type: ignore[no-untyped-def]
    app, _users = world
    boss = await person(app, "boss", Role.NATIONAL_ADMIN, UserStatus.ACTIVE, "ha noi")
    chat = Chat(app)
    await chat.say("boss", "/moi")
    await chat.say("boss", button=Role.OFFICER)
    await chat.say("boss", "lang son")  # a province that will not be theirs
    await set_user(app, boss.id, role=Role.PROVINCE_ADMIN)
    answer = await chat.say("boss", "cao loc")
    assert ADMIN_CLOSED in answer
    assert await count(app, Invite) == 0


async def test_every_open_flow_is_closed_when_rights_change(world) -> None:  # type: ignore[no-untyped-def]
    """Disabled while /toi is open on top of a draft: neither the name nor the report is
    changed, and the user is told the draft was closed."""
    app, users = world
    app.pipeline.clock = lambda: MAY_20
    chat = Chat(app)
    await chat.say("officer", "/baocao")
    await chat.say("officer", "/toi")
    await chat.say("officer", button="@profile:name")
    await set_user(app, users["officer"].id, status=UserStatus.DISABLED)
    answer = await chat.say("officer", "Nguyễn Văn Mới")
    assert REPORT_CLOSED in answer and "Đã lưu" not in answer
    assert "Anh/chị vui lòng kiểm tra lại" not in await chat.say("officer", button="send")
    async with app.session_factory() as session:
        officer = await session.get(User, users["officer"].id)
        assert officer is not None and officer.full_name == "officer"
    assert await revisions(app) == {"BCX-000001": 1}


async def test_someone_disabled_during_onboarding_stays_disabled(world) -> None:  # type: ignore[no-untyped-def]
    app, _users = world
    chat = Chat(app)
    for said in ("/start", "Tiếng Việt", "1", "lang son", "cao loc", "Trần Thị Mới"):
        await chat.say("newcomer", said)
    async with app.session_factory() as session:
        newcomer = await session.scalar(
            select(Identity.user_id).where(Identity.external_id == "newcomer")
        )
    assert newcomer is not None
    await set_user(app, newcomer, status=UserStatus.DISABLED)  # a national admin's /khoa
    await chat.say("newcomer", "0912 111 222")
    answer = await chat.say("newcomer", button="yes")
    assert "Xin cảm ơn" not in answer and "Cảm ơn" not in answer
    async with app.session_factory() as session:
        user = await session.get(User, newcomer)
        assert user is not None and user.status == UserStatus.DISABLED


async def test_province_admin_without_a_province_makes_no_nationwide_campaign(world) -> None:  # type: ignore[no-untyped-def]
    app, _users = world
    await person(app, "nowhere", Role.PROVINCE_ADMIN, UserStatus.ACTIVE, None)
    chat = Chat(app)
    answer = await chat.say("nowhere", "/lich dot 15/09/2099 Đánh giá sản phẩm OCOP đợt 2")
    assert "Chỉ quản trị viên mới làm được việc này." in answer
    assert await count(app, Campaign) == 0
