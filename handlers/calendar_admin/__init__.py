"""``/lich``: the reporting calendar in the chat. Everyone sees the deadlines that concern
them; admins change them.

National admins change the national calendar (deadline, lock, reminder schedule, one-off
campaigns). A province admin sets their province's own deadline and lock (they win over the
national ones for users of that province) and the province's campaigns; the reminder
schedule stays national. Every change is audited, and the file defaults come back with
``macdinh``.

Words are Vietnamese without accents, with English aliases::

    /lich                                   the calendar
    /lich baocao han 20 [cuoi|dau|sau|N]    deadline day (and which month of the period)
    /lich baocao khoa 30                    late reports taken 30 days after the deadline
    /lich baocao nhac 7,3,1,0 sau 1,3 tuan  reminder days (or: nhac tat / nhac bat)
    /lich baocao macdinh                    back to the default
    /lich FORM gan quy 15 [cuoi] [chuthe]   an imported form on the calendar (national)
    /lich FORM go                           ...and off it again
    /lich dot 15/05/2025 [chuthe] TITLE     a one-off deadline (evaluation round)
    /lich dot xoa KEY                       cancel it

The modules: ``dispatch`` (the command), ``attach`` (an imported form), ``view`` (showing the calendar), ``reports`` (a
report's deadline, lock and reminders), ``campaigns`` (one-off deadlines), ``words`` (the
words above and their readers), ``rows`` (the calendar rows of this message).
"""

from handlers.calendar_admin import dispatch  # noqa: F401  (registers /lich)
