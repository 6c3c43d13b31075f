"""The CSV writer: one table, rows straight to the output.

UTF-8 with a byte-order mark, so that Excel shows Vietnamese correctly when the file is
opened with a double click; dates and times in ISO form (``2024-06-14 16:30``), which every
spreadsheet reads the same way in any locale.

The file is written with ``,``, but Excel opens a .csv with the locale's list separator, and
a Vietnamese (or most European) Windows has ``;``. Quotes cannot be relied on there: a
reader that, like Python's csv module, honours a quote only at the start of a field does not
see ours (they follow a ``,`` it does not split at), so a ``;`` inside an answer starts a new
cell for it, and so may a line break. Hence every text field is quoted (for readers that
split at ``,``) and, inside text, a formula sign that would start a cell after a ``;`` or a
line break gets a ``'`` as a field's first character does (for readers that split at ``;``):
``Mật ong;'=1+1;``. Numbers stay bare, so that every reader takes them for numbers.
"""

from __future__ import annotations

import io
import re
from collections.abc import Sequence
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import IO, TextIO

from storage.exports.cells import FORMULA_FIRST, FORMULA_SIGNS, Value, finite_number
from storage.exports.sinks import Column, Output

LINE_END = "\r\n"  # as the csv module and Excel write it
# Where a reader splitting at ";" (or not seeing a line break as quoted) starts a cell inside
# our text: right after the ";" or the line break. The cell is risky as a field is (inert()):
# a sign or a tab first; quotes in front hide nothing, as such a reader drops them there.
_HIDDEN_START = re.compile(rf"([;\r\n])(?=\"*[{re.escape(FORMULA_SIGNS)}\t])")


def csv_text(text: str) -> str:
    """Text as a quoted field, with a ``'`` wherever a cell could start with a formula."""
    if text and text[0] in FORMULA_FIRST:
        text = "'" + text
    if ";" in text or "\n" in text or "\r" in text:
        text = _HIDDEN_START.sub(r"\1'", text)
    return '"' + text.replace('"', '""') + '"'


def csv_field(value: Value) -> str:
    """One field as it stands in the file. Plain text comes first, as the most common."""
    if value.__class__ is str:
        return csv_text(value)  # type: ignore[arg-type]
    if value is None:
        return ""
    if value.__class__ is int:
        return str(value)
    if isinstance(value, str):
        return csv_text(str(value))
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, date):
        return value.isoformat()
    number = finite_number(value)
    if number is None:  # NaN or infinity: its text, as text
        return csv_text(str(value))
    if isinstance(value, Decimal):
        return format(value, "f")  # the digits as typed: "1.50", never "1.5" or "1E+1"
    return str(number)


class CsvSink:
    """One table as CSV (see the module's docstring for what a field looks like)."""

    def __init__(self, out: Output) -> None:
        self.sheets: list[str] = []
        self._owned: IO[bytes] | None = None
        if isinstance(out, str | Path):
            self._owned = stream = Path(out).open("wb")
        else:
            stream = out
        self._text = io.TextIOWrapper(stream, encoding="utf-8-sig", newline="")
        self._table: CsvTable | None = None

    def table(self, name: str, columns: Sequence[Column]) -> CsvTable:
        if self._table is not None:
            raise ValueError("a CSV file holds one table")
        self.sheets.append(name)
        self._text.write(",".join([csv_text(c.header) for c in columns]) + LINE_END)
        self._table = CsvTable(self._text)
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
    def __init__(self, text: TextIO) -> None:
        self._write = text.write
        self.rows = 0

    def row(self, values: Sequence[Value]) -> None:
        self._write(",".join([csv_field(value) for value in values]) + LINE_END)
        self.rows += 1

    async def flush(self) -> None:
        """Nothing to hand over: rows went straight to the file."""

    async def close(self) -> None:
        """Nothing to end: a CSV file has one table."""
