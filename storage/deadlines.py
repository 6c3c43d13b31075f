"""When a report of one period is on time, province by province: the one answer the
dashboard's completeness, the chat's ``/tiendo`` and the exports all judge by, so the same
report is never "late" in one of them and "on time" in another.

The deadlines themselves come from the calendar (``Calendar.deadlines`` in
scheduler/calendar.py: the national rule, or a province's own from ``/lich``); this module
only holds them and judges by them, in Python or as an SQL expression.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol

from sqlalchemy import case, cast, literal, null

from storage.models import Commune, UTCDateTime


class DeadlineOf(Protocol):
    """A deadline lookup: the last instant a report of a period is on time for the users of
    ``province_code`` (its own deadline where it set one), None while none is known
    (``scheduler.calendar.deadline_of``)."""

    def __call__(
        self, form_id: str, period_key: str, province_code: int | None = None, /
    ) -> datetime | None: ...


def judged(submitted_at: datetime | None, deadline: datetime | None) -> bool | None:
    """On time = first sent no later than the end of the deadline day; None when nothing
    was sent or no deadline is known (the report is then just "received")."""
    if submitted_at is None or deadline is None:
        return None
    return submitted_at <= deadline


@dataclass(frozen=True)
class Deadlines:
    """The last instant a report of the period is on time: the national one, and the
    provinces that set their own. None: no deadline is known."""

    national: datetime | None
    provinces: Mapping[int, datetime | None] = field(default_factory=dict)

    def of(self, province_code: int | None) -> datetime | None:
        """The deadline of a commune (or producer) of ``province_code``."""
        if province_code is not None and province_code in self.provinces:
            return self.provinces[province_code]
        return self.national

    def on_time(self, province_code: int | None, submitted_at: datetime | None) -> bool | None:
        return judged(submitted_at, self.of(province_code))

    def expression(self, province: Any = Commune.province_code) -> Any:
        """The deadline of each row's ``province`` (a column), as an SQL expression: the
        same answer as :meth:`of`, for counts made in the database."""

        def value(instant: datetime | None) -> Any:
            if instant is None:
                return cast(null(), UTCDateTime())
            return literal(instant, UTCDateTime())

        own = [(province == code, value(d)) for code, d in self.provinces.items()]
        if not own:
            return value(self.national)
        return case(*own, else_=value(self.national))
