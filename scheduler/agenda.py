"""A day's agenda: every reminder and digest due on one day, in a stable order.

It sits above :mod:`scheduler.planner` (reports, campaigns, certificates) and
:mod:`scheduler.digest` (which reuses the planner's helpers), so neither imports the other
back.
"""

from __future__ import annotations

from datetime import date

from scheduler.calendar import Calendar
from scheduler.digest import plan_digests
from scheduler.planner import (
    Planned,
    Snapshot,
    Titles,
    plan_campaigns,
    plan_certificates,
    plan_reports,
)


def plan(calendar: Calendar, snapshot: Snapshot, today: date, titles: Titles) -> list[Planned]:
    """Everything due on ``today``: report, campaign and certificate reminders, digests."""
    planned = [
        *plan_reports(calendar, snapshot, today, titles),
        *plan_campaigns(calendar, snapshot, today),
        *plan_certificates(calendar, snapshot, today),
        *plan_digests(calendar, snapshot, today, titles),
    ]
    planned.sort(key=lambda p: (p.person.user_id, p.topic, p.dedupe_key))
    return planned
