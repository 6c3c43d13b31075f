"""Writers for the two export formats: an .xlsx workbook and a CSV file.

Both take rows one at a time and keep none of them: xlsxwriter runs in ``constant_memory``
mode (each row goes to a temporary file as soon as the next one starts) and CSV rows go
straight to the output. Text is neutralised here (:func:`~storage.exports.cells.inert`), at
the last step before the file, so that no caller can write a formula by accident.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import IO, Any, Protocol

import xlsxwriter

from storage.exports.cells import EXCEL_MAX_ROWS, Kind, Value, inert, sheet_name

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
    if isinstance(value, float) and value != value:  # NaN
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
            sheet.write_string(0, index, inert(column.header), self.formats["header"])
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
        self.sheet = sink.new_sheet(name, 1, columns)
        self.next_row = 1

    def row(self, values: Sequence[Value]) -> None:
        if self.next_row >= self.sink.row_limit:
            self._finish_sheet()
            self.part += 1
            self.sheet = self.sink.new_sheet(self.name, self.part, self.columns)
            self.next_row = 1
        formats = self.sink.formats
        for index, value in enumerate(values):
            if value is None or value == "":
                continue
            if isinstance(value, str):
                self.sheet.write_string(self.next_row, index, inert(value))
            elif isinstance(value, datetime | date):
                kind = Kind.DATETIME if isinstance(value, datetime) else Kind.DATE
                self.sheet.write_datetime(self.next_row, index, value, formats[kind])
            else:
                number = _number(value)
                if number is None:
                    self.sheet.write_string(self.next_row, index, inert(str(value)))
                else:
                    kind = self.columns[index].kind
                    fmt = formats.get(kind if kind is Kind.INTEGER else Kind.NUMBER)
                    self.sheet.write_number(self.next_row, index, number, fmt)
        self.next_row += 1
        self.rows += 1

    def _finish_sheet(self) -> None:
        """Filters on the header row: their range is only known once the sheet is full."""
        self.sheet.autofilter(0, 0, max(self.next_row - 1, 1), len(self.columns) - 1)


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


def _csv_cell(value: Value) -> str:
    if value is None:
        return ""
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
