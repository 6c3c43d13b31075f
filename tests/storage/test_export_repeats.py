"""An imported XLSForm's repeat ("thêm nữa không?") in exports: in a workbook a sheet of its
own, one row per instance tied to its report; in CSV numbered columns. The "add another?"
answers are never exported. Read back as an office would, with openpyxl and the csv module."""

from __future__ import annotations

import csv
import io
from collections.abc import AsyncIterator
from typing import Any

import openpyxl
import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from forms.periods import PeriodKind
from forms.schema import Form
from forms.xlsform import check_workbook
from forms.xlsform.to_form import ChatSettings, to_form
from storage.db import create_engine, create_session_factory
from storage.exports import export
from tests.forms.xlsform.workbooks import commune_report
from tests.storage.test_exports import (
    CAO_LOC,
    FIXED,
    LANG_SON,
    LOC_BINH,
    NATIONAL,
    THAT_KHE,
    add_officer,
    at,
    file_report,
    rows_of,
)

TITLE = "Báo cáo OCOP của xã (tỉnh)"
SHEET = "Sản phẩm đề xuất"
COUNT = "Sản phẩm đề xuất — số mục"
KEYS = ["Mã tỉnh", "Tỉnh", "Mã xã", "Xã/phường", "Kỳ báo cáo", "Mã biên nhận", "Mục số"]


def imported() -> Form:
    """The Vietnamese commune report built as an XLSForm, filed quarterly per commune."""
    form, problems, _ = check_workbook(commune_report())
    assert form is not None, problems
    return to_form(form, ChatSettings(period=PeriodKind.QUARTER))


def answers(**extra: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "registered": "5",
        "evaluated": "0",
        "not_evaluated": "5",
        "support": "capital",
        "report_date": "2024-06-10",
        "confirm": "OK",
    }
    base.update(extra)
    return base


@pytest.fixture
async def factory(database_url: str) -> AsyncIterator[async_sessionmaker[AsyncSession]]:
    engine = create_engine(database_url)
    form = imported()
    factory = create_session_factory(engine)
    async with factory() as session, session.begin():
        hang = await add_officer(session, "Nguyễn Thị Hằng", LANG_SON, CAO_LOC)
        duc = await add_officer(session, "Hoàng Văn Đức", LANG_SON, LOC_BINH)
        lan = await add_officer(session, "Lê Thị Lan", LANG_SON, THAT_KHE)
        filed = {"form_id": form.id, "prefix": form.receipt_prefix}
        # Cao Lộc: three products (the third without a price).
        three = answers(
            product_name__1="Mật ong bạc hà",
            price__1="250",
            product__more_1=True,
            product_name__2="Na Chi Lăng",
            price__2="45.5",
            product__more_2=True,
            product_name__3="Hồng không hạt",
            product__more_3=False,
        )
        await file_report(session, hang, three, at(2024, 6, 10, 2), **filed)
        # Lộc Bình: one product; a second one typed, then "no": it is not exported.
        stale = answers(
            product_name__1="=cmd",
            product__more_1=False,
            product_name__2="Bỏ đi",
        )
        await file_report(session, duc, stale, at(2024, 6, 11, 2), **filed)
        # Thất Khê: no product at all.
        await file_report(session, lan, answers(), at(2024, 6, 12, 2), **filed)
    yield factory
    await engine.dispose()


async def workbook(factory: async_sessionmaker[AsyncSession], **options: Any) -> Any:
    buffer = io.BytesIO()
    form = imported()
    summary = await export(
        factory, buffer, scope=NATIONAL, forms={form.id: form}, period="2024-Q2", **options
    )
    buffer.seek(0)
    book = openpyxl.load_workbook(buffer)
    assert summary.sheets == book.sheetnames
    return book


async def test_a_repeat_is_a_sheet_of_its_own(
    factory: async_sessionmaker[AsyncSession],
) -> None:
    book = await workbook(factory)
    assert book.sheetnames == [TITLE, SHEET, "Tình hình báo cáo"]

    main = rows_of(book[TITLE])
    header = main[0]
    assert header[: len(FIXED)] == FIXED
    assert len(set(header)) == len(header)  # no repeated header
    assert not any("thêm" in h or "(1)" in h or "(2)" in h for h in header)
    assert header.index(COUNT) == header.index("Anh/chị vui lòng ghi rõ") + 1
    by_commune = {row[3]: dict(zip(header, row, strict=True)) for row in main[1:]}
    assert len(main) == 4  # one row per submission
    assert by_commune["Xã Cao Lộc"][COUNT] == 3
    assert by_commune["Xã Lộc Bình"][COUNT] == 1
    assert by_commune["Xã Thất Khê"][COUNT] == 0
    assert by_commune["Xã Cao Lộc"]["Số sản phẩm đăng ký"] == 5

    items = rows_of(book[SHEET])
    assert items[0] == [*KEYS, "Tên sản phẩm", "Giá bán (nghìn đồng)"]
    receipts = {row[3]: row[5] for row in main[1:]}
    cao_loc, loc_binh = receipts["Xã Cao Lộc"], receipts["Xã Lộc Bình"]
    assert [row[2:] for row in items[1:]] == [
        ["06193", "Xã Cao Lộc", "quý 2/2024", cao_loc, 1, "Mật ong bạc hà", 250],
        ["06193", "Xã Cao Lộc", "quý 2/2024", cao_loc, 2, "Na Chi Lăng", 45.5],
        ["06193", "Xã Cao Lộc", "quý 2/2024", cao_loc, 3, "Hồng không hạt", None],
        ["06529", "Xã Lộc Bình", "quý 2/2024", loc_binh, 1, "'=cmd", None],
    ]
    assert {row[0] for row in items[1:]} == {"20"} and {row[1] for row in items[1:]} == {"Lạng Sơn"}


async def test_a_long_repeat_goes_on_in_a_second_sheet(
    factory: async_sessionmaker[AsyncSession],
) -> None:
    """Four instances, three rows a sheet: counted before writing, split like any table."""
    book = await workbook(factory, row_limit=4)
    assert book.sheetnames[:4] == [TITLE, SHEET, f"{SHEET} (2)", "Tình hình báo cáo"]
    first, second = rows_of(book[SHEET]), rows_of(book[f"{SHEET} (2)"])
    assert first[0] == second[0] == [*KEYS, "Tên sản phẩm", "Giá bán (nghìn đồng)"]
    assert [row[-2] for row in first[1:] + second[1:]] == [
        "Mật ong bạc hà",
        "Na Chi Lăng",
        "Hồng không hạt",
        "'=cmd",
    ]


async def test_csv_keeps_numbered_columns_without_add_another(
    factory: async_sessionmaker[AsyncSession],
) -> None:
    buffer = io.BytesIO()
    form = imported()
    await export(factory, buffer, scope=NATIONAL, forms={form.id: form}, report=form.id, fmt="csv")
    rows = list(csv.reader(io.StringIO(buffer.getvalue().decode("utf-8-sig"))))
    header = rows[0]
    assert len(set(header)) == len(header)
    assert not any("thêm" in h for h in header)
    start = header.index(COUNT)
    assert header[start + 1 : start + 5] == [
        "Tên sản phẩm (1)",
        "Giá bán (nghìn đồng) (1)",
        "Tên sản phẩm (2)",
        "Giá bán (nghìn đồng) (2)",
    ]
    assert header[start + 20] == "Giá bán (nghìn đồng) (10)"
    by_commune = {row[3]: row for row in rows[1:]}
    assert by_commune["Xã Cao Lộc"][start : start + 7] == [
        "3",
        "Mật ong bạc hà",
        "250",
        "Na Chi Lăng",
        "45.5",
        "Hồng không hạt",
        "",
    ]
    # The second product typed before "no" is not one of the report's products.
    assert by_commune["Xã Lộc Bình"][start : start + 4] == ["1", "'=cmd", "", ""]
    assert by_commune["Xã Thất Khê"][start] == "0"
