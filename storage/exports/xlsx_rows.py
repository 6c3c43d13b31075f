"""Rows as rustpy-xlsxwriter takes them: one dict per row, keyed by the column headers.

Every row of an export goes through here, so the common types are settled by class, inline,
and text is looked at further only when its first character could start a formula or it is
too long for a cell (:func:`~storage.exports.cells.xlsx_text`).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from storage.exports.bridge import Row
from storage.exports.cells import FORMULA_FIRST, XLSX_MAX_TEXT, Value, finite_number, xlsx_text
from storage.exports.sinks import Column


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
        number = finite_number(value)
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
