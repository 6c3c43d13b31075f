"""Photos on Zalo, end to end: a producer registers a product idea with a photo; the bot
downloads the image at once from the URL Zalo gave (the fake Bot API serves it on
127.0.0.1), stores the bytes, and the form keeps our copy, so the URL may vanish. A photo
that cannot be taken is asked for again, and nothing already answered is lost."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from sqlalchemy import select

from bot.app import App
from storage.files import StoredFiles, ref_id
from storage.models import Role, StoredFile, Submission, UserStatus, utcnow
from storage.places import Places
from storage.users import Users
from tests.bot.channels.test_telegram_helpers import bounded
from tests.bot.channels.test_zalo_helpers import make_app, running, settled
from tests.fakes.zalo_api import FakeZaloServer, ZaloUser

JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + bytes(range(256)) * 40


@pytest.fixture
async def zalo() -> AsyncIterator[FakeZaloServer]:
    async with FakeZaloServer() as fake:
        yield fake


@pytest.fixture
async def app(database_url: str, zalo: FakeZaloServer) -> AsyncIterator[App]:
    # The fake serves photos on 127.0.0.1, which production never downloads from.
    app = await make_app(database_url, zalo, allow_private_downloads=True)
    yield app
    await app.close()


async def producer(app: App, user: ZaloUser) -> None:
    """A registered producer in Cao Lộc, Lạng Sơn, who uses Zalo (onboarding has tests of
    its own)."""
    async with app.session_factory() as session, session.begin():
        person, _ = await Users(session).create_with_identity("zalo", user.id, language="vi")
        places = Places(session)
        province = (await places.search_provinces("lang son"))[0]
        commune = (await places.search_communes(province.code, "cao loc"))[0]
        person.role, person.status, person.full_name = Role.PRODUCER, UserStatus.ACTIVE, user.name
        person.province_code, person.commune_code = province.code, commune.code
        person.phone, person.consent_at = "+84912345678", utcnow()


async def up_to_the_photos(app: App, user: ZaloUser) -> None:
    """A producer answers the product idea's questions before the photos."""
    await producer(app, user)
    user.says("/dangky")
    await user.expect("11 câu hỏi", "Câu 1/11")
    for answer, question in (
        ("HTX Mật ong Cao Lộc", "Câu 2/11"),
        ("htx", "Câu 3/11"),
        ("Mật ong bạc hà", "Câu 4/11"),
        ("1", "Câu 5/11"),
        ("Mật ong hoa bạc hà thu hoạch trên núi đá.", "Câu 6/11"),
        ("Đàn ong của các hộ thành viên", "Câu 7/11"),
        ("2 tấn", "Câu 8/11"),
        ("2, 5", "Câu 9/11"),
        ("/boqua", "Câu 10/11"),
        ("/boqua", "Câu 11/11"),
    ):
        user.says(answer)
        await user.expect(question)


@bounded(90)
async def test_a_product_idea_keeps_the_photo_the_bot_downloaded(
    app: App, zalo: FakeZaloServer
) -> None:
    hoa = zalo.user("a0b1c2d3", "Hoa")
    async with running(app, zalo):
        await up_to_the_photos(app, hoa)
        hoa.sends_photo("Hũ mật ong", content=JPEG)
        await hoa.expect("Đã nhận ảnh 1")
        zalo.photos.clear()  # Zalo's URL expires: our copy is what counts from now on
        hoa.says("xong")
        await hoa.expect("Anh/chị vui lòng kiểm tra lại")
        hoa.says("gửi")
        await hoa.expect("Đã gửi")
        await settled(app, zalo)
    async with app.session_factory() as session:
        submission = (
            await session.scalars(select(Submission).where(Submission.form_id == "product_idea"))
        ).one()
        [reference] = submission.answers["photos"]
        file_id = ref_id(reference)
        assert file_id is not None, reference
        info = await StoredFiles(session).info(file_id)
        content = await StoredFiles(session).content(file_id)
    assert info is not None and (info.kind, info.content_type) == ("photo", "image/jpeg")
    assert info.expires_at is None  # a report's photo is kept, not a download
    assert content == JPEG and info.size == len(JPEG)


@bounded(90)
async def test_a_photo_that_cannot_be_taken_is_asked_for_again(
    app: App, zalo: FakeZaloServer
) -> None:
    lan = zalo.user("e4f5a6b7", "Lan")
    async with running(app, zalo):
        await up_to_the_photos(app, lan)
        gone = lan.sends_photo(content=JPEG)
        zalo.photos.clear()  # expired before the bot came to it
        await lan.expect("chưa nhận được ảnh. Anh/chị vui lòng gửi lại ảnh")
        lan.sends_photo(content=b"%PDF-1.7 not a photo")
        await lan.expect("không phải là ảnh")
        lan.sends_photo(content=JPEG)
        await lan.expect("Đã nhận ảnh 1")  # still at the photo question: nothing was lost
        zalo.push(gone)  # Zalo delivers the failed one again: already answered, dropped
        lan.says("xong")
        await lan.expect("Anh/chị vui lòng kiểm tra lại")
        await settled(app, zalo)
    async with app.session_factory() as session:
        kept = (await session.scalars(select(StoredFile))).all()
    assert len(kept) == 1 and kept[0].size == len(JPEG)


@bounded(60)
async def test_without_the_override_a_local_address_is_never_downloaded(
    database_url: str, zalo: FakeZaloServer
) -> None:
    app = await make_app(database_url, zalo)  # production: public addresses only
    try:
        hoa = zalo.user("c0ffee01", "Hoa")
        async with running(app, zalo):
            await producer(app, hoa)
            hoa.sends_photo(content=JPEG)
            await hoa.expect("gửi lại ảnh")
            await settled(app, zalo)
        async with app.session_factory() as session:
            assert (await session.scalars(select(StoredFile))).all() == []
    finally:
        await app.close()
