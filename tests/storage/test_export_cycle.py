"""An idea's row in the export carries its OCOP cycle in the chat's words: state, reason,
the council's score, stars and round, the certificate and its expiry."""

from __future__ import annotations

import csv
import io
from collections.abc import AsyncIterator
from datetime import UTC, date, datetime

import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.i18n import Translator
from storage.db import create_engine, create_session_factory
from storage.exports import export
from storage.exports.cycle import CYCLE_COLUMNS
from storage.models import ProductStatus, Role, User, UserStatus
from storage.products import Certificate, Evaluation, Products
from storage.products_cycle import state_label
from storage.scope import Reach, Scope
from tests.storage.test_exports import file_report, rows_of, xlsx

LANG_SON, CAO_LOC = 20, 6193
S = ProductStatus


def at(day: int, month: int = 3) -> datetime:
    return datetime(2024, month, day, 2, 0, tzinfo=UTC)


@pytest.fixture
async def factory(database_url: str) -> AsyncIterator[async_sessionmaker[AsyncSession]]:
    engine = create_engine(database_url)
    yield create_session_factory(engine)
    await engine.dispose()


async def _ideas(factory: async_sessionmaker[AsyncSession]) -> None:
    """Three ideas of Cao Lộc: one certified, one not selected, one just filed."""
    async with factory() as session, session.begin():
        producer = User(
            role=Role.PRODUCER,
            status=UserStatus.ACTIVE,
            full_name="HTX Chè Tân Thành",
            language="vi",
            province_code=LANG_SON,
            commune_code=CAO_LOC,
        )
        officer = User(role=Role.OFFICER, status=UserStatus.ACTIVE, language="vi")
        session.add_all([producer, officer])
        await session.flush()
        products = Products(session)
        made = []
        for n, name in enumerate(["Chè Shan", "Miến dong", "Mật ong"]):
            submission = await file_report(
                session,
                producer,
                {"product_name": name, "product_group": "drinks"},
                at(10 + n),
                form_id="product_idea",
                period="",
                scope_key=f"idea:{n}",
                prefix="YT",
            )
            made.append(
                await products.add_idea(
                    submission, user=producer, name=name, producer_name=None, group="drinks"
                )
            )
        tea, noodles, _honey = made
        await products.move(tea, S.SELECTED, user_id=officer.id, now=at(20))
        await products.move(
            tea,
            S.EVALUATED,
            user_id=officer.id,
            now=at(14, 5),
            evaluation=Evaluation(score=91, round=1, year=2024),
        )
        await products.move(
            tea,
            S.CERTIFIED,
            user_id=officer.id,
            now=at(20, 5),
            certificate=Certificate("88/QĐ-UBND", date(2024, 5, 18), date(2027, 5, 18)),
        )
        await products.move(
            noodles, S.NOT_SELECTED, user_id=officer.id, now=at(21), reason="Trùng sản phẩm"
        )


async def test_the_workbook_carries_each_ideas_cycle(
    factory: async_sessionmaker[AsyncSession],
) -> None:
    await _ideas(factory)
    book = await xlsx(factory, report="product_idea", province_code=LANG_SON)
    rows = rows_of(book.worksheets[0])
    header = rows[0]
    assert header[-len(CYCLE_COLUMNS) :] == [c.header for c in CYCLE_COLUMNS]
    found = {
        row["Tên sản phẩm"]: row for row in (dict(zip(header, r, strict=True)) for r in rows[1:])
    }
    tea, noodles, honey = found["Chè Shan"], found["Miến dong"], found["Mật ong"]
    vi = Translator("vi")
    # The same words as the chat (/xem, /trangthai), capitalised for a cell.
    certified = state_label(vi, S.CERTIFIED)
    assert tea["Trạng thái OCOP"] == certified[0].upper() + certified[1:]
    assert (tea["Điểm đánh giá"], tea["Hạng sao"], tea["Đợt đánh giá"]) == (91, 5, "1/2024")
    assert tea["Số giấy chứng nhận"] == "88/QĐ-UBND"
    assert tea["Ngày cấp giấy chứng nhận"] == datetime(2024, 5, 18)
    assert tea["Ngày hết hạn giấy chứng nhận"] == datetime(2027, 5, 18)
    assert tea["Ngày chuyển trạng thái"] == datetime(2024, 5, 20, 9, 0)  # Vietnam time
    assert noodles["Trạng thái OCOP"] == "Chưa được chọn năm nay"
    assert noodles["Lý do / nội dung cần bổ sung"] == "Trùng sản phẩm"
    assert noodles["Điểm đánh giá"] is None
    assert honey["Trạng thái OCOP"] == "Đã gửi, đang chờ xem xét"


async def test_a_csv_of_ideas_has_the_cycle_columns_and_a_report_has_none(
    factory: async_sessionmaker[AsyncSession],
) -> None:
    await _ideas(factory)
    buffer = io.BytesIO()
    await export(factory, buffer, scope=Scope(Reach.NATIONAL), report="product_idea", fmt="csv")
    lines = list(csv.reader(io.StringIO(buffer.getvalue().decode("utf-8-sig"))))
    assert lines[0][-len(CYCLE_COLUMNS) :] == [c.header for c in CYCLE_COLUMNS]
    assert len(lines) == 4
    book = await xlsx(factory, report="commune_report", period="2024-Q2")
    assert "Trạng thái OCOP" not in rows_of(book.worksheets[0])[0]
