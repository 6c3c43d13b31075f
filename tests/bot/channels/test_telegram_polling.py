"""Telegram by long polling, end to end: the fake Bot API, the real aiogram client, the real
runner, pipeline, handlers and outbox, on SQLite and PostgreSQL.

What a Vietnamese user sees is checked message by message; what the bot stored is checked in
the database.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest

from bot.app import App, StartupError
from bot.channels.telegram.runner import run_telegram
from bot.pipeline import StorageUnavailable
from storage.models import Role, UserStatus
from tests.bot.channels.test_telegram_helpers import (
    TOKEN,
    ScriptedUser,
    bounded,
    identity,
    inline_data,
    inline_labels,
    make_app,
    registered_user,
    running,
    settled,
)
from tests.fakes.telegram_api import FakeTelegramServer


@pytest.fixture
async def server() -> AsyncIterator[FakeTelegramServer]:
    async with FakeTelegramServer(token=TOKEN) as fake:
        yield fake


@pytest.fixture
async def app(database_url: str, server: FakeTelegramServer) -> AsyncIterator[App]:
    app = await make_app(database_url, server)
    yield app
    await app.close()


@bounded(40)
async def test_onboarding_with_buttons_and_a_shared_contact(
    app: App, server: FakeTelegramServer
) -> None:
    hoa = ScriptedUser(server, 5001)
    async with running(app, server):
        hoa.command("start")
        await hoa.expect("Chào mừng anh/chị đến với trợ lý báo cáo OCOP")
        (language,) = await hoa.expect("Anh/chị vui lòng chọn ngôn ngữ")
        assert inline_labels(language) == ["Tiếng Việt", "English"]
        assert language.params.get("parse_mode") is None  # plain text: nothing to escape

        hoa.presses("vi")
        (role,) = await hoa.expect("Anh/chị tham gia với vai trò nào?")
        assert inline_data(role) == [Role.PRODUCER, Role.OFFICER]

        hoa.presses(Role.PRODUCER)
        await hoa.expect("Anh/chị ở tỉnh/thành phố nào?")
        hoa.says("lang son")
        await hoa.expect("Tỉnh/thành phố: Lạng Sơn", "Anh/chị ở xã/phường nào của Lạng Sơn?")
        hoa.says("xa cao loc")
        _, name = await hoa.expect("Xã/phường: Xã Cao Lộc", "Anh/chị vui lòng cho biết họ và tên.")
        assert name.params["reply_markup"] == {"remove_keyboard": True}

        hoa.says("Nguyễn Thị Hoa")
        (phone,) = await hoa.expect("Anh/chị vui lòng cho biết số điện thoại")
        assert phone.params["reply_markup"] == {
            "keyboard": [[{"text": "Chia sẻ số điện thoại của tôi", "request_contact": True}]],
            "resize_keyboard": True,
            "one_time_keyboard": True,
        }

        hoa.shares_own_contact("+84912345678")
        # The consent removes the phone keyboard and offers inline buttons: Telegram allows one
        # keyboard per message, so the question is its own message, with the buttons.
        summary, question = await hoa.expect(
            "Họ tên: Nguyễn Thị Hoa", "Anh/chị có đồng ý để chúng tôi lưu các thông tin này không?"
        )
        assert "Nghị định 13/2023/NĐ-CP" in (summary.text or "")
        assert summary.params["reply_markup"] == {"remove_keyboard": True}
        assert inline_labels(question) == ["Tôi đồng ý", "Tôi không đồng ý"]

        hoa.presses("yes")
        await hoa.expect("Xin cảm ơn anh/chị Nguyễn Thị Hoa! Anh/chị đã đăng ký xong.")
        await settled(app, server)

    # every button press was answered, so no spinner was left turning
    assert len(server.calls("answerCallbackQuery")) == 3
    assert len(hoa.messages()) == hoa.seen  # nothing unexpected was sent
    user = await registered_user(app, hoa.id)
    assert user is not None
    assert (user.full_name, user.phone, user.role, user.status, user.language) == (
        "Nguyễn Thị Hoa",
        "+84912345678",
        Role.PRODUCER,
        UserStatus.ACTIVE,
        "vi",
    )
    assert user.commune_code is not None and user.consent_at is not None


@bounded(30)
async def test_the_same_update_twice_is_processed_once(
    app: App, server: FakeTelegramServer
) -> None:
    an = ScriptedUser(server, 5002)
    async with running(app, server):
        update = an.command("start")
        server.add_raw_update(update)  # Telegram delivers it again (same update_id)
        await an.expect("Chào mừng", "Anh/chị vui lòng chọn ngôn ngữ")
        await settled(app, server)
    assert len(an.messages()) == 2


@bounded(30)
async def test_someone_elses_contact_is_refused(app: App, server: FakeTelegramServer) -> None:
    binh = ScriptedUser(server, 5003)
    async with running(app, server):
        binh.command("start")
        await binh.expect("Chào mừng", "Anh/chị vui lòng chọn ngôn ngữ")
        binh.presses("vi")
        await binh.expect("Anh/chị tham gia với vai trò nào?")
        binh.presses(Role.PRODUCER)
        await binh.expect("tỉnh/thành phố")
        binh.says("lang son")
        await binh.expect("Lạng Sơn", "xã/phường")
        binh.says("xa cao loc")
        await binh.expect("Cao Lộc", "cho biết họ và tên")
        binh.says("Trần Văn Bình")
        await binh.expect("cho biết số điện thoại")
        server.user_shares_contact(binh.id, "+84987654321", own=False)
        await binh.expect("số điện thoại của chính mình")


@bounded(30)
async def test_stickers_voice_and_photos(app: App, server: FakeTelegramServer) -> None:
    """Unsupported content gets the core's polite hint in the user's language; a photo and a
    location reach the core (which, outside a form, says it did not understand)."""
    chi = ScriptedUser(server, 5004)
    async with running(app, server):
        chi.command("start")
        await chi.expect("Chào mừng", "Anh/chị vui lòng chọn ngôn ngữ")
        server.user_sends_sticker(chi.id)
        await chi.expect("Xin lỗi, trợ lý chưa đọc được loại tin nhắn này")
        server.user_sends_voice(chi.id)
        await chi.expect("Xin lỗi, trợ lý chưa đọc được loại tin nhắn này")
        await settled(app, server)


@bounded(30)
async def test_blocking_the_bot_makes_the_user_unreachable(
    app: App, server: FakeTelegramServer
) -> None:
    dung = ScriptedUser(server, 5005)
    async with running(app, server):
        dung.command("start")
        await dung.expect("Chào mừng", "Anh/chị vui lòng chọn ngôn ngữ")
        await settled(app, server)
        server.user_blocks_bot(dung.id)
        await settled(app, server)
        found = await identity(app, dung.id)
        assert found is not None and found.reachable is False

        server.user_unblocks_bot(dung.id)  # nothing to say until the user writes
        await settled(app, server)
        assert len(dung.messages()) == 2
        dung.says("/start")
        # Still at the first question: welcomed (not "welcomed back") and asked it again.
        await dung.expect("Chào mừng anh/chị đến với", "Anh/chị vui lòng chọn ngôn ngữ")
        await settled(app, server)
        found = await identity(app, dung.id)
        assert found is not None and found.reachable is True


@bounded(30)
async def test_database_outage_is_retried_and_the_button_still_answered(
    app: App, server: FakeTelegramServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The pipeline fails twice (database down), then works: the update is processed once,
    and the button's spinner was stopped at once, not after the outage."""
    from bot.channels.telegram import polling

    real = app.pipeline.process
    failures = 2

    async def flaky(inbound):  # type: ignore[no-untyped-def]
        nonlocal failures
        if inbound.kind == "button" and failures:
            failures -= 1
            raise StorageUnavailable("connection refused")
        return await real(inbound)

    original_init = polling.Poller.__init__

    def fast_retries(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        original_init(self, *args, **kwargs)
        self.storage_backoff = 0.05

    monkeypatch.setattr(polling.Poller, "__init__", fast_retries)
    monkeypatch.setattr(app.pipeline, "process", flaky)
    eva = ScriptedUser(server, 5006)
    async with running(app, server):
        eva.command("start")
        await eva.expect("Chào mừng", "Anh/chị vui lòng chọn ngôn ngữ")
        eva.presses("en")
        await eva.expect("In which role are you joining?")
        await settled(app, server)
    assert failures == 0
    assert len(server.calls("answerCallbackQuery")) == 1
    assert len(eva.messages()) == 3


@bounded(20)
async def test_command_menu_in_both_languages(app: App, server: FakeTelegramServer) -> None:
    async with running(app, server):
        pass
    for language in ("vi", "en", ""):
        commands = server.get_commands(language_code=language)
        assert commands is not None
        assert [c["command"] for c in commands] == [
            "start",
            "help",
            "toi",
            "dulieu",
            "lienket",
            "ngonngu",
            "huy",
        ]
        assert all(c["description"] for c in commands)
    describe = {
        language: {
            c["command"]: c["description"]
            for c in server.get_commands(language_code=language) or []
        }
        for language in ("vi", "en")
    }
    assert (describe["vi"]["ngonngu"], describe["en"]["ngonngu"]) == (
        "Đổi ngôn ngữ",
        "Change language",
    )


@bounded(30)
async def test_a_malformed_or_unknown_update_does_not_stall_polling(
    app: App, server: FakeTelegramServer
) -> None:
    server.add_raw_update({"message": {"text": 5}})  # aiogram cannot read it
    server.add_raw_update({"brand_new_update": {"id": 1}})
    fei = ScriptedUser(server, 5007)
    fei.command("start")
    async with running(app, server):
        await fei.expect("Chào mừng", "Anh/chị vui lòng chọn ngôn ngữ")
        await settled(app, server)


@pytest.mark.parametrize(
    ("overrides", "setting"),
    [
        ({"telegram_token": "not-a-token"}, "OCOP_TELEGRAM_TOKEN"),
        ({"telegram_token": "123456:WRONG"}, "OCOP_TELEGRAM_TOKEN"),
        ({"telegram_api_base": "http://127.0.0.1:9"}, "OCOP_TELEGRAM_API_BASE"),
    ],
)
@bounded(20)
async def test_start_up_problems_name_the_setting(
    sqlite_url: str, server: FakeTelegramServer, overrides: dict[str, object], setting: str
) -> None:
    app = await make_app(sqlite_url, server, **overrides)
    try:
        with pytest.raises(StartupError, match=setting):
            await run_telegram(app)
    finally:
        await app.close()


@bounded(20)
async def test_cancelling_the_runner_stops_everything(app: App, server: FakeTelegramServer) -> None:
    task = asyncio.create_task(run_telegram(app, stop=asyncio.Event()))
    await server.wait_for(lambda: server.active_polls, 10, description="polling")
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await asyncio.wait_for(task, 10)
    assert not [t for t in asyncio.all_tasks() if t.get_name() == "telegram-outbox"]
    await server.wait_for(lambda: server.active_polls == 0, 5, description="the poll to end")
