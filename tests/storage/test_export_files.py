"""Export files as a whole: sheets split at the row limit, inert cells, CSV, names, and a
file written whole or not at all."""

from __future__ import annotations

import csv
import io
import zipfile
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from storage.db import create_engine, create_session_factory
from storage.exports import (
    ExportError,
    export,
    export_filename,
    inert,
)
from tests.storage.test_exports import (
    CAO_LOC,
    FIXED,
    HA_NOI,
    LANG_SON,
    MALICIOUS,
    NATIONAL,
    ON_TIME,
    add_officer,
    at,
    factory,
    file_report,
    report_answers,
    rows_of,
    seeded,
)

__all__ = ["factory", "seeded"]  # fixtures shared with tests/storage/test_exports.py


async def test_a_sheet_is_split_at_the_row_limit(factory: async_sessionmaker[AsyncSession]) -> None:
    async with factory() as session, session.begin():
        for n in range(5):
            user = await add_officer(session, f"Cán bộ {n}", LANG_SON, CAO_LOC)
            await file_report(session, user, report_answers(), at(2024, 6, 1), scope_key=f"x:{n}")
    calls: list[tuple[int, int]] = []
    buffer = io.BytesIO()
    summary = await export(
        factory,
        buffer,
        scope=NATIONAL,
        report="commune_report",
        period="2024-Q2",
        commune_code=CAO_LOC,
        row_limit=3,
        batch_size=2,
        progress=lambda done, total: calls.append((done, total)),
    )
    book = openpyxl.load_workbook(io.BytesIO(buffer.getvalue()))
    name = "Báo cáo OCOP định kỳ của xã"
    assert book.sheetnames == [name, f"{name} (2)", f"{name} (3)", "Tình hình báo cáo"]
    parts = [rows_of(book[n]) for n in book.sheetnames[:3]]
    assert [len(p) for p in parts] == [3, 3, 2]  # header + rows, header repeated
    assert all(p[0][: len(FIXED)] == FIXED for p in parts)
    names = [row[7] for p in parts for row in p[1:]]
    assert sorted(names) == [f"Cán Bộ {n}" for n in range(5)]  # names shown capitalised
    assert summary.submissions == 5 and summary.sheets == book.sheetnames
    assert calls == [(0, 5), (2, 5), (4, 5), (5, 5)]


def test_sheet_names_stay_valid_and_unique() -> None:
    from storage.exports.cells import sheet_name

    taken: set[str] = set()
    long = "Báo cáo tổng hợp kết quả thực hiện Chương trình OCOP"
    first = sheet_name(long, taken)
    assert len(first) == 31
    assert sheet_name(long, taken, 2).endswith(" (2)") and len(sheet_name(long, taken, 3)) <= 31
    assert sheet_name("a/b:c", taken) == "a b c"
    assert sheet_name(long, taken) != first


def test_inert_neutralises_formula_starts_only() -> None:
    for text in ("=1+1", "+1+1", "-1+1", "@SUM(1)", "\t=1", "\r=1"):
        assert inert(text) == "'" + text
    for text in ("Thiếu vốn", "1+1", "", "'=quoted"):
        assert inert(text) == text


def test_the_fast_text_paths_still_neutralise_every_formula_start() -> None:
    """The writers look at a text's first character before calling inert(): whatever
    starts like a formula still gets its apostrophe, and nothing else does."""
    from storage.exports.cells import xlsx_text
    from storage.exports.csv_sink import csv_field

    risky = ["=1+1", "+84912345678", "-", "- thiếu vốn", "@SUM(1)", "\t=1", "\n=1", "\r=1"]
    for text in risky:
        assert xlsx_text(text) == "'" + text
        assert csv_field(text).startswith("\"'")  # quoted text, the apostrophe first
    rich = "<r><t>x</t></r>"
    assert xlsx_text(rich) == rich  # rust_xlsxwriter escapes it (see the next test)
    assert xlsx_text("x" * 40_000) == "x" * 32_767  # Excel's limit; longer would fail
    for text in ("Thiếu vốn", "<b>không phải</b>", "1+1", "", "'=quoted"):
        assert xlsx_text(text) == text
        assert csv_field(text) == f'"{text}"'
    assert csv_field(-2) == "-2" and csv_field(None) == ""


async def test_text_shaped_like_rich_text_xml_stays_text(
    factory: async_sessionmaker[AsyncSession],
) -> None:
    """The Python xlsxwriter copied a string shaped like ``<r>...</r>`` into the sheet's XML
    as it was; rust_xlsxwriter escapes it, so it comes back exactly as typed and adds no
    element (a formula least of all) to the sheet."""
    injected = '<r><t>a</t></r></is><f>HYPERLINK("http://x","y")</f><is><r><t>b</t></r>'
    async with factory() as session, session.begin():
        user = await add_officer(session, "Cán bộ", LANG_SON, CAO_LOC)
        await file_report(session, user, report_answers(difficulties=injected), at(2024, 6, 1))
    buffer = io.BytesIO()
    await export(factory, buffer, scope=NATIONAL, report="commune_report", period="2024-Q2")
    book = openpyxl.load_workbook(io.BytesIO(buffer.getvalue()))
    rows = rows_of(book.worksheets[0])
    row = dict(zip(rows[0], rows[1], strict=True))
    assert row["Khó khăn, vướng mắc"] == injected
    with zipfile.ZipFile(io.BytesIO(buffer.getvalue())) as archive:
        sheet = archive.read("xl/worksheets/sheet1.xml").decode()
    assert "<f>" not in sheet and "HYPERLINK" in sheet


async def test_csv_has_a_bom_one_report_and_inert_text(
    seeded: async_sessionmaker[AsyncSession],
) -> None:
    buffer = io.BytesIO()
    summary = await export(
        seeded,
        buffer,
        scope=NATIONAL,
        report="commune_report",
        period="2024-Q2",
        province_code=LANG_SON,
        fmt="csv",
        on_time=ON_TIME,
    )
    raw = buffer.getvalue()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"), newline="")))
    header = rows[0]
    assert header[: len(FIXED)] == FIXED
    data = {row[3]: dict(zip(header, row, strict=True)) for row in rows[1:]}
    cao_loc = data["Xã Cao Lộc"]
    assert cao_loc["Mã tỉnh"] == "20" and cao_loc["Mã xã"] == "06193"
    assert cao_loc["Thời gian gửi"] == "2024-06-10 09:30"
    assert cao_loc["Khó khăn, vướng mắc"] == "'" + MALICIOUS
    assert cao_loc["Đề xuất, kiến nghị"] == "'+1+1"
    assert cao_loc["Số sản phẩm đã được đánh giá, phân hạng trong kỳ"] == "-2"  # a number
    assert cao_loc["Trạng thái duyệt"] == "Cần bổ sung"
    assert data["Xã Lộc Bình"]["Khó khăn, vướng mắc"] == "Thiếu vốn, đường xá khó khăn"
    assert data["Xã Lộc Bình"]["Đúng hạn"] == "Trễ hạn"
    assert summary.sheets == ["Báo cáo OCOP định kỳ của xã"] and summary.submissions == 2


async def test_a_file_is_written_whole_or_not_at_all(
    seeded: async_sessionmaker[AsyncSession], tmp_path: Path
) -> None:
    folder = tmp_path / "out"
    folder.mkdir()
    out = folder / "q2.xlsx"
    await export(seeded, out, scope=NATIONAL, report="commune_report", period="2024-Q2")
    assert openpyxl.load_workbook(out).sheetnames[0] == "Báo cáo OCOP định kỳ của xã"

    def interrupt(done: int, total: int) -> None:
        if done:
            raise RuntimeError("interrupted")

    broken = folder / "broken.xlsx"
    with pytest.raises(RuntimeError, match="interrupted"):
        await export(seeded, broken, scope=NATIONAL, period="2024-Q2", progress=interrupt)
    assert sorted(p.name for p in folder.iterdir()) == ["q2.xlsx"]


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"report": "nope"}, "Unknown report 'nope'"),
        ({"fmt": "csv"}, "A CSV file holds one report"),
        ({"fmt": "pdf"}, "Unknown format"),
        ({"period": "Q5-2024"}, "is not a period"),
        ({"report": "commune_report", "period": "2024-06"}, "filed once a quarter"),
        ({"province_code": 999}, "no province with code 999"),
        ({"commune_code": 1}, "no commune with code 1"),
        ({"province_code": HA_NOI, "commune_code": CAO_LOC}, "not in the province"),
    ],
)
async def test_wrong_requests_are_one_sentence(
    factory: async_sessionmaker[AsyncSession], options: dict[str, Any], message: str
) -> None:
    with pytest.raises(ExportError, match=message):
        await export(factory, io.BytesIO(), scope=NATIONAL, **options)


def test_file_names_say_what_is_inside() -> None:
    assert (
        export_filename("commune_report", "2024-q2", "xlsx") == "ocop_commune_report_2024-Q2.xlsx"
    )
    assert export_filename(None, None, "csv") == "ocop_all_ALL.csv"


async def test_an_export_on_sqlite_does_not_hold_the_write_lock(sqlite_url: str) -> None:
    """The bot's engine begins every transaction with BEGIN IMMEDIATE; an export reading
    through it would hold off every incoming message until it ends."""
    import sqlite3

    engine = create_engine(sqlite_url)
    factory = create_session_factory(engine)
    async with factory() as session, session.begin():
        for n in range(3):
            user = await add_officer(session, f"Cán bộ {n}", LANG_SON, CAO_LOC)
            await file_report(session, user, report_answers(), at(2024, 6, 1), scope_key=f"x:{n}")
    path = sqlite_url.split("///", 1)[1]
    writes: list[int] = []

    def write_meanwhile(done: int, total: int) -> None:
        if 0 < done < total:  # in the middle of the export
            with sqlite3.connect(path, timeout=1, isolation_level=None) as other:
                other.execute("BEGIN IMMEDIATE")
                other.execute("UPDATE users SET full_name = 'x' WHERE id = 1")
                other.execute("COMMIT")
            writes.append(done)

    await export(
        factory,
        io.BytesIO(),
        scope=NATIONAL,
        report="commune_report",
        batch_size=1,
        progress=write_meanwhile,
    )
    await engine.dispose()
    assert writes == [1, 2]
