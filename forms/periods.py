"""Reporting periods: the keys reports are filed under ("2024-Q2", "2024-06", "2024").

Which period a report started today belongs to is the reporting calendar's decision
(:func:`scheduler.filing.filing_period`, which knows deadlines and lock dates);
:func:`current_period` stays as the calendar-free answer (the period containing the day).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum

from bot.text import fold


class PeriodKind(StrEnum):
    MONTH = "month"
    QUARTER = "quarter"
    YEAR = "year"
    NONE = "none"  # registrations: not tied to a period


@dataclass(frozen=True)
class Period:
    kind: PeriodKind
    key: str
    start: date
    end: date  # inclusive

    def label(self, language: str) -> str:
        """How people name the period: "quý 2/2024", "tháng 6/2024", "Q2 2024"."""
        if self.kind is PeriodKind.QUARTER:
            quarter = (self.start.month - 1) // 3 + 1
            if language == "vi":
                return f"quý {quarter}/{self.start.year}"
            return f"Q{quarter} {self.start.year}"
        if self.kind is PeriodKind.MONTH:
            if language == "vi":
                return f"tháng {self.start.month}/{self.start.year}"
            return self.start.strftime("%B %Y")
        if self.kind is PeriodKind.YEAR:
            return f"năm {self.start.year}" if language == "vi" else str(self.start.year)
        return ""


def _month_end(year: int, month: int) -> date:
    first_next = date(year + (month == 12), month % 12 + 1, 1)
    return first_next - timedelta(days=1)


def period_of(kind: PeriodKind, day: date) -> Period:
    if kind is PeriodKind.MONTH:
        return Period(
            kind, f"{day.year}-{day.month:02d}", day.replace(day=1), _month_end(day.year, day.month)
        )
    if kind is PeriodKind.QUARTER:
        quarter = (day.month - 1) // 3 + 1
        first = date(day.year, 3 * quarter - 2, 1)
        return Period(kind, f"{day.year}-Q{quarter}", first, _month_end(day.year, 3 * quarter))
    if kind is PeriodKind.YEAR:
        return Period(kind, str(day.year), date(day.year, 1, 1), date(day.year, 12, 31))
    return Period(kind, "", day, day)


def current_period(kind: PeriodKind, today: date) -> Period:
    """The period containing ``today``. Forms ask the calendar instead
    (:func:`scheduler.filing.filing_period`): a late report may still belong to the last one."""
    return period_of(kind, today)


def previous_period(period: Period) -> Period:
    return period_of(period.kind, period.start - timedelta(days=1))


def next_period(period: Period) -> Period:
    return period_of(period.kind, period.end + timedelta(days=1))


MONTHS_IN = {PeriodKind.MONTH: 1, PeriodKind.QUARTER: 3, PeriodKind.YEAR: 12}


_KEY = re.compile(r"^([0-9]{4})(?:-(Q[1-4]|[0-9]{2}))?$")
# Years a report can be about: OCOP began in 2018; a typo such as 0000 or 9999 is no period
# (and 9999-Q4 would have no next period to compute).
FIRST_YEAR, LAST_YEAR = 2000, 2099


# A period as officials write it (folded: no accents, punctuation as spaces): "quý 3/2026",
# "Q3 2026", "2026 quý 3", "tháng 6/2024", "6/2024", "năm 2024".
_TYPED = (
    (re.compile(r"^(?:quy|q) ?([1-4]) (?:nam )?([0-9]{4})$"), "Q", 1, 2),
    (re.compile(r"^([0-9]{4}) (?:quy|q) ?([1-4])$"), "Q", 2, 1),
    (re.compile(r"^(?:thang |t ?)?([0-9]{1,2}) (?:nam )?([0-9]{4})$"), "M", 1, 2),
    (re.compile(r"^([0-9]{4}) (?:thang |t ?)?([0-9]{1,2})$"), "M", 2, 1),
    (re.compile(r"^nam ([0-9]{4})$"), "Y", 0, 1),
)


def _typed_key(text: str) -> str:
    """The key of a period as typed ("quý 3/2026" → "2026-Q3"), else the text itself."""
    folded = fold(text[:40])
    for pattern, kind, part, year in _TYPED:
        found = pattern.match(folded)
        if found is None:
            continue
        if kind == "Y":
            return found[year]
        if kind == "Q":
            return f"{found[year]}-Q{found[part]}"
        return f"{found[year]}-{int(found[part]):02d}"
    return text


def parse_period(key: str) -> Period | None:
    """``2024-Q2`` / ``2024-06`` / ``2024`` back to a period, or one as people write it
    (``quý 2/2024``, ``Q2 2024``, ``tháng 6/2024``, ``6/2024``); None when it is not one."""
    match = _KEY.match(key.strip().upper()) or _KEY.match(_typed_key(key).strip().upper())
    if not match:
        return None
    year, part = int(match.group(1)), match.group(2)
    if not FIRST_YEAR <= year <= LAST_YEAR:
        return None
    if part is None:
        return period_of(PeriodKind.YEAR, date(year, 1, 1))
    if part.startswith("Q"):
        return period_of(PeriodKind.QUARTER, date(year, 3 * int(part[1]) - 2, 1))
    month = int(part)
    if not 1 <= month <= 12:
        return None
    return period_of(PeriodKind.MONTH, date(year, month, 1))
