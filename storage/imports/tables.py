"""Reading a spreadsheet an office already has (.xlsx or .csv) into numbered rows of fields.

Offices keep their lists in Excel with Vietnamese headers, in their own words and order
("Họ và tên", "SĐT", "Xã/phường"); operators may write English or unaccented headers. Headers
are matched folded (no accents, no case, no punctuation) against a list of aliases, so the
file does not have to be retyped to fit the bot. Row numbers are the spreadsheet's own
(the header is row 1 when it is the first row), so an operator finds a bad row at once.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bot.text import fold

Cell = str | int | float | Any  # openpyxl also gives datetime, date, bool
FORMATS = (".xlsx", ".xlsm", ".csv", ".txt")
# A province's officers or products are thousands of rows; far more is a wrong file, and it
# would only fill memory before being refused.
MAX_ROWS = 50_000
HEADER_SEARCH_ROWS = 10  # non-blank rows searched for the header


class ImportFileError(Exception):
    """The file as a whole cannot be read; the message is one sentence for the operator."""


@dataclass(frozen=True)
class Field:
    """A column the import understands: its name, the headers that mean it, and whether a
    file without it is refused."""

    name: str
    headers: tuple[str, ...]
    required: bool = False

    def matches(self, header: str) -> bool:
        return fold(header) in {fold(h) for h in self.headers}


@dataclass(frozen=True)
class Row:
    number: int  # the spreadsheet's row number
    values: Mapping[str, Cell]  # field name → cell (None when empty)

    def get(self, name: str) -> Cell:
        return self.values.get(name)


def read_rows(
    path: Path, fields: Sequence[Field], *, one_of: Sequence[tuple[str, ...]] = ()
) -> list[Row]:
    """The data rows of the file's first sheet, as fields; blank rows are skipped.

    ``one_of``: groups of fields of which the file needs at least one column (a commune
    by name or by code). Raises :class:`ImportFileError` when the file cannot be read or
    lacks a column it needs. Lists of officers and products are thousands of rows at most,
    so they are read whole: a broken file is refused before the database is touched.
    """
    if not path.is_file():
        raise ImportFileError(f"There is no file {path}.")
    suffix = path.suffix.lower()
    if suffix == ".xls":
        raise ImportFileError(f"{path.name} is an old Excel file (.xls): save it as .xlsx first.")
    if suffix not in FORMATS:
        raise ImportFileError(f"{path.name} is neither .xlsx nor .csv.")
    grid = _xlsx_grid(path) if suffix in (".xlsx", ".xlsm") else _csv_grid(path)
    rows: list[Row] = []
    for row in _rows(grid, fields, one_of, path.name):
        if len(rows) >= MAX_ROWS:
            raise ImportFileError(
                f"{path.name} has more than {MAX_ROWS:,} rows: split it into several files."
            )
        rows.append(row)
    return rows


def _rows(
    grid: Iterator[tuple[int, list[Cell]]],
    fields: Sequence[Field],
    one_of: Sequence[tuple[str, ...]],
    name: str,
) -> Iterator[Row]:
    header: dict[int, str] | None = None
    refused: ImportFileError | None = None
    looked = 0
    for number, cells in grid:
        if all(_blank(cell) for cell in cells):
            continue
        if header is None:
            # Official lists often open with a title ("DANH SÁCH CÁN BỘ ...") above the
            # headers: the header is the first of the top rows that has every needed column.
            try:
                header = _header(cells, fields, one_of, name)
            except ImportFileError as exc:
                refused = refused or exc
                looked += 1
                if looked >= HEADER_SEARCH_ROWS:
                    raise refused from None
            continue
        values = {f: _clean(cells[i]) if i < len(cells) else None for i, f in header.items()}
        yield Row(number, values)
    if header is None:
        raise refused or ImportFileError(f"{name} is empty.")


def _header(
    cells: list[Cell], fields: Sequence[Field], one_of: Sequence[tuple[str, ...]], name: str
) -> dict[int, str]:
    """Which column holds which field; the first column that matches a field wins."""
    found: dict[int, str] = {}
    for index, cell in enumerate(cells):
        if _blank(cell):
            continue
        for field in fields:
            if field.name not in found.values() and field.matches(str(cell)):
                found[index] = field.name
                break
    for field in fields:
        if field.required and field.name not in found.values():
            raise ImportFileError(
                f"{name} has no column for {field.name.replace('_', ' ')} "
                f"(name it one of: {', '.join(field.headers[:4])})."
            )
    by_name = {field.name: field for field in fields}
    for group in one_of:
        if not set(group) & set(found.values()):
            headers = [by_name[n].headers[0] for n in group]
            raise ImportFileError(f"{name} needs a column {' or '.join(repr(h) for h in headers)}.")
    return found


def _blank(cell: Cell) -> bool:
    return cell is None or (isinstance(cell, str) and not cell.strip())


def _clean(cell: Cell) -> Cell:
    if isinstance(cell, str):
        cell = " ".join(cell.split())
        return cell or None
    return cell


def _xlsx_grid(path: Path) -> Iterator[tuple[int, list[Cell]]]:
    import zipfile

    import openpyxl  # only needed for .xlsx
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except (InvalidFileException, zipfile.BadZipFile, OSError, KeyError, ValueError) as exc:
        raise ImportFileError(f"{path.name} cannot be read as an Excel file: {exc}") from None
    try:
        sheet = book.worksheets[0]
        for number, row in enumerate(sheet.iter_rows(values_only=True), start=1):
            yield number, list(row)
    finally:
        book.close()


def _csv_grid(path: Path) -> Iterator[tuple[int, list[Cell]]]:
    """UTF-8 (with or without a BOM); the separator is guessed from the first line, because
    Excel in a Vietnamese locale writes ``;`` (the comma is the decimal mark there)."""
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ImportFileError(
            f"{path.name} is not UTF-8 text: in Excel save it as “CSV UTF-8”, "
            "or import the .xlsx file itself."
        ) from None
    first = text.split("\n", 1)[0]
    delimiter = max(",;\t", key=first.count)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    for number, row in enumerate(reader, start=1):
        yield number, list(row)
