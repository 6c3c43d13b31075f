"""Deadline, lock and reminder rules: pure date arithmetic, no storage, no clock.

A rule turns a reporting period into dates: when the report is due (the deadline day), when
the period locks (no more late reports), when it opens for filing, and on which days its
reminders go out. Keeping this pure lets the forms, the reminders, the admin commands, the
exports and the tests share one definition and check it without a database or a clock.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from forms.periods import MONTHS_IN, Period, PeriodKind, period_of, previous_period

# Who is reminded of a report: the officers of every commune (the commune files one report
# for all of them), every active producer, or only producers with a registered product.
COMMUNE_OFFICERS = "commune_officers"
PRODUCERS = "producers"
PRODUCERS_WITH_PRODUCT = "producers_with_product"
AUDIENCES = (COMMUNE_OFFICERS, PRODUCERS, PRODUCERS_WITH_PRODUCT)

# Which month of the period the deadline day falls in (besides "1".."12": the n-th month).
FIRST, LAST, NEXT = "first", "last", "next"

MAX_OPEN_PERIODS = 36  # how far back a lock rule may keep periods open (3 years of months)


def month_length(year: int, month: int) -> int:
    first_next = date(year + (month == 12), month % 12 + 1, 1)
    return (first_next - timedelta(days=1)).day


def add_months(day: date, months: int) -> date:
    """Same day ``months`` later, the month's last day when it has no such day (31 Jan + 1
    month = 29 Feb in a leap year): how "valid for 36 months" is read."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    return date(year, month + 1, min(day.day, month_length(year, month + 1)))


def end_of_day(day: date, zone: ZoneInfo) -> datetime:
    """The last instant of ``day`` in local time: a deadline is met all through its day."""
    return datetime.combine(day, time.max, tzinfo=zone)


def on_time(submitted_at: datetime, deadline: date, zone: ZoneInfo) -> bool:
    """Timeliness as DHIS2 counts it: first submitted by the end of the deadline day (local)."""
    return submitted_at.astimezone(zone).date() <= deadline


@dataclass(frozen=True)
class DeadlineRule:
    """ "Day ``day`` of ``month``": month is ``first`` / ``last`` (of the period), ``next``
    (the month after the period ends) or "n" (the n-th month of the period). A day past the
    month's end means its last day, so ``31`` reads "the last day of the month"."""

    day: int
    month: str = LAST

    def check(self, kind: PeriodKind) -> None:
        """Raise ValueError when the rule cannot apply to periods of ``kind``."""
        if not 1 <= self.day <= 31:
            raise ValueError(f"day must be 1 to 31, not {self.day}")
        if self.month in (FIRST, LAST, NEXT):
            return
        if not self.month.isdigit() or not 1 <= int(self.month) <= MONTHS_IN[kind]:
            raise ValueError(
                f"month must be first, last, next or 1 to {MONTHS_IN[kind]} "
                f"for a {kind} report, not {self.month!r}"
            )

    def deadline(self, period: Period) -> date:
        if self.month == FIRST:
            year, month = period.start.year, period.start.month
        elif self.month == LAST:
            year, month = period.end.year, period.end.month
        elif self.month == NEXT:
            after = period.end + timedelta(days=1)
            year, month = after.year, after.month
        else:
            shifted = add_months(period.start.replace(day=1), int(self.month) - 1)
            year, month = shifted.year, shifted.month
        return date(year, month, min(self.day, month_length(year, month)))


def reminder_kind(offset: int) -> str:
    """Stable names for dedupe keys: ``before-7``, ``due`` (the deadline's morning), ``after-3``."""
    if offset > 0:
        return f"before-{offset}"
    if offset == 0:
        return "due"
    return f"after-{-offset}"


@dataclass(frozen=True)
class ReminderPlan:
    """When reminders go out, in days relative to a deadline.

    ``before`` counts days before the deadline (0 is its morning), ``after`` days after it;
    with ``weekly`` a reminder follows every 7 days after the last ``after`` day until the
    lock date.
    """

    before: tuple[int, ...] = (7, 3, 1, 0)
    after: tuple[int, ...] = (1, 3)
    weekly: bool = True
    enabled: bool = True

    def offsets(self, deadline: date, lock: date) -> list[tuple[date, str]]:
        """Every reminder day up to ``lock``, in date order."""
        days: dict[date, str] = {}
        for n in self.before:
            days[deadline - timedelta(days=n)] = reminder_kind(n)
        for n in self.after:
            days[deadline + timedelta(days=n)] = reminder_kind(-n)
        if self.weekly:
            n = max(self.after, default=0) + 7
            while deadline + timedelta(days=n) <= lock:
                days[deadline + timedelta(days=n)] = reminder_kind(-n)
                n += 7
        return sorted((d, k) for d, k in days.items() if d <= lock)


def latest_due(days: list[tuple[date, str]], today: date) -> tuple[date, str] | None:
    """The catch-up rule: of the reminder days up to today, only the latest still counts.

    An earlier one that was never sent (the bot was down) is superseded by it: a "7 days
    left" missed until 1 day is left is replaced by the "1 day left" one, whose text counts
    the days from today anyway.
    """
    due = [item for item in days if item[0] <= today]
    return due[-1] if due else None


@dataclass(frozen=True)
class ReportRule:
    """One report type's calendar: its period, deadline, lock, audience and reminders."""

    form_id: str
    period: PeriodKind
    deadline_rule: DeadlineRule
    lock_days: int
    audience: str
    reminders: ReminderPlan = ReminderPlan()
    # A form attached to the calendar on this day (storage/installed_forms.py): the periods
    # that had ended by then are not expected, reminded of, nor offered for filing.
    expected_from: date | None = None

    def expected(self, period: Period) -> bool:
        return self.expected_from is None or period.end >= self.expected_from

    def with_overrides(
        self, *, day: int | None, month: str | None, lock_days: int | None
    ) -> ReportRule:
        """A province's own deadline: the fields it set, the national ones for the rest."""
        rule = DeadlineRule(
            day if day is not None else self.deadline_rule.day,
            month if month is not None else self.deadline_rule.month,
        )
        return replace(
            self,
            deadline_rule=rule,
            lock_days=lock_days if lock_days is not None else self.lock_days,
        )

    def deadline(self, period: Period) -> date:
        return self.deadline_rule.deadline(period)

    def lock_date(self, period: Period) -> date:
        """The last day a late report of ``period`` is still taken (and reminded of)."""
        return self.deadline(period) + timedelta(days=self.lock_days)

    def opens(self, period: Period) -> date:
        """When reports of ``period`` start: at its start when due within it, otherwise (due
        after it, e.g. "day 15 of the next month") when it has ended."""
        if self.deadline(period) <= period.end:
            return period.start
        return period.end + timedelta(days=1)

    def open_periods(self, today: date) -> list[Period]:
        """Periods a report may be filed for today (opened, not locked), oldest first."""
        found: list[Period] = []
        period = period_of(self.period, today)
        for _ in range(MAX_OPEN_PERIODS):
            if self.lock_date(period) < today or not self.expected(period):
                break  # earlier periods locked earlier still, or ended earlier still
            if self.opens(period) <= today:
                found.append(period)
            period = previous_period(period)
        found.reverse()
        return found

    def reminder_days(self, period: Period) -> list[tuple[date, str]]:
        """The reminder days of ``period``: none before it opens, none after it locks."""
        if not self.reminders.enabled or not self.expected(period):
            return []
        opens = self.opens(period)
        days = self.reminders.offsets(self.deadline(period), self.lock_date(period))
        return [(d, k) for d, k in days if d >= opens]

    def due_reminder(self, period: Period, today: date) -> tuple[date, str] | None:
        if not self.opens(period) <= today <= self.lock_date(period):
            return None
        return latest_due(self.reminder_days(period), today)


@dataclass(frozen=True)
class CampaignRule:
    """A one-off deadline such as an evaluation round ("before 15 May"), kept as data.

    Reminded before the date only. With ``form_id`` its reminder carries that form's button,
    and whoever filed the form since ``opens`` counts as done.
    """

    key: str
    title_vi: str
    title_en: str | None
    deadline: date
    audience: str
    opens: date | None = None
    province_code: int | None = None
    form_id: str | None = None
    before: tuple[int, ...] = (7, 3, 1, 0)

    def title(self, language: str) -> str:
        return self.title_en if language == "en" and self.title_en else self.title_vi

    def reminder_days(self) -> list[tuple[date, str]]:
        days = sorted((self.deadline - timedelta(days=n), reminder_kind(n)) for n in self.before)
        return [(d, k) for d, k in days if self.opens is None or d >= self.opens]

    def due_reminder(self, today: date) -> tuple[date, str] | None:
        if today > self.deadline:
            return None
        return latest_due(self.reminder_days(), today)

    def applies_to(self, province_code: int | None) -> bool:
        return self.province_code is None or self.province_code == province_code


@dataclass(frozen=True)
class CertificateRule:
    """OCOP certificates are valid ``validity_months`` (36); producers are reminded
    ``before`` days ahead of the end (about 6, 3 and 1 month: a re-evaluation waits for a
    council round, seed 001), and admins' digests list those ending within ``digest_days``.

    Reminders count from the expiry recorded with the certificate (``/xem``: date + 36
    months); :meth:`expiry` works it out for a certificate recorded without one (imports).
    """

    validity_months: int = 36
    before: tuple[int, ...] = (180, 90, 30)
    digest_days: int = 180

    def expiry(self, certified_on: date) -> date:
        """The day the certificate stops being valid."""
        return add_months(certified_on, self.validity_months)

    def reminder_days(self, expiry: date) -> list[tuple[date, str]]:
        return sorted((expiry - timedelta(days=n), reminder_kind(n)) for n in self.before)

    def due_reminder(self, expiry: date, today: date) -> tuple[date, str] | None:
        if today >= expiry:
            return None
        return latest_due(self.reminder_days(expiry), today)
