"""A workbook's sheets as pyxform reads them, with where each value stands (row, column).

pyxform's own reader (``get_xlsform``) turns the survey, choices and settings sheets into
rows of strings; row numbers follow the sheet (empty rows are kept), column letters come
from the header row. The rows, kept as read, are what ``forms export`` writes back.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from forms.xlsform.model import Problem

SHEETS = ("survey", "choices", "settings")
REFUSED_SHEETS = {
    "external_choices": "choices from an external file cannot be offered in a chat",
    "entities": "entities (ODK's shared data) are not supported",
    "osm": "OpenStreetMap questions are not supported",
}


class WorkbookError(Exception):
    """The file is not a workbook pyxform can read."""


@dataclass
class Sheet:
    name: str
    header: list[str]
    rows: list[dict[str, str]]
    letters: dict[str, str] = field(default_factory=dict)

    def column(self, key: str) -> str:
        """``D (appearance)``: the letter the user sees and the header they wrote."""
        letter = self.letters.get(key)
        return f"{letter} ({key})" if letter else key

    def problem(self, index: int, key: str, message: str) -> Problem:
        """A problem at the ``index``-th data row (0-based) in column ``key``."""
        return Problem(self.name, index + 2, self.column(key) if key else "", message)

    def as_json(self) -> dict[str, Any]:
        return {"header": self.header, "rows": self.rows}


@dataclass
class Workbook:
    sheets: dict[str, Sheet]
    stem: str | None
    problems: list[Problem]


def _letter(index: int) -> str:
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def _header_letters(data: bytes) -> dict[str, dict[str, str]]:
    """header text -> column letter, per sheet (lower-cased sheet names)."""
    from openpyxl import load_workbook

    found: dict[str, dict[str, str]] = {}
    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception:
        return found
    try:
        for sheet in book.worksheets:
            letters: dict[str, str] = {}
            for row in sheet.iter_rows(min_row=1, max_row=1, values_only=True):
                for index, value in enumerate(row):
                    if isinstance(value, str) and value.strip():
                        letters[" ".join(value.split())] = _letter(index)
            found[sheet.title.lower()] = letters
    finally:
        book.close()
    return found


def read_workbook(path: Path | str | bytes) -> Workbook:
    """The sheets of an XLSForm workbook (.xlsx); raises :class:`WorkbookError`."""
    from pyxform.errors import PyXFormError
    from pyxform.xls2json_backends import get_xlsform

    data = path if isinstance(path, bytes) else Path(path).read_bytes()
    stem = None if isinstance(path, bytes) else Path(path).stem
    suffix = "" if isinstance(path, bytes) else Path(path).suffix.lower()
    # Excel 97 (.xls) too; a sheet's columns then carry their header, without a letter.
    file_type = suffix if suffix in (".xls", ".xlsm") else ".xlsx"
    try:
        book = get_xlsform(io.BytesIO(data), file_type=file_type)
    except (PyXFormError, ValueError, KeyError, OSError) as exc:
        raise WorkbookError(f"the file cannot be read as an {file_type} workbook: {exc}") from None
    letters = _header_letters(data)
    sheets: dict[str, Sheet] = {}
    problems: list[Problem] = []
    for name in SHEETS:
        rows = getattr(book, name, None) or []
        header = list((getattr(book, f"{name}_header", None) or [{}])[0])
        sheets[name] = Sheet(
            name,
            header,
            [{k: v for k, v in row.items() if v is not None} for row in rows],
            letters.get(name, {}),
        )
    for name, reason in REFUSED_SHEETS.items():
        if getattr(book, name, None):
            problems.append(Problem(name, 0, "", reason))
    if not sheets["survey"].rows:
        problems.append(Problem("survey", 0, "", "there is no survey sheet, or it is empty"))
    return Workbook(sheets, stem, problems)
