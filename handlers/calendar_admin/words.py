"""The words ``/lich`` understands, and the readers of the numbers that follow them.

Words are compared folded (no accents, lower case), so ``khóa`` and ``khoa`` are the same.
"""

from __future__ import annotations

from typing import Any

from bot.text import fold
from forms.periods import PeriodKind
from handlers.arguments import number_in
from scheduler.rules import FIRST, LAST, NEXT, DeadlineRule

DEADLINE = {"han", "deadline"}
LOCK = {"khoa", "lock"}
REMIND = {"nhac", "remind", "reminders"}
RESET = {"macdinh", "reset", "default"}
CAMPAIGN = {"dot", "round", "campaign"}
DELETE = {"xoa", "delete", "remove"}
MONTH_WORDS = {
    "cuoi": LAST, "last": LAST, "dau": FIRST, "first": FIRST, "sau": NEXT, "next": NEXT,
}  # fmt: skip
LAST_DAY = {"cuoi", "last"}
AFTER = {"sau", "after"}
WEEKLY = {"tuan", "hangtuan", "weekly"}
NOT_WEEKLY = {"khongtuan", "noweekly"}
OFF = {"tat", "off"}
ON = {"bat", "on"}
PRODUCER_WORDS = {"chuthe", "producers", "producer"}
COMMUNE_WORDS = {"xa", "communes", "officers"}


def _days(text: str) -> list[int] | None:
    values = []
    for part in text.replace(";", ",").split(","):
        part = part.strip()
        if not part:
            continue
        value = number_in(part, 0, 366)
        if value is None:
            return None
        values.append(value)
    return values


def parse_reminders(words: list[str]) -> dict[str, Any] | None:
    """``7,3,1,0 sau 1,3 tuan`` → the reminder columns; ``tat``/``bat`` → off/on."""
    folded = [fold(w).replace(" ", "") for w in words]
    if folded in ([w] for w in OFF):
        return {"reminders_enabled": False}
    if folded in ([w] for w in ON):
        return {"reminders_enabled": True}
    before: list[int] = []
    after: list[int] = []
    weekly = False
    target = before
    for raw, word in zip(words, folded, strict=True):
        if word in AFTER:
            target = after
        elif word in WEEKLY:
            weekly = True
        elif word in NOT_WEEKLY:
            weekly = False
        else:
            days = _days(raw)
            if days is None:
                return None
            target.extend(days)
    if not before and not after:
        return None
    return {
        "remind_before": sorted(set(before), reverse=True),
        "remind_after": sorted(set(after)),
        "remind_weekly": weekly,
        "reminders_enabled": True,
    }


def parse_deadline(words: list[str], kind: PeriodKind) -> tuple[int, str | None] | None:
    """``20`` or ``15 cuoi``: the day (``cuoi`` is the last, kept as 31) and, if given, the
    month of the period; a month the period does not have is refused here, not saved."""
    if not 1 <= len(words) <= 2:
        return None
    first = fold(words[0])
    if first in LAST_DAY:
        day = 31
    elif number_in(first, 1, 31) is not None:
        day = int(first)
    else:
        return None
    month: str | None = None
    if len(words) == 2:
        second = fold(words[1])
        month = MONTH_WORDS.get(second) or (second if number_in(second, 1, 12) else None)
        if month is None:
            return None
    try:
        DeadlineRule(day, month or LAST).check(kind)
    except ValueError:
        return None
    return day, month
