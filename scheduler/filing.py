"""Which period a report started today belongs to: the calendar's answer for the forms.

The rule: of the periods open for filing today (opened, and not past their lock date), the
oldest one this commune (or producer) has not filed yet; when all are filed, the newest, so
the form offers to correct it. So a quarterly report started on 5 July is still the Q2
report while Q2 is unfiled and not locked (15 July by default), and the Q3 report once Q2 is
in. This is also what a late reminder's button opens: reminders are only sent for open,
unfiled periods, and the oldest one comes first.

With no calendar entry for the form (or no open period, e.g. between a lock date and the
next period's opening), the period containing today is used.
"""

from __future__ import annotations

import logging
from datetime import date
from typing import Any, Protocol

from forms.periods import Period, PeriodKind, period_of
from scheduler.calendar import Calendar, calendar_in

log = logging.getLogger(__name__)


class FiledLookup(Protocol):
    """What filing needs from the submissions store (``storage.submissions.Submissions``)."""

    async def find(
        self, form_id: str, period: str, scope_key: str, *, lock: bool = False
    ) -> Any | None: ...


async def filing_period(
    submissions: FiledLookup,
    form_id: str,
    kind: PeriodKind,
    today: date,
    *,
    province_code: int | None,
    scope_key: str,
) -> Period:
    if kind is PeriodKind.NONE:
        return period_of(kind, today)
    calendar = await _calendar(submissions)
    rule = calendar.rule(form_id, province_code)
    if rule is None or rule.period is not kind:
        return period_of(kind, today)
    candidates = rule.open_periods(today)
    if not candidates:
        return period_of(kind, today)
    for period in candidates:
        if await submissions.find(form_id, period.key, scope_key) is None:
            return period
    return candidates[-1]


async def _calendar(submissions: FiledLookup) -> Calendar:
    """The database's calendar, read in the message's own transaction when the store shares
    its session (the real one does)."""
    return await calendar_in(getattr(submissions, "session", None))
