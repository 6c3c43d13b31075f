"""Dates, day first as Vietnamese write them (``15/3/2024``, ``ngày 15 tháng 3``), or
relative (``hôm nay``, ``hôm qua``). ``today`` is passed in so the reader stays pure and the
caller decides the user's time zone.
"""

from __future__ import annotations

import re
from datetime import date, timedelta

from bot.text import fold
from forms.readers.results import (
    MSG_DATE,
    MSG_DATE_INVALID,
    MSG_DATE_TOO_EARLY,
    MSG_DATE_TOO_LATE,
    Ok,
    Rejected,
    simplify,
)

# Longer than any sensible date: cut early so that a pasted essay costs nothing.
_MAX_DATE_CHARS = 64

_RELATIVE_DAYS: dict[str, int] = {
    "hom nay": 0,
    "bua nay": 0,
    "nay": 0,
    "today": 0,
    "hom qua": -1,
    "bua qua": -1,
    "yesterday": -1,
    "hom kia": -2,
    "bua kia": -2,
    "ngay mai": 1,
    "mai": 1,
    "tomorrow": 1,
}
_ISO_DATE = re.compile(r"([0-9]{4})\s*[-/.]\s*([0-9]{1,2})\s*[-/.]\s*([0-9]{1,2})")
_DMY_DATE = re.compile(
    r"(?:ngay\s*)?([0-9]{1,2})\s*[-/.]\s*([0-9]{1,2})(?:\s*[-/.]\s*([0-9]{4}|[0-9]{2}))?"
)
_WORDED_DATE = re.compile(
    r"(?:ngay )?([0-9]{1,2}) (?:thang|thg|th) ([0-9]{1,2})(?: (?:nam )?([0-9]{4}|[0-9]{2}))?"
)
_MIN_YEAR, _MAX_YEAR = 1900, 2199


def _date_str(value: date) -> str:
    """Dates in messages are shown the way the reader asks people to type them."""
    return f"{value.day:02d}/{value.month:02d}/{value.year:04d}"


def _date_parts(simplified: str, today: date) -> tuple[int, int, int] | None:
    """(year, month, day) from a written date, or None when it is not date-shaped."""
    if match := _ISO_DATE.fullmatch(simplified):
        return int(match[1]), int(match[2]), int(match[3])
    match = _DMY_DATE.fullmatch(simplified) or _WORDED_DATE.fullmatch(fold(simplified))
    if match is None:
        return None
    year_text = match[3]
    if year_text is None:
        year = today.year
    elif len(year_text) == 2:
        year = 2000 + int(year_text)
    else:
        year = int(year_text)
    return year, int(match[2]), int(match[1])


def read_date(
    text: str,
    *,
    today: date,
    min_date: date | None = None,
    max_date: date | None = None,
) -> Ok[date] | Rejected:
    """Read a day-first date: ``15/3/2024``, ``15-03-2024``, ``15.03.2024``, ``15/3/24``.

    Also ``15/3`` (in ``today``'s year), ``hôm nay``/``hôm qua``/``hôm kia``/``ngày mai``
    (and English today/yesterday/tomorrow), ``ngày 15 tháng 3 năm 2024`` and ISO
    ``2024-03-15``. ``today`` is passed in, not read from the clock, so that the reader
    stays pure and the caller decides the user's time zone. Two-digit years are 20yy.
    """
    example_day = today
    if min_date is not None and example_day < min_date:
        example_day = min_date
    if max_date is not None and example_day > max_date:
        example_day = max_date
    example = {"example": _date_str(example_day)}

    simplified = simplify(text).rstrip(" .!?")
    if not simplified or len(simplified) > _MAX_DATE_CHARS:
        return Rejected(MSG_DATE, example)
    offset = _RELATIVE_DAYS.get(fold(simplified))
    if offset is not None:
        try:
            value = today + timedelta(days=offset)
        except OverflowError:
            return Rejected(MSG_DATE_INVALID, example)
    else:
        parts = _date_parts(simplified, today)
        if parts is None:
            return Rejected(MSG_DATE, example)
        year, month, day = parts
        if not _MIN_YEAR <= year <= _MAX_YEAR:
            return Rejected(MSG_DATE_INVALID, example)
        try:
            value = date(year, month, day)
        except ValueError:
            return Rejected(MSG_DATE_INVALID, example)
    if min_date is not None and value < min_date:
        return Rejected(
            MSG_DATE_TOO_EARLY, {"min": _date_str(min_date), "example": _date_str(min_date)}
        )
    if max_date is not None and value > max_date:
        return Rejected(
            MSG_DATE_TOO_LATE, {"max": _date_str(max_date), "example": _date_str(max_date)}
        )
    return Ok(value)
