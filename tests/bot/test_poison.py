"""A message that the database refuses because of its own content is answered and marked
handled; it never passes for an outage, so it cannot stall every other user behind it.

Observed on PostgreSQL: `/khoa 84912345678` (a phone number where a user number is expected)
and any text with U+0000 were taken for "database unavailable" and retried for ever.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator

import pytest
from sqlalchemy import func, select

from bot.app import App
from bot.messages import Inbound, InboundKind
from bot.pipeline import StorageUnavailable
from storage.models import (
    Conversation,
    OutboxMessage,
    Role,
    SeenMessage,
    SetAsideMessage,
    UserStatus,
)
from tests.bot.channels.test_telegram_helpers import (
    TOKEN,
    ScriptedUser,
    bounded,
    make_app,
    running,
    settled,
)
from tests.conftest import make_settings
from tests.fakes.telegram_api import FakeTelegramServer
from tests.handlers.scene import person


def text(user: str, body: str, message_id: str | None = None) -> Inbound:
    return Inbound(
        channel="console",
        user_id=user,
        message_id=message_id or uuid.uuid4().hex,
        kind=InboundKind.TEXT,
        text=body,
    )


@pytest.fixture
async def app(database_url: str) -> AsyncIterator[App]:
    app = App(make_settings(database_url))
    await app.prepare()
    yield app
    await app.close()


async def last_reply(app: App, user: str) -> str:
    async with app.session_factory() as session:
        row = (
            await session.scalars(
                select(OutboxMessage)
                .where(OutboxMessage.address == user)
                .order_by(OutboxMessage.id.desc())
            )
        ).first()
    assert row is not None
    return str(row.payload["text"])


async def admin_ready(app: App) -> None:
    """A national admin, registered."""
    await person(app, "admin", Role.NATIONAL_ADMIN, UserStatus.ACTIVE, None)


@pytest.mark.parametrize("number", ["84912345678", "99999999999999999999", "²", "٣"])
async def test_a_user_number_out_of_range_is_answered_not_retried(app: App, number: str) -> None:
    await admin_ready(app)
    assert await app.pipeline.process(text("admin", f"/khoa {number}")) is True
    reply = await last_reply(app, "admin")
    assert "Không tìm thấy" in reply or "không" in reply.lower()
    assert "Xin lỗi" not in reply  # about the input, not the internal-error apology


async def test_a_nul_character_is_cleaned_before_storage(app: App) -> None:
    assert await app.pipeline.process(text("hoa", "/start")) is True
    assert await app.pipeline.process(text("hoa", "1\x00")) is True  # Vietnamese
    reply = await last_reply(app, "hoa")
    assert "Xin lỗi" not in reply
    # ...and the conversation goes on from there.
    assert await app.pipeline.process(text("hoa", "\u202e1\u200b")) is True
    assert "Xin lỗi" not in await last_reply(app, "hoa")


async def test_a_data_error_in_a_handler_is_apologised_for_and_marked_handled(
    app: App, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Whatever slips past the cleaning: the value is refused by the database, the database
    answers, so the message is at fault: the user is told, the others flow on."""
    from sqlalchemy.exc import DataError

    async def bad_value(ctx):  # type: ignore[no-untyped-def]
        raise DataError("UPDATE users SET full_name = $1", {}, Exception("value too long"))

    await app.pipeline.process(text("hoa", "/start"))
    monkeypatch.setattr("bot.pipeline.dispatch", bad_value)
    assert await app.pipeline.process(text("hoa", "xin chào")) is True
    assert "Xin lỗi" in await last_reply(app, "hoa")


async def test_an_outage_that_never_ends_for_one_message_sets_it_aside(
    app: App, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A message whose handling keeps failing as if the database were down, while the
    database answers everything else, is set aside after a few tries: kept, visible to an
    admin, and the user told; it is not retried for ever."""
    from sqlalchemy.exc import OperationalError

    async def always_busy(ctx):  # type: ignore[no-untyped-def]
        raise OperationalError("SELECT 1", {}, Exception("database is locked"))

    await app.pipeline.process(text("hoa", "/start"))
    monkeypatch.setattr("bot.pipeline.dispatch", always_busy)
    stuck = text("hoa", "Nguyễn Thị Hoa", "stuck-1")
    outcomes: list[str] = []
    for _ in range(10):
        try:
            outcomes.append(str(await app.pipeline.process(stuck)))
            break
        except StorageUnavailable:
            outcomes.append("retry")
    assert outcomes[-1] == "True" and 1 < len(outcomes) <= 6, outcomes
    async with app.session_factory() as session:
        kept = (await session.scalars(select(SetAsideMessage))).all()
        seen = await session.scalar(
            select(func.count()).select_from(SeenMessage).where(SeenMessage.message_id == "stuck-1")
        )
    assert [(k.channel, k.message_id, k.text) for k in kept] == [
        ("console", "stuck-1", "Nguyễn Thị Hoa")
    ]
    assert kept[0].attempts == len(outcomes)
    assert "database is locked" in (kept[0].error or "")
    assert seen == 1
    assert "Xin lỗi" in await last_reply(app, "hoa")


@bounded(60)
async def test_polling_goes_on_after_a_nul_in_a_name(database_url: str) -> None:
    """End to end on Telegram (fake Bot API, real aiogram client): the name with U+0000 is
    stored without it, and another user's message behind it is answered at once."""
    async with FakeTelegramServer(token=TOKEN) as server:
        app = await make_app(database_url, server)
        try:
            hoa, lan = ScriptedUser(server, 5001), ScriptedUser(server, 5002)
            async with running(app, server):
                hoa.command("start")
                await hoa.expect("Chào mừng", "Anh/chị vui lòng chọn ngôn ngữ")
                hoa.presses("vi")
                await hoa.expect("Anh/chị tham gia với vai trò nào?")
                hoa.presses(Role.PRODUCER)
                await hoa.expect("Anh/chị ở tỉnh/thành phố nào?")
                hoa.says("lang son")
                await hoa.expect(
                    "Tỉnh/thành phố: Lạng Sơn", "Anh/chị ở xã/phường nào của Lạng Sơn?"
                )
                hoa.says("xa cao loc")
                await hoa.expect("Xã/phường: Xã Cao Lộc", "Anh/chị vui lòng cho biết họ và tên.")
                hoa.says("Nguyễn Thị\x00 Hoa\u202e")
                lan.command("start")
                await hoa.expect("Anh/chị vui lòng cho biết số điện thoại")
                await lan.expect("Chào mừng", "Anh/chị vui lòng chọn ngôn ngữ")
                await settled(app, server)
            async with app.session_factory() as session:
                conversation = (await session.scalars(select(Conversation))).all()
            names = [c.data.get("full_name") for c in conversation if c.data.get("full_name")]
            assert names == ["Nguyễn Thị Hoa"]
        finally:
            await app.close()


def test_the_operator_sees_what_was_set_aside(tmp_path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """``ocop-bot messages set-aside`` lists the kept messages, newest first."""
    import asyncio

    from typer.testing import CliRunner

    from bot.cli import cli

    url = f"sqlite+aiosqlite:///{tmp_path / 'cli.db'}"
    monkeypatch.setenv("OCOP_DATABASE_URL", url)
    monkeypatch.chdir(tmp_path)
    runner = CliRunner()
    assert "No message has been set aside." in runner.invoke(cli, ["messages", "set-aside"]).output

    async def keep() -> None:
        app = App(make_settings(url))
        await app.prepare()
        try:
            await app.pipeline._set_aside(
                text("hoa", "Sản lượng 12 tấn", "m-9"), 5, "OperationalError: database is locked"
            )
        finally:
            await app.close()

    asyncio.run(keep())
    listed = runner.invoke(cli, ["messages", "set-aside"]).output
    assert "console:hoa message m-9 (text, 5 attempts): OperationalError" in listed
    assert "Sản lượng 12 tấn" in listed
