"""Where ``/lich`` reads and writes the calendar: in this message's transaction."""

from __future__ import annotations

from handlers.context import Context
from storage.calendar import CalendarRows


def rows_of(ctx: Context) -> CalendarRows:
    """The calendar rows in this message's transaction. Until the pipeline hands handlers a
    calendar store of their own (``Stores.calendar``), the audit log's session is borrowed:
    the change then commits (or not) with the message, as every change must."""
    store = getattr(ctx.stores, "calendar", None)
    if store is not None:
        return store  # type: ignore[no-any-return]
    return CalendarRows(ctx.stores.audit.session)  # type: ignore[attr-defined]
