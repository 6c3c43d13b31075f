"""The .xlsx writer: a workbook written by rustpy-xlsxwriter in a thread of its own.

rustpy-xlsxwriter (a binding of the Rust ``rust_xlsxwriter`` crate, several times faster than
the Python xlsxwriter) writes a workbook in one blocking call that pulls each sheet's rows
from a generator and needs every sheet's name up front. So a sink is opened with the plan of
its tables (name, columns, rows counted beforehand), a table longer than a sheet is split into
"Name (2)", "Name (3)"... then, and rows reach the writer's thread in chunks through a bounded
queue (:mod:`storage.exports.bridge`).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from functools import partial
from pathlib import Path
from typing import Any

import rustpy_xlsxwriter

from storage.exports.bridge import END, Row, RowBridge
from storage.exports.cells import EXCEL_MAX_ROWS, Kind, Value, sheet_name
from storage.exports.sinks import Column, MoreRowsThanPlanned, Output, TablePlan
from storage.exports.xlsx_rows import header_keys, xlsx_row

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
