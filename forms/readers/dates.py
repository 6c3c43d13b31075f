"""Dates, day first as Vietnamese write them (``15/3/2024``, ``ngày 15 tháng 3``, ``mùng 5/6``,
``5-6-2024``, ``15/3/2024 10:30``), or relative (``hôm nay``, ``hôm qua``, ``sáng nay``).
``today`` is passed in so the reader stays pure and the caller decides the user's time zone.
"""

from __future__ import annotations

import re
from datetime import date, timedelta

from bot.text import clean
from forms.readers.results import (
    MSG_DATE,
    MSG_DATE_INVALID,
    MSG_DATE_TOO_EARLY,
    MSG_DATE_TOO_LATE,
    Ok,
    Rejected,
    show_date,
    simplify,
)

# Longer than any sensible date: cut early so that a pasted essay costs nothing.
_MAX_DATE_CHARS = 80

_RELATIVE_DAYS: dict[str, int] = {
    "hom nay": 0,
    "hnay": 0,
    "hum nay": 0,
    "bua nay": 0,
    "nay": 0,
    "today": 0,
    "hom qua": -1,
    "hqua": -1,
    "hum qua": -1,
    "bua qua": -1,
    "qua": -1,  # "tối qua", once the part of the day is gone
    "yesterday": -1,
    "hom kia": -2,
    "hum kia": -2,
    "bua kia": -2,
    "ngay mai": 1,
    "mai": 1,
    "tomorrow": 1,
    "ngay kia": 2,
    "ngay mot": 2,
    "mot": 2,
}
# Everything but letters, digits and the marks a date or a time uses becomes a space.
_NOISE = re.compile(r"[^a-z0-9/.\-: ]")
# A time of day, which a date answer may carry: "10:30", "10h30", "10h", "8 giờ 15".
_TIME = re.compile(
    r"(?<![0-9/.\-])[0-9]{1,2} ?(?::|h|g|gio) ?(?:[0-9]{1,2})? ?(?:p|phut)?(?![0-9/.\-])"
)
# Words around a date that say nothing about which day it is.
_FILLER_WORDS = frozenset(
    {"ngay", "mung", "mong", "hom", "vao", "luc", "la", "da", "a", "nhe", "nha", "roi", "vua",
     "sang", "trua", "chieu", "toi", "dem", "am", "pm", "khoang", "tam", "on", "the", "at",
     "date"}
)  # fmt: skip
_WEEKDAY = re.compile(r"\bthu ?(?:[2-7]|hai|ba|tu|nam|sau|bay)\b|^t[2-7]\b|\bchu nhat\b|^cn\b")
# Said around a relative day ("sáng nay", "tối qua ạ"): dropped before looking it up.
_AROUND_RELATIVE = frozenset(
    {"a", "nhe", "nha", "da", "sang", "trua", "chieu", "toi", "dem", "vao", "luc", "roi"}
)
_MONTH_WORD = re.compile(r"(?<=[0-9]) ?(?:thang|thg|th|t) ?(?=[0-9])")
_YEAR_WORD = re.compile(r"(?<=[0-9]) ?,? ?(?:nam|n) ?(?=[0-9]{2,4}\b)")
_ISO_DATE = re.compile(r"([0-9]{4}) ?[-/.] ?([0-9]{1,2}) ?[-/.] ?([0-9]{1,2})")
_DMY_DATE = re.compile(r"([0-9]{1,2}) ?[-/.] ?([0-9]{1,2})(?: ?[-/., ] ?([0-9]{4}|[0-9]{2}))?")
_MIN_YEAR, _MAX_YEAR = 1900, 2199


def _date_str(value: date) -> str:
    """Examples are shown the way the reader asks people to type them."""
    return f"{value.day:02d}/{value.month:02d}/{value.year:04d}"


def _normalised(text: str, today: date) -> str:
    """The answer reduced to its date: no time of day, weekday or filler words; "tháng" and
    "năm" between numbers become ``/``; "tháng này"/"năm nay" become numbers."""
    simplified = _NOISE.sub(" ", simplify(clean(text))).strip()
    simplified = _TIME.sub(" ", simplified).strip()
    simplified = _WEEKDAY.sub(" ", simplified)
    simplified = re.sub(r"\bvua (?:qua|roi)\b", " ", simplified)
    simplified = re.sub(r"\bthang nay\b", f"/{today.month}", simplified)
    simplified = re.sub(r"\bnam (?:nay)\b", f"/{today.year}", simplified)
    simplified = re.sub(r"\bnam (?:ngoai|truoc|roi)\b", f"/{today.year - 1}", simplified)
    words = [w for w in simplified.split() if w not in _FILLER_WORDS]
    joined = " ".join(words).strip(" .,-")
    joined = _MONTH_WORD.sub("/", joined)
    joined = _YEAR_WORD.sub("/", joined)
    return re.sub(r" ?/ ?/? ?", "/", joined)


def _date_parts(normalised: str, today: date) -> tuple[int, int, int] | None:
    """(year, month, day) from a written date, or None when it is not date-shaped."""
    if match := _ISO_DATE.fullmatch(normalised):
        return int(match[1]), int(match[2]), int(match[3])
    match = _DMY_DATE.fullmatch(normalised)
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
    language: str = "vi",
) -> Ok[date] | Rejected:
    """Read a day-first date: ``15/3/2024``, ``15-03-2024``, ``15.03.2024``, ``15/3/24``.

    Also ``15/3`` and ``mùng 5/6`` (in ``today``'s year), ``hôm nay``/``hôm qua``/
    ``hôm kia``/``ngày mai``/``sáng nay``/``tối qua`` (and English today/yesterday/
    tomorrow), ``ngày 15 tháng 3 năm 2024``, ``15 thg 3``, ISO ``2024-03-15``, and a date
    with a time or a weekday (``15/3/2024 10:30``, ``thứ 6, 15/3``: the time is dropped,
    the weekday not checked). ``today`` is passed in, not read from the clock, so that the
    reader stays pure and the caller decides the user's time zone. Two-digit years are
    20yy. ``language`` formats the dates of the bounds in messages.
    """
    example_day = today
    if min_date is not None and example_day < min_date:
        example_day = min_date
    if max_date is not None and example_day > max_date:
        example_day = max_date
    example = {"example": _date_str(example_day)}

    if len(text) > 4 * _MAX_DATE_CHARS:
        return Rejected(MSG_DATE, example)
    relative = [
        word
        for word in _NOISE.sub(" ", simplify(clean(text))).split()
        if word not in _AROUND_RELATIVE
    ]
    normalised = _normalised(text, today)
    if not normalised or len(normalised) > _MAX_DATE_CHARS:
        return Rejected(MSG_DATE, example)
    offset = _RELATIVE_DAYS.get(" ".join(relative)) if len(relative) <= 3 else None
    if offset is not None:
        try:
            value = today + timedelta(days=offset)
        except OverflowError:
            return Rejected(MSG_DATE_INVALID, example)
    else:
        parts = _date_parts(normalised, today)
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
            MSG_DATE_TOO_EARLY,
            {"min": show_date(min_date, language), "example": _date_str(min_date)},
        )
    if max_date is not None and value > max_date:
        return Rejected(
            MSG_DATE_TOO_LATE,
            {"max": show_date(max_date, language), "example": _date_str(max_date)},
        )
    return Ok(value)
