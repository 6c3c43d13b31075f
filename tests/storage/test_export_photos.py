"""A product idea's photos in an export: a number column (how many photos the idea has that
the bot still keeps), never the photos' references; a photo erased with its sender is no
longer counted, and a messenger file id of an older answer still is."""

from __future__ import annotations

import csv
import io
from collections.abc import AsyncIterator
from datetime import UTC, datetime

import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from storage.db import create_engine, create_session_factory
from storage.exports import export
from storage.files import FileKind, StoredFiles, file_ref, split
from storage.models import Role, User, UserStatus
from storage.personal_data import erase
from storage.scope import Reach, Scope
from storage.submissions import Submissions
from tests.storage.test_exports import rows_of, xlsx

LANG_SON, CAO_LOC = 20, 6193
HEADER = "Ảnh sản phẩm (tối đa 5 ảnh) — số ảnh"


@pytest.fixture
async def factory(database_url: str) -> AsyncIterator[async_sessionmaker[AsyncSession]]:
    engine = create_engine(database_url)
    yield create_session_factory(engine)
    await engine.dispose()


async def idea(
    session: AsyncSession, name: str, photos: list[str] | None, n: int, user: User
) -> None:
    await Submissions(session).create(
        form_id="product_idea",
        period="",
        scope_key=f"idea:{n}",
        receipt_prefix="YT",
        user=user,
        answers={"product_name": name, "product_group": "food", "photos": photos},
        now=datetime(2024, 6, 10, 3, 0, tzinfo=UTC),
    )


async def producer(session: AsyncSession, name: str) -> User:
    user = User(
        role=Role.PRODUCER,
        status=UserStatus.ACTIVE,
        full_name=name,
        language="vi",
        province_code=LANG_SON,
        commune_code=CAO_LOC,
    )
    session.add(user)
    await session.flush()
    return user


async def photo(session: AsyncSession, owner: User) -> str:
    stored = await StoredFiles(session).add(
        kind=FileKind.PHOTO,
        owner_id=owner.id,
        filename="p.jpg",
        content_type="image/jpeg",
        chunks=split(b"\xff\xd8\xff\xe0 photo"),
    )
    return file_ref(stored.id)


def counts(rows: list[list[object]]) -> dict[object, object]:
    header = rows[0]
    column, name = header.index(HEADER), header.index("Tên sản phẩm")
    return {row[name]: row[column] for row in rows[1:]}


async def test_the_export_counts_the_photos_each_idea_still_has(
    factory: async_sessionmaker[AsyncSession],
) -> None:
    async with factory() as session, session.begin():
        hoa = await producer(session, "Nguyễn Thị Hoa")
        lan = await producer(session, "Lê Thị Lan")
        await idea(
            session, "Mật ong", [await photo(session, hoa), await photo(session, hoa)], 1, hoa
        )
        # An answer of before the bot kept Telegram photos: Telegram's file id, still a photo.
        await idea(session, "Chè", [await photo(session, lan), "AgACAgIAAxkBAAIB"], 2, lan)
        await idea(session, "Miến dong", None, 3, lan)  # no photo sent (optional question)
    book = await xlsx(factory, report="product_idea")
    assert counts(rows_of(book.worksheets[0])) == {"Mật ong": 2, "Chè": 2, "Miến dong": None}

    async with factory() as session, session.begin():
        await erase(session, hoa.id)  # Hoa's photos go with her personal data
    book = await xlsx(factory, report="product_idea")
    assert counts(rows_of(book.worksheets[0])) == {"Mật ong": 0, "Chè": 2, "Miến dong": None}

    buffer = io.BytesIO()
    await export(factory, buffer, scope=Scope(Reach.NATIONAL), report="product_idea", fmt="csv")
    text = buffer.getvalue().decode("utf-8-sig")
    table = list(csv.reader(io.StringIO(text)))
    assert counts(table) == {"Mật ong": "0", "Chè": "2", "Miến dong": ""}
    assert "file:" not in text  # the workbook names no stored file
