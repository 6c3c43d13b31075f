"""Zalo by long polling, end to end: the fake Zalo Bot API, the bot's own client, the real
runtime, pipeline, handlers and outbox, on SQLite and PostgreSQL.

What a Vietnamese user sees is checked message by message; what the bot stored is checked in
the database.
"""

from __future__ import annotations

import logging

import pytest

from bot.app import App, StartupError
from bot.runtime import run_services
from storage.models import Role, UserStatus
from tests.bot.channels.test_telegram_helpers import bounded
from tests.bot.channels.test_zalo_helpers import (
    app,
    make_app,
    quick_service,
    registered_user,
    running,
    settled,
    stored,
    zalo,
)
from tests.fakes.zalo_api import FakeZaloServer

__all__ = ["app", "zalo"]  # fixtures


@bounded(40)
async def test_onboarding_by_typed_and_numbered_answers(app: App, zalo: FakeZaloServer) -> None:
    hoa = zalo.user("6ede9afa66b88fe6d6a9", "Hoa Nguyễn")
    async with running(app, zalo):
        hoa.says("/start")
        _, language = await hoa.expect("Chào mừng anh/chị đến với trợ lý báo cáo OCOP", "ngôn ngữ")
        # Choices as numbered lines, and how to answer them.
        assert language.endswith("1. Tiếng Việt\n  2. English\nTrả lời 1 hoặc 2.")
        hoa.says("1")
        (role,) = await hoa.expect("Anh/chị tham gia với vai trò nào?")
        assert "1. Chủ thể sản xuất" in role and "2. Cán bộ xã" in role
        hoa.says("1")
        await hoa.expect("Anh/chị ở tỉnh/thành phố nào?")
        hoa.says("lang son")
        await hoa.expect("Tỉnh/thành phố: Lạng Sơn", "Anh/chị ở xã/phường nào của Lạng Sơn?")
        hoa.says("xa cao loc")
        await hoa.expect("Xã/phường: Xã Cao Lộc", "Anh/chị vui lòng cho biết họ và tên.")
        hoa.says("Nguyễn Thị Hoa")
        (phone,) = await hoa.expect("Anh/chị vui lòng cho biết số điện thoại")
        assert "Bấm nút" not in phone  # Zalo has no "share my phone" button: type it
        hoa.says("0912 345 678")
        # Without keyboards the summary and the question are one message, choices numbered.
        (consent,) = await hoa.expect("Họ tên: Nguyễn Thị Hoa")
        assert "Anh/chị có đồng ý" in consent and "1. Tôi đồng ý" in consent
        hoa.says("1")
        await hoa.expect("Xin cảm ơn anh/chị Nguyễn Thị Hoa! Anh/chị đã đăng ký xong.")
        await settled(app, zalo)

    assert len(hoa.messages()) == hoa.seen  # nothing unexpected was sent
    assert all("parse_mode" not in call.params for call in zalo.sent)  # plain text
    assert zalo.calls_of("deleteWebhook")  # polling starts by removing any webhook
    user = await registered_user(app, hoa)
    assert user is not None
    assert (user.full_name, user.phone, user.role, user.status, user.language) == (
        "Nguyễn Thị Hoa",
        "+84912345678",
        Role.PRODUCER,
        UserStatus.ACTIVE,
        "vi",
    )


@bounded(30)
async def test_the_same_message_id_twice_is_handled_once(app: App, zalo: FakeZaloServer) -> None:
    an = zalo.user("a11ce", "An")
    async with running(app, zalo):
        update = an.says("/start")
        zalo.push(update)  # Zalo delivers it again, same message_id
        await an.expect("Chào mừng", "Anh/chị vui lòng chọn ngôn ngữ")
        await settled(app, zalo)
    assert len(an.messages()) == 2
    assert (await stored(app))["seen"] == 1


@bounded(30)
async def test_stickers_and_protected_users(app: App, zalo: FakeZaloServer) -> None:
    """A sticker gets the core's polite hint; a protected user (Zalo withholds the content)
    is told to contact the commune, once, and is not made a user."""
    chi = zalo.user("c41", "Chi")
    child = zalo.user("c41d", "Bé")
    async with running(app, zalo):
        chi.says("/start")
        await chi.expect("Chào mừng", "ngôn ngữ")
        chi.sends_sticker()
        await chi.expect("Xin lỗi, trợ lý chưa đọc được loại tin nhắn này")
        child.is_protected_and_writes()
        child.is_protected_and_writes()  # a second one soon after: no second notice
        (notice,) = await child.expect("UBND xã")
        assert "anh/chị vui lòng liên hệ trực tiếp UBND xã" in notice
        await settled(app, zalo)
    assert len(child.messages()) == 1
    assert (await stored(app))["users"] == 1  # Chi only


@bounded(30)
async def test_malformed_updates_do_not_stall_polling(app: App, zalo: FakeZaloServer) -> None:
    zalo.push({"event_name": "message.text.received"})  # no message
    zalo.push({"no": "event"})
    zalo.push({"event_name": "message.reaction.received", "message": {}})  # unknown: skipped
    binh = zalo.user("b1", "Bình")
    binh.says("/start")
    async with running(app, zalo):
        await binh.expect("Chào mừng", "ngôn ngữ")
        await settled(app, zalo)
    assert (await stored(app))["users"] == 1


@bounded(30)
async def test_a_first_message_logs_the_zalo_id_for_ocop_admins(
    app: App, zalo: FakeZaloServer, caplog: pytest.LogCaptureFixture
) -> None:
    root = logging.getLogger()
    level = root.level
    root.setLevel(logging.WARNING)  # OCOP_LOG_LEVEL's default: the operator still sees it
    dung = zalo.user("d00d1e", "Dũng")
    try:
        async with running(app, zalo):
            dung.says("/start")
            await dung.expect("Chào mừng", "ngôn ngữ")
            dung.says("1")
            await dung.expect("Anh/chị tham gia với vai trò nào?")
    finally:
        root.setLevel(level)
    lines = [r.getMessage() for r in caplog.records if r.name.endswith("newcomers")]
    assert lines == [
        "Zalo user d00d1e (Dũng) writes for the first time; to make them a national admin, "
        "add zalo:d00d1e to OCOP_ADMINS."
    ]


@bounded(30)
async def test_a_zalo_admin_from_ocop_admins(database_url: str, zalo: FakeZaloServer) -> None:
    app = await make_app(database_url, zalo, admins="zalo:ad1")
    try:
        admin = zalo.user("ad1", "Quản trị")
        async with running(app, zalo):
            admin.says("/start")
            await admin.expect("Chào mừng", "ngôn ngữ")
            admin.says("tieng viet")  # the label typed without accents works too
            await admin.expect("Anh/chị vui lòng cho biết họ và tên.")  # no role or place to ask
            admin.says("Trần Quản Trị")
            await admin.expect("cho biết số điện thoại")
            admin.says("0987 654 321")
            await admin.expect("Anh/chị có đồng ý")
            admin.says("toi dong y")
            await admin.expect("Xin cảm ơn anh/chị Trần Quản Trị!")
            await settled(app, zalo)
        user = await registered_user(app, admin)
        assert user is not None and user.role == Role.NATIONAL_ADMIN
    finally:
        await app.close()


@pytest.mark.parametrize(
    ("token", "base", "setting"),
    [
        ("3001234567:wrong-token", None, "OCOP_ZALO_BOT_TOKEN"),
        (None, "http://127.0.0.1:9", "OCOP_ZALO_API_BASE"),
    ],
)
@bounded(20)
async def test_start_up_problems_stop_with_one_sentence(
    sqlite_url: str, zalo: FakeZaloServer, token: str | None, base: str | None, setting: str
) -> None:
    overrides = {k: v for k, v in (("zalo_bot_token", token), ("zalo_api_base", base)) if v}
    app = await make_app(sqlite_url, zalo, **overrides)
    try:
        with pytest.raises(StartupError, match=setting) as caught:
            await run_services(app, [quick_service(app)])
    finally:
        await app.close()
    message = str(caught.value)
    assert "\n" not in message and message.count(". ") == 0 and message.endswith(".")
    assert "wrong-token" not in message  # the token is never shown
    assert not zalo.calls_of("getUpdates")
