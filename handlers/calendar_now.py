"""The calendar as this message's transaction sees it.

Lock dates and deadlines are read from the database (once per transaction), so an admin's
change with ``/lich`` or on the dashboard counts at the very next message in every worker:
a period an admin has just closed takes no more reports, one just reopened takes them again.
The process's own copy (scheduler/calendar.py ``current_calendar``) lags by up to the
scheduler's refresh, and is used only where there is no session (a fake store in tests).
"""

from __future__ import annotations

from datetime import date

from handlers.context import Context
from scheduler.calendar import Calendar, calendar_in


async def calendar_now(ctx: Context) -> Calendar:
    session = getattr(ctx.stores.progress, "session", None)
    return await calendar_in(session, zone=ctx.config.zone)


async def period_locked(ctx: Context, form_id: str, period_key: str, day: date) -> bool:
    """Whether the period no longer takes reports or changes in the user's province."""
    calendar = await calendar_now(ctx)
    return calendar.is_locked(form_id, period_key, day, ctx.user.province_code)
