"""Photos on Telegram are kept by the bot, like Zalo's (bot/files/photos.py): the receiver
asks the Bot API for the file (``getFile``, then its download URL, on the fake Bot API on
127.0.0.1), stores the bytes of the largest size, and the form keeps our copy (``file:42``)
rather than a ``file_id`` that only this token can read. A photo that cannot be fetched is
asked for again, with nothing already answered lost; a redelivered update fetches nothing.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from aiogram.types import Update
from sqlalchemy import func, select

from bot.app import App
from bot.channels.telegram.service import TelegramService
from storage.files import StoredFiles, ref_id
from storage.models import Role, StoredFile, Submission, UserStatus, utcnow
from storage.places import Places
from storage.users import Users
from tests.bot.channels.test_telegram_helpers import (
    TOKEN,
    ScriptedUser,
    bounded,
    make_app,
    running,
    settled,
)
from tests.fakes.telegram_api import FakeTelegramServer

PRODUCT = [
    "HTX Mật ong Cao Lộc",
    "htx",
    "Mật ong bạc hà",
    "1",
    "Mật ong hoa bạc hà thu hoạch trên núi đá.",
    "Đàn ong của các hộ thành viên",
    "2 tấn",
    "2, 5",
    "/boqua",
    "/boqua",
]


@pytest.fixture
async def server() -> AsyncIterator[FakeTelegramServer]:
    async with FakeTelegramServer(token=TOKEN) as fake:
        yield fake


@pytest.fixture
async def app(database_url: str, server: FakeTelegramServer) -> AsyncIterator[App]:
    app = await make_app(database_url, server)
    yield app
    await app.close()


async def producer(app: App, user: ScriptedUser) -> None:
    """A registered producer in Cao Lộc, Lạng Sơn, on Telegram (onboarding is tested
    elsewhere)."""
    async with app.session_factory() as session, session.begin():
        person, _ = await Users(session).create_with_identity(
            "telegram", str(user.id), language="vi"
        )
        places = Places(session)
        province = (await places.search_provinces("lang son"))[0]
        commune = (await places.search_communes(province.code, "cao loc"))[0]
        person.role, person.status, person.full_name = Role.PRODUCER, UserStatus.ACTIVE, "Hoa"
        person.province_code, person.commune_code = province.code, commune.code
        person.phone, person.consent_at = "+84912345678", utcnow()


async def up_to_the_photos(app: App, user: ScriptedUser) -> None:
    """A producer answers the product idea's questions before the photos, by typing."""
    await producer(app, user)
    user.command("dangky")
    await user.expect("câu hỏi", "Câu 1/")
    for answer in PRODUCT:
        user.says(answer)
        await user.expect("Câu ")
    assert "Ảnh" in (user.messages()[-1].text or "")


def get_files(server: FakeTelegramServer) -> int:
    """``getFile`` requests the fake received, failed or not."""
    return sum(1 for request in server.requests if request.method == "getFile")


def largest_photo(server: FakeTelegramServer, update: dict[str, object]) -> bytes:
    sizes = update["message"]["photo"]  # type: ignore[index]
    data = server.file_bytes(sizes[-1]["file_id"])
    assert data is not None
    return data


@bounded(90)
async def test_a_product_idea_keeps_the_photo_the_bot_downloaded(
    app: App, server: FakeTelegramServer
) -> None:
    hoa = ScriptedUser(server, 6001)
    async with running(app, server):
        await up_to_the_photos(app, hoa)
        update = server.user_sends_photo(hoa.id, caption="Hũ mật ong")
        await hoa.expect("Đã nhận ảnh 1")
        hoa.says("xong")
        await hoa.expect("Anh/chị vui lòng kiểm tra lại")
        hoa.says("gửi")
        await hoa.expect("YT-")  # the receipt
        await settled(app, server)
    assert get_files(server) == 1
    async with app.session_factory() as session:
        submission = (
            await session.scalars(select(Submission).where(Submission.form_id == "product_idea"))
        ).one()
        [reference] = submission.answers["photos"]
        file_id = ref_id(reference)
        assert file_id is not None, reference  # our copy, not Telegram's file_id
        info = await StoredFiles(session).info(file_id)
        content = await StoredFiles(session).content(file_id)
        owner = await Users(session).by_identity("telegram", str(hoa.id))
    assert info is not None and (info.kind, info.content_type) == ("photo", "image/jpeg")
    assert info.expires_at is None and owner is not None and info.owner_id == owner[0].id
    assert content == largest_photo(server, update)


@bounded(90)
async def test_a_photo_that_cannot_be_fetched_is_asked_for_again(
    app: App, server: FakeTelegramServer
) -> None:
    lan = ScriptedUser(server, 6002)
    async with running(app, server):
        await up_to_the_photos(app, lan)
        server.fail_next(1, 500, methods=["getFile"])
        server.user_sends_photo(lan.id)
        await lan.expect("chưa nhận được ảnh. Anh/chị vui lòng gửi lại ảnh")
        update = server.user_sends_photo(lan.id)
        await lan.expect("Đã nhận ảnh 1")  # still at the photo question: nothing was lost
        await settled(app, server)
    # The same update delivered again (a restart before Telegram got the confirmation):
    # the copy stored the first time is found; nothing is fetched or stored twice.
    service = TelegramService(app)
    try:
        assert service.receiver.photos is not None
        again = service.receiver.inbound(Update.model_validate(update))
        assert again is not None
        kept = await service.receiver.photos.keep(again)
    finally:
        await service.close()
    assert kept.file is not None and ref_id(kept.file.file_id) is not None
    assert get_files(server) == 2  # the failed one and the one that worked
    async with app.session_factory() as session:
        assert await session.scalar(select(func.count()).select_from(StoredFile)) == 1
