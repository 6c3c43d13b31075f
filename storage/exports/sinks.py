"""Writers for the two export formats: an .xlsx workbook and a CSV file.

Both take rows one at a time and keep none of them. The workbook is written by
rustpy-xlsxwriter (a binding of the Rust ``rust_xlsxwriter`` crate, several times faster than
the Python xlsxwriter) in a thread of its own, fed through a bounded queue
(:mod:`storage.exports.bridge`); CSV rows go straight to the output. Text is neutralised
here (:func:`~storage.exports.cells.inert`), at the last step before the file, so that no
caller can write a formula by accident.

rustpy-xlsxwriter writes a workbook in one call that needs every sheet's name up front, so
an .xlsx sink is opened with the plan of its tables (name, columns, rows counted
beforehand), and a table longer than a sheet is split into "Name (2)", "Name (3)"... then.
"""

from __future__ import annotations

import csv
import io
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from functools import partial
from pathlib import Path
from typing import IO, Any, Protocol

import rustpy_xlsxwriter

from storage.exports.bridge import END, Row, RowBridge
from storage.exports.cells import (
    EXCEL_MAX_ROWS,
    FORMULA_FIRST,
    XLSX_MAX_TEXT,
    Kind,
    Value,
    inert,
    sheet_name,
    xlsx_text,
)

Output = str | Path | IO[bytes]


@dataclass(frozen=True)
class Column:
    header: str
    kind: Kind = Kind.TEXT


@dataclass(frozen=True)
class TablePlan:
    """A table the workbook will hold: known before writing starts, ``rows`` included."""

    name: str
    columns: tuple[Column, ...]
    rows: int


class Table(Protocol):
    rows: int

    def row(self, values: Sequence[Value]) -> None: ...
    async def flush(self) -> None: ...
    async def close(self) -> None: ...


class Sink(Protocol):
    sheets: list[str]

    def table(self, name: str, columns: Sequence[Column]) -> Table: ...
    async def finish(self) -> None: ...
    async def abort(self) -> None: ...


class MoreRowsThanPlanned(RuntimeError):
    """A table got more rows than were counted before writing: its sheets are fixed."""


_WIDTHS = {
    Kind.TEXT: 22,
    Kind.LONG_TEXT: 45,
    Kind.CODE: 9,
    Kind.INTEGER: 12,
    Kind.NUMBER: 14,
    Kind.DATE: 12,
    Kind.DATETIME: 17,
}
DATE_FORMAT, DATETIME_FORMAT = "dd/mm/yyyy", "dd/mm/yyyy hh:mm"
# Number formats by column kind; a kind left out shows its numbers as "General".
_NUMBER_FORMATS = {
    Kind.INTEGER: "#,##0",
    Kind.DATE: DATE_FORMAT,
    Kind.DATETIME: DATETIME_FORMAT,
}


def _number(value: int | float | Decimal) -> int | float | None:
    """A spreadsheet number, or None when the value is not a finite number."""
    if isinstance(value, Decimal):
        if not value.is_finite():
            return None
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, float) and not math.isfinite(value):  # NaN or infinity: not a cell
        return None
    return value


class _SameText(str):
    """A header with the same text as an earlier one of its sheet.

    rustpy takes a sheet's headers from the keys of its row dicts, and keys must differ;
    this key equals nothing but itself, so the dict keeps both columns while the header
    cell shows exactly the text given.
    """

    __slots__ = ()
    __hash__ = object.__hash__

    def __eq__(self, other: object) -> bool:
        return self is other

    def __ne__(self, other: object) -> bool:
        return self is not other


def header_keys(columns: Sequence[Column]) -> tuple[str, ...]:
    """The row dicts' keys: each column's header text, a repeated one made a distinct key."""
    keys: list[str] = []
    seen: set[str] = set()
    for column in columns:
        text = xlsx_text(column.header)
        keys.append(_SameText(text) if text in seen else text)
        seen.add(text)
    return tuple(keys)


def _xlsx_other(value: Any) -> Any:
    """A value of a rarer type as rustpy should get it: numbers finite (else text),
    subclasses of text as checked text, anything unknown as its checked text."""
    if isinstance(value, str):
        return xlsx_text(str(value))
    if isinstance(value, date):  # datetime too: rustpy writes either as an Excel date
        return value
    if isinstance(value, int | float | Decimal):
        number = _number(value)
        if number is None:
            return xlsx_text(str(value))
        return int(number) if isinstance(number, int) else number  # bool → 1 as before
    return xlsx_text(str(value))


def xlsx_row(keys: tuple[str, ...]) -> Callable[[Sequence[Value]], Row]:
    """The function that makes one row dict for rustpy: the common types (text, empty,
    whole numbers, times) are settled inline, by class, and text is checked only when its
    first character could start a formula or it is too long for a cell."""
    risky, longest, other = FORMULA_FIRST, XLSX_MAX_TEXT, _xlsx_other
    str_, int_, datetime_, date_, none = str, int, datetime, date, type(None)

    def convert(values: Sequence[Value]) -> Row:
        cells: Row = {}
        for key, value in zip(keys, values, strict=False):
            cls = value.__class__
            if cls is str_:
                if value and (value[0] in risky or len(value) > longest):  # type: ignore[index, arg-type]
                    value = xlsx_text(value)  # type: ignore[arg-type]
            elif not (cls is none or cls is int_ or cls is datetime_ or cls is date_):
                value = other(value)
            cells[key] = value
        return cells

    return convert


class XlsxSink:
    """A workbook written by rustpy-xlsxwriter in a thread of its own, from the tables
    planned here; a table longer than ``row_limit`` rows (header included) goes on in
    sheets named "Name (2)", "Name (3)"... with the header repeated."""

    def __init__(
        self,
        out: Output,
        plans: Sequence[TablePlan],
        *,
        row_limit: int = EXCEL_MAX_ROWS,
        bridge: RowBridge | None = None,
    ) -> None:
        if row_limit < 2:
            raise ValueError("row_limit must leave room for the header and one row")
        self.sheets: list[str] = []
        self._bridge = bridge or RowBridge()
        self._tables: list[XlsxTable] = []
        self._opened = 0
        taken: set[str] = set()
        entries: list[tuple[str, Any]] = []
        options: dict[str, dict[str, Any]] = {
            "column_widths": {},
            "column_formats": {},
            "header_format": {},
            "autofilter": {},
        }
        for plan in plans:
            table = XlsxTable(self._bridge, plan, capacity=row_limit - 1)
            self._tables.append(table)
            for part in range(1, table.parts + 1):
                title = sheet_name(plan.name, taken, part)
                self.sheets.append(title)
                entries.append((title, self._bridge.rows(table.blank)))
                self._sheet_options(options, title, plan.columns)
        if not entries:  # nothing asked for: an empty sheet, as a workbook needs one
            entries.append(("Sheet1", iter(())))
        target = str(out) if isinstance(out, Path) else out
        self._bridge.start(partial(_write_workbook, entries, target, options))

    @staticmethod
    def _sheet_options(
        options: dict[str, dict[str, Any]], title: str, columns: Sequence[Column]
    ) -> None:
        """Widths and number formats by position (headers may repeat), the header style
        and the filters, for one sheet."""
        options["column_widths"][title] = [_WIDTHS[c.kind] for c in columns]
        options["column_formats"][title] = [_number_format(c.kind) for c in columns]
        options["header_format"][title] = _header_format()
        options["autofilter"][title] = True

    def table(self, name: str, columns: Sequence[Column]) -> XlsxTable:
        """The next planned table; tables are written in the order they were planned."""
        if self._opened >= len(self._tables):
            raise ValueError(f"table {name!r} was not planned")
        table = self._tables[self._opened]
        if table.plan.name != name or table.plan.columns != tuple(columns):
            raise ValueError(f"table {name!r} is not the next one planned")
        self._opened += 1
        return table

    async def finish(self) -> None:
        """End every table (those never written become sheets with their header only)
        and wait for the writer to save the file."""
        for table in self._tables:
            await table.close()
        await self._bridge.finish()

    async def abort(self) -> None:
        await self._bridge.abort()


def _write_workbook(entries: list[tuple[str, Any]], target: Any, options: dict[str, Any]) -> None:
    """The blocking write, run in the writer thread. Text is never turned into a formula,
    number or link by rustpy (it has no such guessing), and widths are ours: no autofit."""
    rustpy_xlsxwriter.write_worksheets(
        entries,
        target,
        freeze_panes={"general": {"row": 1, "col": 0}},
        datetime_format=DATETIME_FORMAT,
        autofit=False,
        **options,
    )


def _number_format(kind: Kind) -> rustpy_xlsxwriter.Format | None:
    number_format = _NUMBER_FORMATS.get(kind)
    return (
        None if number_format is None else rustpy_xlsxwriter.Format().set_num_format(number_format)
    )


def _header_format() -> rustpy_xlsxwriter.Format:
    return (
        rustpy_xlsxwriter.Format()
        .set_bold()
        .set_text_wrap()
        .set_align("top")
        .set_background_color("#DDEBF7")
    )


class XlsxTable:
    """The rows of one planned table, gathered into chunks for the writer thread.

    :meth:`row` only converts and collects (it is called for every row, on the event loop);
    :meth:`flush`, once per batch, hands the chunk over, and an end marker after each full
    sheet, so the writer's generators know where one sheet stops and the next begins.
    """

    def __init__(self, bridge: RowBridge, plan: TablePlan, *, capacity: int) -> None:
        self.plan, self._bridge, self._capacity = plan, bridge, capacity
        self.parts = max(1, math.ceil(plan.rows / capacity))
        keys = header_keys(plan.columns)
        self.blank: Row = dict.fromkeys(keys)
        self._convert = xlsx_row(keys)
        self.rows = 0  # data rows written, over all parts
        self._part, self._in_part = 1, 0
        self._chunk: list[Row] = []
        self._ready: list[object] = []
        self._closed = False

    def row(self, values: Sequence[Value]) -> None:
        if self._in_part == self._capacity:
            self._next_part()
        self._chunk.append(self._convert(values))
        self._in_part += 1
        self.rows += 1

    def _next_part(self) -> None:
        if self._part == self.parts:
            raise MoreRowsThanPlanned(
                f"{self.plan.name!r} has more than the {self.plan.rows} rows counted"
            )
        self._seal()
        self._ready.append(END)
        self._part, self._in_part = self._part + 1, 0

    def _seal(self) -> None:
        if self._chunk:
            self._ready.append(self._chunk)
            self._chunk = []

    async def flush(self) -> None:
        """Hand the rows gathered so far to the writer (waits while its queue is full)."""
        self._seal()
        ready, self._ready = self._ready, []
        for item in ready:
            await self._bridge.put(item)

    async def close(self) -> None:
        """End the table: its last sheet, and any planned sheet that got no rows."""
        if self._closed:
            return
        await self.flush()
        self._closed = True
        for _ in range(self.parts - self._part + 1):
            await self._bridge.put(END)


class CsvSink:
    """One table as CSV: UTF-8 with a byte-order mark, so that Excel shows Vietnamese
    correctly when the file is opened with a double click; dates and times in ISO form
    (``2024-06-14 16:30``), which every spreadsheet reads the same way in any locale."""

    def __init__(self, out: Output) -> None:
        self.sheets: list[str] = []
        self._owned: IO[bytes] | None = None
        if isinstance(out, str | Path):
            self._owned = stream = Path(out).open("wb")
        else:
            stream = out
        self._text = io.TextIOWrapper(stream, encoding="utf-8-sig", newline="")
        self._writer = csv.writer(self._text)
        self._table: CsvTable | None = None

    def table(self, name: str, columns: Sequence[Column]) -> CsvTable:
        if self._table is not None:
            raise ValueError("a CSV file holds one table")
        self.sheets.append(name)
        self._writer.writerow([inert(c.header) for c in columns])
        self._table = CsvTable(self._writer)
        return self._table

    async def finish(self) -> None:
        self._close()

    async def abort(self) -> None:
        self._close()

    def _close(self) -> None:
        self._text.flush()
        self._text.detach()  # leave a caller's stream open
        if self._owned is not None:
            self._owned.close()


class CsvTable:
    def __init__(self, writer: Any) -> None:
        self.writer = writer
        self.rows = 0

    def row(self, values: Sequence[Value]) -> None:
        self.writer.writerow([_csv_cell(value) for value in values])
        self.rows += 1

    async def flush(self) -> None:
        """Nothing to hand over: rows went straight to the file."""

    async def close(self) -> None:
        """Nothing to end: a CSV file has one table."""


def _csv_cell(value: Value) -> str:
    """One CSV field. Text comes first, and only text whose first character could start a
    formula goes through :func:`inert`."""
    if value.__class__ is str:
        return inert(value) if value and value[0] in FORMULA_FIRST else value  # type: ignore[index]
    if value is None:
        return ""
    if value.__class__ is int:
        return str(value)
    if isinstance(value, str):
        return inert(value)
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, date):
        return value.isoformat()
    number = _number(value)
    if number is None:
        return inert(str(value))
    if isinstance(value, Decimal):
        return format(value, "f")
    return str(number)
