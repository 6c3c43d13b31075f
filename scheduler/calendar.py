"""The reporting calendar as the rest of the bot sees it: report rules, provinces' own
deadlines, campaigns and the certificate rule, in one immutable :class:`Calendar`.

Where values come from: the calendar file (defaults), then the database rows (the file's
copy, with admins' changes winning), then a province's own deadline for its users. A
calendar is rebuilt from those whenever it is needed with a database at hand
(:func:`load_calendar`); the process also keeps the last one built (:func:`current_calendar`)
for the few callers that cannot wait for a query, such as the lock check of a form.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from forms.periods import PeriodKind, parse_period
from scheduler.config import CalendarFile, calendar_file
from scheduler.rules import (
    CampaignRule,
    CertificateRule,
    DeadlineRule,
    ReminderPlan,
    ReportRule,
    end_of_day,
    on_time,
)
from storage.calendar import SESSION_CACHE_KEY, CalendarRows
from storage.calendar.rows import ATTACHED
from storage.deadlines import Deadlines
from storage.models import Campaign, ProvinceDeadline, ReportSchedule

log = logging.getLogger(__name__)

DEFAULT_ZONE = ZoneInfo("Asia/Ho_Chi_Minh")


@dataclass(frozen=True)
class ProvinceRule:
    """What a province changed: None fields follow the national rule."""

    day: int | None = None
    month: str | None = None
    lock_days: int | None = None


@dataclass(frozen=True)
class Calendar:
    rules: Mapping[str, ReportRule]
    provinces: Mapping[tuple[str, int], ProvinceRule] = field(default_factory=dict)
    campaigns: tuple[CampaignRule, ...] = ()
    certificates: CertificateRule = field(default_factory=CertificateRule)
    zone: ZoneInfo = DEFAULT_ZONE

    def rule(self, form_id: str, province_code: int | None = None) -> ReportRule | None:
        """The rule for users of ``province_code`` (its own deadline if it set one)."""
        base = self.rules.get(form_id)
        if base is None or province_code is None:
            return base
        own = self.provinces.get((form_id, province_code))
        if own is None:
            return base
        try:
            return base.with_overrides(day=own.day, month=own.month, lock_days=own.lock_days)
        except ValueError:  # pragma: no cover - checked when set
            return base

    def province_rule(self, form_id: str, province_code: int) -> ProvinceRule | None:
        return self.provinces.get((form_id, province_code))

    def deadline(
        self, form_id: str, period_key: str, province_code: int | None = None
    ) -> date | None:
        rule = self.rule(form_id, province_code)
        period = parse_period(period_key)
        if rule is None or period is None or period.kind is not rule.period:
            return None
        return rule.deadline(period)

    def deadline_end(
        self, form_id: str, period_key: str, province_code: int | None = None
    ) -> datetime | None:
        """The last instant a report of the period is on time (end of the deadline day)."""
        day = self.deadline(form_id, period_key, province_code)
        return end_of_day(day, self.zone) if day else None

    def deadlines(self, form_id: str, period_key: str) -> Deadlines:
        """The national deadline of a period and those of the provinces that set their own:
        what the dashboard, /tiendo and the exports judge "on time" by, all alike."""
        own = {
            province: self.deadline_end(form_id, period_key, province)
            for form, province in self.provinces
            if form == form_id
        }
        return Deadlines(self.deadline_end(form_id, period_key), own)

    def lock_date(
        self, form_id: str, period_key: str, province_code: int | None = None
    ) -> date | None:
        rule = self.rule(form_id, province_code)
        period = parse_period(period_key)
        if rule is None or period is None or period.kind is not rule.period:
            return None
        return rule.lock_date(period)

    def on_time(
        self,
        form_id: str,
        period_key: str,
        submitted_at: datetime | None,
        province_code: int | None = None,
    ) -> bool | None:
        """For exports: True/False when the first submission met the deadline; None when
        nothing was submitted or the report has no deadline."""
        day = self.deadline(form_id, period_key, province_code)
        if submitted_at is None or day is None:
            return None
        return on_time(submitted_at, day, self.zone)

    def asked_from(self, form_id: str, period_key: str) -> date | None:
        """The day a report was put on the calendar, when the period had ended before it:
        nobody was asked for that period, so nobody is "missing" it. None otherwise."""
        rule = self.rule(form_id)
        period = parse_period(period_key)
        if rule is None or period is None or period.kind is not rule.period:
            return None
        return None if rule.expected(period) else rule.expected_from

    def is_locked(
        self, form_id: str, period_key: str, today: date, province_code: int | None = None
    ) -> bool:
        """True once the period's lock date has passed (late reports are no longer taken),
        and for a period that had ended before the report was put on the calendar (nobody
        was asked for it: /tiendo and the dashboard then show the current one)."""
        rule = self.rule(form_id, province_code)
        period = parse_period(period_key)
        if rule is not None and period is not None and period.kind is rule.period:
            if not rule.expected(period):
                return True
        lock = self.lock_date(form_id, period_key, province_code)
        return lock is not None and today > lock


# -- building ---------------------------------------------------------------------------------


def schedule_values(rule: ReportRule) -> dict[str, Any]:
    """A rule as the columns of a ``report_schedules`` row."""
    return {
        "period": str(rule.period),
        "deadline_day": rule.deadline_rule.day,
        "deadline_month": rule.deadline_rule.month,
        "lock_days": rule.lock_days,
        "audience": rule.audience,
        "remind_before": list(rule.reminders.before),
        "remind_after": list(rule.reminders.after),
        "remind_weekly": rule.reminders.weekly,
        "reminders_enabled": rule.reminders.enabled,
    }


def campaign_values(rule: CampaignRule) -> dict[str, Any]:
    return {
        "key": rule.key,
        "title_vi": rule.title_vi,
        "title_en": rule.title_en,
        "deadline": rule.deadline,
        "opens": rule.opens,
        "audience": rule.audience,
        "province_code": rule.province_code,
        "form_id": rule.form_id,
        "remind_before": list(rule.before),
    }


def _rule_from_row(row: ReportSchedule, fallback: ReportRule | None) -> ReportRule | None:
    try:
        kind = PeriodKind(row.period)
        deadline = DeadlineRule(row.deadline_day, row.deadline_month)
        deadline.check(kind)
    except ValueError:
        log.warning("calendar row %s is not usable; the file's values apply", row.form_id)
        return fallback
    return ReportRule(
        form_id=row.form_id,
        period=kind,
        deadline_rule=deadline,
        lock_days=row.lock_days,
        audience=row.audience,
        expected_from=row.expected_from,
        reminders=ReminderPlan(
            before=tuple(sorted(set(row.remind_before or []), reverse=True)),
            after=tuple(sorted(set(row.remind_after or []))),
            weekly=row.remind_weekly,
            enabled=row.reminders_enabled,
        ),
    )


def _campaign_from_row(row: Campaign) -> CampaignRule:
    return CampaignRule(
        key=row.key,
        title_vi=row.title_vi,
        title_en=row.title_en,
        deadline=row.deadline,
        audience=row.audience,
        opens=row.opens,
        province_code=row.province_code,
        form_id=row.form_id,
        before=tuple(sorted(set(row.remind_before or []), reverse=True)),
    )


def build_calendar(
    file: CalendarFile,
    *,
    schedules: list[ReportSchedule] | None = None,
    provinces: list[ProvinceDeadline] | None = None,
    campaigns: list[Campaign] | None = None,
    zone: ZoneInfo = DEFAULT_ZONE,
) -> Calendar:
    """The file's rules, replaced by their database rows where those exist (the rows are the
    file's copy with admins' changes), plus provinces' own deadlines and the campaigns.

    Campaigns come from the rows once any exist; before the first start-up sync they come
    from the file, so a fresh database behaves as the file says.
    """
    rules = file.rules()
    for row in schedules or []:
        # A report gone from the file is gone (the sync removes it), unless an admin
        # attached an imported form (ATTACHED): it has no file entry.
        if row.form_id in rules or ATTACHED in (row.admin_set or []):
            rule = _rule_from_row(row, rules.get(row.form_id))
            if rule is not None:
                rules[row.form_id] = rule
    own = {
        (row.form_id, row.province_code): ProvinceRule(
            row.deadline_day, row.deadline_month, row.lock_days
        )
        for row in provinces or []
    }
    if campaigns is None:
        campaign_rules = tuple(spec.rule() for spec in file.campaigns)
    else:
        campaign_rules = tuple(_campaign_from_row(row) for row in campaigns if row.active)
    return Calendar(
        rules=rules,
        provinces=own,
        campaigns=campaign_rules,
        certificates=file.certificates.rule(),
        zone=zone,
    )


async def load_calendar(session: AsyncSession, *, zone: ZoneInfo | None = None) -> Calendar:
    """The calendar as the database has it now (file defaults where it has nothing)."""
    rows = CalendarRows(session)
    all_campaigns = list(await rows.campaigns(active_only=False))
    return build_calendar(
        calendar_file(),
        schedules=list(await rows.schedules()),
        provinces=list(await rows.province_deadlines()),
        campaigns=all_campaigns if all_campaigns else None,
        zone=zone or current_calendar().zone,
    )


async def calendar_in(session: AsyncSession | None, *, zone: ZoneInfo | None = None) -> Calendar:
    """The database's calendar as this transaction sees it, read once per transaction
    (storage.calendar drops the copy when the calendar changes), so an admin's change counts
    at once in every worker; the process's last known one without a session (a fake store)."""
    if session is None:
        return current_calendar()
    cached = session.info.get(SESSION_CACHE_KEY)
    if cached is None:
        cached = session.info[SESSION_CACHE_KEY] = await load_calendar(session, zone=zone)
    return cached


async def sync_calendar_file(session: AsyncSession, file: CalendarFile | None = None) -> None:
    """Copy the calendar file into the database (start-up, by the elected scheduler)."""
    file = file or calendar_file()
    await CalendarRows(session).sync_from_file(
        {form_id: schedule_values(rule) for form_id, rule in file.rules().items()},
        [campaign_values(spec.rule()) for spec in file.campaigns],
    )


# -- the process's last known calendar --------------------------------------------------------

_current: dict[str, Calendar] = {}


def current_calendar() -> Calendar:
    """The last calendar this process built (refreshed by the scheduler), or the file's."""
    found = _current.get("calendar")
    if found is None:
        found = build_calendar(calendar_file())
        _current["calendar"] = found
    return found


def install_calendar(calendar: Calendar | None) -> None:
    """Make ``calendar`` the process's current one (None: rebuild from the file on next use)."""
    if calendar is None:
        _current.pop("calendar", None)
    else:
        _current["calendar"] = calendar


def deadline_of(form_id: str, period_key: str, province_code: int | None = None) -> datetime | None:
    """When a report of a period is due: the end of its deadline day, local time.

    Synchronous, from the process's current calendar (which the scheduler refreshes from
    the database): for a caller without a session. Progress and exports read the database's
    calendar instead (``Calendar.deadlines``), so that an admin's change counts at once.
    """
    return current_calendar().deadline_end(form_id, period_key, province_code)
