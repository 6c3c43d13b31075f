"""The .xlsx writer: rustpy-xlsxwriter in a thread, fed through a bounded queue; it never
hangs, never holds the event loop or the shared thread pool."""

from __future__ import annotations

import asyncio
import concurrent.futures
import io
import threading
import time
from datetime import date, datetime
from decimal import Decimal
from typing import Any

import openpyxl
import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from storage.exports import (
    export,
    xlsx_sink,
)
from storage.exports.bridge import RowBridge
from storage.exports.cells import Kind
from storage.exports.sinks import Column, MoreRowsThanPlanned, TablePlan
from storage.exports.xlsx_sink import XlsxSink
from tests.storage.test_exports import NATIONAL, factory, rows_of, seeded

__all__ = ["factory", "seeded"]  # fixtures shared with tests/storage/test_exports.py


def writer_threads() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name == "xlsx-writer" and t.is_alive()]


SINK_COLUMNS = (
    Column("Mã xã", Kind.CODE),
    Column("Tỉnh"),
    Column("Tỉnh"),  # the same header twice: both columns stay, both show "Tỉnh"
    Column("Số", Kind.INTEGER),
    Column("Tỷ lệ", Kind.NUMBER),
    Column("Ngày", Kind.DATE),
    Column("Thời gian", Kind.DATETIME),
    Column("Ghi chú", Kind.LONG_TEXT),
)


async def test_the_workbook_keeps_types_formats_and_layout() -> None:
    buffer = io.BytesIO()
    sink = XlsxSink(
        buffer, [TablePlan("Bảng", SINK_COLUMNS, 2), TablePlan("Trống", SINK_COLUMNS, 0)]
    )
    table = sink.table("Bảng", SINK_COLUMNS)
    moment = datetime(2024, 6, 10, 9, 30)
    table.row(["06193", "=1+1", "+84912345678", 12, Decimal("1.5"), date(2024, 6, 1), moment, "-5"])
    table.row(["00001", "@x", "Lạng Sơn", -2, float("nan"), None, None, ""])
    await table.flush()
    await sink.finish()
    book = openpyxl.load_workbook(io.BytesIO(buffer.getvalue()))
    assert book.sheetnames == sink.sheets == ["Bảng", "Trống"]
    sheet = book["Bảng"]
    assert rows_of(sheet) == [
        ["Mã xã", "Tỉnh", "Tỉnh", "Số", "Tỷ lệ", "Ngày", "Thời gian", "Ghi chú"],
        ["06193", "'=1+1", "'+84912345678", 12, 1.5, datetime(2024, 6, 1), moment, "'-5"],
        ["00001", "'@x", "Lạng Sơn", -2, "nan", None, None, None],
    ]
    assert all(cell.data_type == "s" for cell in sheet[2][:3])  # text, never a formula
    assert [sheet.cell(2, col).number_format for col in (4, 5, 6, 7)] == [
        "#,##0",
        "General",
        "dd/mm/yyyy",
        "dd/mm/yyyy hh:mm",
    ]
    header = sheet["A1"]
    assert header.font.b and header.alignment.wrap_text and header.alignment.vertical == "top"
    assert header.fill.fgColor.rgb.endswith("DDEBF7")
    assert sheet.freeze_panes == "A2" and sheet.auto_filter.ref == "A1:H3"
    assert round(sheet.column_dimensions["A"].width) == 10  # 9, plus Excel's padding
    assert round(sheet.column_dimensions["H"].width) == 46
    empty = book["Trống"]  # no rows: the header all the same
    assert rows_of(empty)[0] == rows_of(sheet)[0] and empty.freeze_panes == "A2"
    assert not writer_threads()


async def test_a_table_is_split_into_the_sheets_planned_for_it() -> None:
    columns = (Column("Tên"),)
    buffer = io.BytesIO()
    sink = XlsxSink(buffer, [TablePlan("Bảng", columns, 5)], row_limit=3)
    assert sink.sheets == ["Bảng", "Bảng (2)", "Bảng (3)"]  # known before any row
    table = sink.table("Bảng", columns)
    for n in range(4):  # fewer rows than counted: the last sheet keeps its header
        table.row([f"Dòng {n}"])
    await table.flush()
    await sink.finish()
    book = openpyxl.load_workbook(io.BytesIO(buffer.getvalue()))
    assert [rows_of(book[name]) for name in book.sheetnames] == [
        [["Tên"], ["Dòng 0"], ["Dòng 1"]],
        [["Tên"], ["Dòng 2"], ["Dòng 3"]],
        [["Tên"]],
    ]


async def test_more_rows_than_planned_stop_the_table() -> None:
    columns = (Column("Tên"),)
    sink = XlsxSink(io.BytesIO(), [TablePlan("Bảng", columns, 2)], row_limit=3)
    table = sink.table("Bảng", columns)
    table.row(["a"])
    table.row(["b"])
    with pytest.raises(MoreRowsThanPlanned):
        table.row(["c"])
    await sink.abort()
    assert not writer_threads()


async def test_a_writer_that_fails_stops_the_export_instead_of_hanging() -> None:
    """10**400 is no spreadsheet number: rustpy raises in its thread, and the producer
    hears of it at the next hand-over, even while it waits on a full queue."""
    columns = (Column("Số", Kind.INTEGER),)
    sink = XlsxSink(io.BytesIO(), [TablePlan("Bảng", columns, 100)], bridge=RowBridge(max_chunks=1))
    table = sink.table("Bảng", columns)

    async def produce() -> None:
        table.row([10**400])
        for n in range(99):
            await table.flush()
            table.row([n])
        await sink.finish()

    with pytest.raises(OverflowError):
        await asyncio.wait_for(produce(), timeout=20)
    await sink.abort()
    assert not writer_threads()


async def test_a_producer_that_fails_stops_the_writer_and_saves_nothing() -> None:
    columns = (Column("Tên"),)
    buffer = io.BytesIO()
    sink = XlsxSink(buffer, [TablePlan("Bảng", columns, 10)])
    table = sink.table("Bảng", columns)
    table.row(["a"])
    await table.flush()
    await asyncio.wait_for(sink.abort(), timeout=20)  # as run.py does when reading fails
    assert not writer_threads()
    assert buffer.getvalue() == b""


async def test_an_export_that_fails_half_way_leaves_no_writer_running(
    seeded: async_sessionmaker[AsyncSession],
) -> None:
    def interrupt(done: int, total: int) -> None:
        if done:
            raise RuntimeError("interrupted")

    with pytest.raises(RuntimeError, match="interrupted"):
        await export(seeded, io.BytesIO(), scope=NATIONAL, batch_size=1, progress=interrupt)
    assert not writer_threads()


async def test_a_full_queue_does_not_block_the_event_loop(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A slow writer: the producer waits for room off the event loop, which keeps running."""

    def slow_write(entries: list[tuple[str, Any]], target: Any, **_options: Any) -> None:
        for _name, rows in entries:
            for _row in rows:
                time.sleep(0.02)
        target.write(b"done")

    monkeypatch.setattr(xlsx_sink.rustpy_xlsxwriter, "write_worksheets", slow_write)
    columns = (Column("Tên"),)
    buffer = io.BytesIO()
    sink = XlsxSink(buffer, [TablePlan("Bảng", columns, 10)], bridge=RowBridge(max_chunks=1))
    table = sink.table("Bảng", columns)
    ticks = 0

    async def ticker() -> None:
        nonlocal ticks
        while True:
            await asyncio.sleep(0.01)
            ticks += 1

    task = asyncio.create_task(ticker())
    for n in range(10):
        table.row([str(n)])
        await table.flush()  # one row a chunk: the queue is full almost at once
    await sink.finish()
    task.cancel()
    assert buffer.getvalue() == b"done"
    assert ticks >= 5  # ~0.2 s of writing, during which the loop went on


class _RefusingExecutor(concurrent.futures.ThreadPoolExecutor):
    def submit(self, *args: object, **kwargs: object):  # type: ignore[no-untyped-def, override]
        raise AssertionError("the export used the loop's shared thread pool")


async def test_an_export_holds_no_thread_of_the_shared_pool_while_it_waits() -> None:
    """Province admins exporting at once must not take the default pool's few threads
    (aiohttp's DNS look-ups for the Bot API need them): waits are done on the loop."""
    loop = asyncio.get_running_loop()
    refusing = _RefusingExecutor(max_workers=1)
    loop.set_default_executor(refusing)
    try:
        columns = (Column("Số", Kind.INTEGER), Column("Tên"))
        buffer = io.BytesIO()
        plan = [TablePlan("Bảng", columns, 3000)]
        sink = XlsxSink(buffer, plan, bridge=RowBridge(max_chunks=1))
        table = sink.table("Bảng", columns)
        for n in range(3000):
            table.row([n, f"Xã {n}"])
            if n % 100 == 99:
                await table.flush()  # the queue is full most of the time: the writer waits
        await sink.finish()
    finally:
        loop.set_default_executor(concurrent.futures.ThreadPoolExecutor())
        refusing.shutdown()
    sheet = openpyxl.load_workbook(io.BytesIO(buffer.getvalue())).worksheets[0]
    assert sheet.max_row == 3001
