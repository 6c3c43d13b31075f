"""The reporting calendar in the database, and the queries a reminder run needs.

:class:`CalendarRows` (``rows``) keeps the schedules, provinces' own deadlines and campaigns
(copied from the calendar file, changed by admins). :class:`ReminderQueries` (``queries``)
answers "who could be reminded, and who already filed?" in a handful of set-based queries.
:class:`ReminderOutbox` (``outbox``) is the part of the outbox the scheduler owns: which
reminder keys exist, and withdrawing unsent ones before quiet hours.
"""

from storage.calendar.chunks import KEY_CHUNK
from storage.calendar.outbox import REMINDER_PREFIXES, ReminderOutbox
from storage.calendar.queries import CertifiedProduct, Person, ReminderQueries
from storage.calendar.rows import (
    CAMPAIGN_FIELDS,
    SCHEDULE_FIELDS,
    SESSION_CACHE_KEY,
    CalendarRows,
)

__all__ = [
    "CAMPAIGN_FIELDS",
    "KEY_CHUNK",
    "REMINDER_PREFIXES",
    "SCHEDULE_FIELDS",
    "SESSION_CACHE_KEY",
    "CalendarRows",
    "CertifiedProduct",
    "Person",
    "ReminderOutbox",
    "ReminderQueries",
]
