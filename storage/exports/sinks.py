"""Writers for the two export formats: an .xlsx workbook and a CSV file.

Both take rows one at a time and keep none of them: xlsxwriter runs in ``constant_memory``
mode (each row goes to a temporary file as soon as the next one starts) and CSV rows go
straight to the output. Text is neutralised here (:func:`~storage.exports.cells.inert`), at
the last step before the file, so that no caller can write a formula by accident.
"""

from __future__ import annotations

import csv
import io
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import IO, Any, Protocol

import xlsxwriter

from storage.exports.cells import (
    EXCEL_MAX_ROWS,
    FORMULA_STARTS,
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


class Table(Protocol):
    rows: int

    def row(self, values: Sequence[Value]) -> None: ...


class Sink(Protocol):
    sheets: list[str]

    def table(self, name: str, columns: Sequence[Column]) -> Table: ...
    def close(self) -> None: ...


_WIDTHS = {
    Kind.TEXT: 22,
    Kind.LONG_TEXT: 45,
    Kind.CODE: 9,
    Kind.INTEGER: 12,
    Kind.NUMBER: 14,
    Kind.DATE: 12,
    Kind.DATETIME: 17,
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


class XlsxSink:
    """A workbook written row by row; a table longer than ``row_limit`` (header included)
    goes on in a sheet named "Name (2)", "Name (3)"... with the header repeated."""

    def __init__(self, out: Output, *, row_limit: int = EXCEL_MAX_ROWS) -> None:
        if row_limit < 2:
            raise ValueError("row_limit must leave room for the header and one row")
        self.row_limit = row_limit
        self.sheets: list[str] = []
        self._taken: set[str] = set()
        self._tables: list[XlsxTable] = []
        self.book = xlsxwriter.Workbook(
            str(out) if isinstance(out, Path) else out,
            {
                "constant_memory": True,
                # Never guess: text stays text, whatever it looks like.
                "strings_to_formulas": False,
                "strings_to_numbers": False,
                "strings_to_urls": False,
            },
        )
        self.formats: dict[str, Any] = {
            "header": self.book.add_format(
                {"bold": True, "text_wrap": True, "valign": "top", "bg_color": "#DDEBF7"}
            ),
            Kind.INTEGER: self.book.add_format({"num_format": "#,##0"}),
            Kind.NUMBER: self.book.add_format({"num_format": "General"}),
            Kind.DATE: self.book.add_format({"num_format": "dd/mm/yyyy"}),
            Kind.DATETIME: self.book.add_format({"num_format": "dd/mm/yyyy hh:mm"}),
        }

    def table(self, name: str, columns: Sequence[Column]) -> XlsxTable:
        table = XlsxTable(self, name, list(columns))
        self._tables.append(table)
        return table

    def new_sheet(self, name: str, part: int, columns: list[Column]) -> Any:
        title = sheet_name(name, self._taken, part)
        self.sheets.append(title)
        sheet = self.book.add_worksheet(title)
        for index, column in enumerate(columns):
            sheet.set_column(index, index, _WIDTHS[column.kind])
        sheet.freeze_panes(1, 0)
        for index, column in enumerate(columns):
            sheet.write_string(0, index, xlsx_text(column.header), self.formats["header"])
        return sheet

    def close(self) -> None:
        for table in self._tables:
            table._finish_sheet()
        self.book.close()


class XlsxTable:
    def __init__(self, sink: XlsxSink, name: str, columns: list[Column]) -> None:
        self.sink, self.name, self.columns = sink, name, columns
        self.rows = 0  # data rows written, over all parts
        self.part = 1
        self._start_sheet()

    def _start_sheet(self) -> None:
        """A sheet and, for each column, the function that writes its cells: chosen once
        here rather than worked out again for every cell of every row."""
        self.sheet = self.sink.new_sheet(self.name, self.part, self.columns)
        self._writers = [
            _xlsx_cell_writer(self.sheet, column.kind, self.sink.formats) for column in self.columns
        ]
        self.next_row = 1

    def row(self, values: Sequence[Value]) -> None:
        if self.next_row >= self.sink.row_limit:
            self._finish_sheet()
            self.part += 1
            self._start_sheet()
        row = self.next_row
        for index, (write, value) in enumerate(zip(self._writers, values, strict=False)):
            if value is not None:
                write(row, index, value)
        self.next_row += 1
        self.rows += 1

    def _finish_sheet(self) -> None:
        """Filters on the header row: their range is only known once the sheet is full."""
        self.sheet.autofilter(0, 0, max(self.next_row - 1, 1), len(self.columns) - 1)


CellWriter = Callable[[int, int, Any], None]


def _xlsx_cell_writer(sheet: Any, kind: Kind, formats: dict[Any, Any]) -> CellWriter:
    """The writer of one column's cells: the types the column holds are tried first
    (``__class__ is``, not an ``isinstance`` chain), anything else goes the general way.

    Text goes through :func:`~storage.exports.cells.xlsx_text` whatever the column, and
    an empty string is an empty cell.
    """
    write_string, write_number, write_datetime = (
        sheet.write_string,
        sheet.write_number,
        sheet.write_datetime,
    )
    number_format = formats[Kind.INTEGER] if kind is Kind.INTEGER else formats[Kind.NUMBER]
    date_format, datetime_format = formats[Kind.DATE], formats[Kind.DATETIME]

    def general(row: int, col: int, value: Any) -> None:
        cls = value.__class__
        if cls is str:
            if value:
                write_string(row, col, xlsx_text(value))
        elif cls is int:
            write_number(row, col, value, number_format)
        elif cls is datetime:
            write_datetime(row, col, value, datetime_format)
        elif cls is date:
            write_datetime(row, col, value, date_format)
        elif isinstance(value, str):
            general(row, col, str(value))
        elif isinstance(value, datetime):
            write_datetime(row, col, value, datetime_format)
        elif isinstance(value, date):
            write_datetime(row, col, value, date_format)
        else:
            number = _number(value)
            if number is None:
                write_string(row, col, xlsx_text(str(value)))
            else:
                write_number(row, col, number, number_format)

    if kind in (Kind.TEXT, Kind.LONG_TEXT, Kind.CODE):

        def text(row: int, col: int, value: Any) -> None:
            if value.__class__ is str:
                if value:
                    write_string(row, col, xlsx_text(value))
            else:
                general(row, col, value)

        return text
    if kind is Kind.DATETIME:

        def moment(row: int, col: int, value: Any) -> None:
            if value.__class__ is datetime:
                write_datetime(row, col, value, datetime_format)
            else:
                general(row, col, value)

        return moment
    return general  # numbers and dates: general already tries int and date early


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

    def close(self) -> None:
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


_FORMULA_FIRST = frozenset(FORMULA_STARTS)


def _csv_cell(value: Value) -> str:
    """One CSV field. Text comes first, and only text whose first character could start a
    formula goes through :func:`inert`."""
    if value.__class__ is str:
        return inert(value) if value and value[0] in _FORMULA_FIRST else value  # type: ignore[index]
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
