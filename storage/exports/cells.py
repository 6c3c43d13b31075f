"""What may go into a cell, and the one rule that keeps a user's answer from becoming a formula.

Excel, LibreOffice and Google Sheets run a cell that starts with ``=``, ``+``, ``-`` or ``@``
as a formula (``=HYPERLINK(...)`` can leak data or open a link), and a leading tab or line
break hides such a start. Their full-width forms ``＝＋－＠`` count too: an East Asian input
method types them, and a spreadsheet may take them for the ASCII signs. Every text cell of
every export goes through :func:`inert`, in the writers, so no code path can forget it;
numbers are written as numbers and are never touched.
"""

from __future__ import annotations

import math
import re
from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum

# A cell value: text, a number, a date or time (local, naive), or None for an empty cell.
Value = str | int | float | Decimal | date | datetime | None

# The signs that start a formula, ASCII and full-width (U+FF1D, U+FF0B, U+FF0D, U+FF20).
FORMULA_SIGNS = "=+-@\uff1d\uff0b\uff0d\uff20"
FORMULA_STARTS = (*FORMULA_SIGNS, "\t", "\r", "\n")  # and the blanks that hide one
FORMULA_FIRST = frozenset(FORMULA_STARTS)  # the same, for a one-character lookup
XLSX_MAX_TEXT = 32_767  # characters in one cell; the writer refuses a longer string

EXCEL_MAX_ROWS = 1_048_576  # rows per worksheet, the header included
SHEET_NAME_MAX = 31
_SHEET_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")


def inert(text: str) -> str:
    """Prefix ``'`` to text a spreadsheet would read as a formula (OWASP's advice).

    The apostrophe is the character people themselves type in Excel to say "this is text";
    it stays visible, which is the point: the reader sees what the user typed.
    """
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def xlsx_text(text: str) -> str:
    """Text as it may go into an .xlsx cell: :func:`inert`, and cut at Excel's 32,767
    characters (rust_xlsxwriter refuses a longer string, which would end the whole export).

    rust_xlsxwriter escapes every string it writes (``<r>...</r>`` included, which the
    Python xlsxwriter used to copy into the XML as rich text), so nothing else is needed.
    Most text starts with a letter or digit: one set lookup of the first character settles
    it without the slower checks.
    """
    if text and text[0] in FORMULA_FIRST:
        text = "'" + text
    return text if len(text) <= XLSX_MAX_TEXT else text[:XLSX_MAX_TEXT]


def finite_number(value: int | float | Decimal) -> int | float | None:
    """A spreadsheet number, or None when the value is not a finite number."""
    if isinstance(value, Decimal):
        if not value.is_finite():
            return None
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, float) and not math.isfinite(value):  # NaN or infinity: not a cell
        return None
    return value


class Kind(StrEnum):
    """How a column is shown: it decides the cell format and the column width."""

    TEXT = "text"
    LONG_TEXT = "long_text"
    CODE = "code"  # official codes, kept as zero-padded text ("01", "06193")
    INTEGER = "integer"
    NUMBER = "number"
    DATE = "date"
    DATETIME = "datetime"


def sheet_name(base: str, taken: set[str], part: int = 1) -> str:
    """A valid, unused worksheet name: at most 31 characters, no ``[]:*?/\\``, unique
    ignoring case (as Excel compares them); part 2 and on are named "Base (2)"."""
    clean = _SHEET_FORBIDDEN.sub(" ", base).strip().strip("'") or "Sheet"
    suffix = f" ({part})" if part > 1 else ""
    name = clean[: SHEET_NAME_MAX - len(suffix)].rstrip() + suffix
    counter = 2
    while name.casefold() in taken:
        extra = f" ~{counter}"
        name = clean[: SHEET_NAME_MAX - len(suffix) - len(extra)].rstrip() + extra + suffix
        counter += 1
    taken.add(name.casefold())
    return name
