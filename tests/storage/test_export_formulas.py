"""No answer becomes a formula, whichever list separator the spreadsheet opening the file uses.

Excel opens a .csv with the locale's list separator: ``,`` in English, ``;`` in Vietnamese
(and most of Europe). A file we write with ``,`` is therefore also read split at ``;``, by a
parser that, like Excel and Python's csv module, honours a quote only at the start of a
field: a ``;`` inside an answer starts a new cell there, and so does a line break. These
tests read every CSV both ways and look at the first character of every cell.
"""

from __future__ import annotations

import csv
import io
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import openpyxl
import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from storage.db import create_engine, create_session_factory
from storage.exports import export, inert
from storage.exports.csv_sink import csv_field
from storage.models import Role, User, UserStatus
from storage.scope import Reach, Scope
from storage.submissions import Submissions

LANG_SON, CAO_LOC = 20, 6193
NATIONAL = Scope(Reach.NATIONAL)
# What a spreadsheet runs as a formula at the start of a cell: the ASCII signs and their
# full-width forms (typed with a Vietnamese, Chinese or Japanese input method).
FORMULA_SIGNS = "=+-@＝＋－＠"
OBSERVED = "Mật ong;=1+1;"  # the answer of the issue: a cell "=1+1" in a ';' locale


def runs_as_formula(cell: str) -> bool:
    """True when a spreadsheet would run ``cell``: it starts with a sign or with a blank
    that may hide one, and is not simply a number (``-2`` is a number, and stays one)."""
    if not cell or cell[0] not in FORMULA_SIGNS + "\t\r\n":
        return False
    try:
        float(cell)
    except ValueError:
        return True
    return False


def cells(raw: bytes, separator: str) -> list[str]:
    text = raw.decode("utf-8-sig")
    return [
        cell
        for row in csv.reader(io.StringIO(text, newline=""), delimiter=separator)
        for cell in row
    ]


def answers(**overrides: Any) -> dict[str, Any]:
    values: dict[str, Any] = {
        "products_registered": "12",
        "products_proposed": "3",
        "products_evaluated": "-2",
        "certificates_expiring": "1",
        "coops_new": "1.50",
        "trainings": "0",
        "fairs": "1",
        "sales_points": "4",
        "supermarket_products": "5",
        "difficulties": OBSERVED,
        "proposals": None,
    }
    values.update(overrides)
    return values


@pytest.fixture
async def factory(database_url: str) -> AsyncIterator[async_sessionmaker[AsyncSession]]:
    engine = create_engine(database_url)
    yield create_session_factory(engine)
    await engine.dispose()


async def filed(
    factory: async_sessionmaker[AsyncSession], **overrides: Any
) -> async_sessionmaker[AsyncSession]:
    """One commune report of Cao Lộc with these answers."""
    async with factory() as session, session.begin():
        user = User(
            role=Role.OFFICER,
            status=UserStatus.ACTIVE,
            full_name="Nguyễn Thị Hằng",
            language="vi",
            province_code=LANG_SON,
            commune_code=CAO_LOC,
        )
        session.add(user)
        await session.flush()
        await Submissions(session).create(
            form_id="commune_report",
            period="2024-Q2",
            scope_key=f"commune:{CAO_LOC}",
            receipt_prefix="BCX",
            user=user,
            answers=answers(**overrides),
            now=datetime(2024, 6, 10, 2, 30, tzinfo=UTC),
        )
    return factory


async def exported(factory: async_sessionmaker[AsyncSession], fmt: str) -> bytes:
    buffer = io.BytesIO()
    await export(
        factory, buffer, scope=NATIONAL, report="commune_report", period="2024-Q2", fmt=fmt
    )
    return buffer.getvalue()


def test_a_field_as_it_stands_in_the_file() -> None:
    assert csv_field(OBSERVED) == '"Mật ong;\'=1+1;"'
    assert csv_field("a\r\n- b; c;\td") == "\"a\r\n'- b; c;'\td\""
    assert csv_field('x;"-1') == '"x;\'""-1"'  # the quote is doubled after the apostrophe
    assert csv_field("a; -b, c,-d") == '"a; -b, c,-d"'  # a blank first, or a "," split: safe
    assert csv_field(Decimal("1.50")) == "1.50" and csv_field(Decimal("1E+1")) == "10"
    assert csv_field(float("nan")) == '"nan"' and csv_field(-2.5) == "-2.5"
    assert csv_field(None) == "" and csv_field("") == '""'
    assert csv_field(datetime(2024, 6, 10, 9, 30)) == "2024-06-10 09:30"


def by_header(raw: bytes) -> dict[str, str]:
    header, row = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"), newline="")))
    return dict(zip(header, row, strict=True))


async def test_the_observed_answer_runs_nothing_in_a_semicolon_locale(
    factory: async_sessionmaker[AsyncSession],
) -> None:
    raw = await exported(await filed(factory), "csv")
    for separator in (",", ";"):
        assert not [c for c in cells(raw, separator) if runs_as_formula(c)], separator
    row = by_header(raw)
    assert row["Khó khăn, vướng mắc"] == "Mật ong;'=1+1;"  # what was typed, made inert
    assert row["Số sản phẩm đã được đánh giá, phân hạng trong kỳ"] == "-2"


async def test_every_place_a_cell_may_start_is_checked(
    factory: async_sessionmaker[AsyncSession],
) -> None:
    """After a ';', after a line break, behind quotes or a tab, in ASCII or full width."""
    tricky = 'Thiếu vốn;"@SUM(1)";\t+1\n-1+1\r\n＝1+1;""＠A1; không sao'
    raw = await exported(await filed(factory, difficulties=tricky, proposals="－1"), "csv")
    for separator in (",", ";"):
        assert not [c for c in cells(raw, separator) if runs_as_formula(c)], separator


async def test_text_is_quoted_and_numbers_are_not(
    factory: async_sessionmaker[AsyncSession],
) -> None:
    raw = await exported(await filed(factory, proposals='Có "dấu ngoặc"'), "csv")
    text = raw.decode("utf-8-sig")
    header, row = text.split("\r\n")[:2]
    assert header.startswith('"Mã tỉnh","Tỉnh","Mã xã",')
    assert row.startswith('"20","Lạng Sơn","06193",')
    assert ",12,3,-2," in row and ",1.50," in row  # numbers bare, as typed
    assert '"Có ""dấu ngoặc"""' in row
    assert '"2024-06-10 09:30"' not in row and ",2024-06-10 09:30," in row  # times bare


@pytest.mark.parametrize("sign", ["＝", "＋", "－", "＠"])
def test_full_width_signs_are_formula_starts(sign: str) -> None:
    assert inert(sign + "1+1") == "'" + sign + "1+1"


async def test_full_width_signs_are_neutralised_in_both_formats(
    factory: async_sessionmaker[AsyncSession],
) -> None:
    await filed(factory, difficulties='＝HYPERLINK("http://x","y")', proposals="＋1")
    book = openpyxl.load_workbook(io.BytesIO(await exported(factory, "xlsx")))
    header, row = list(book.worksheets[0].iter_rows(values_only=True))
    answers_xlsx = dict(zip(header, row, strict=True))
    assert answers_xlsx["Khó khăn, vướng mắc"] == '\'＝HYPERLINK("http://x","y")'
    assert answers_xlsx["Đề xuất, kiến nghị"] == "'＋1"
    assert answers_xlsx["Số HTX, doanh nghiệp mới thành lập hoặc được củng cố"] == Decimal("1.5")
    answers_csv = by_header(await exported(factory, "csv"))
    assert answers_csv["Khó khăn, vướng mắc"] == '\'＝HYPERLINK("http://x","y")'
    assert answers_csv["Đề xuất, kiến nghị"] == "'＋1"
