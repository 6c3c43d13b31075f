"""The calendar's date arithmetic and the calendar file, without a database."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from forms.periods import PeriodKind, parse_period
from scheduler.calendar import build_calendar, current_calendar, deadline_of
from scheduler.config import CalendarError, calendar_file, check_against_forms, load_calendar_file
from scheduler.job import SendWindow
from scheduler.rules import (
    CertificateRule,
    DeadlineRule,
    ReminderPlan,
    ReportRule,
    add_months,
    latest_due,
    on_time,
)
from tests.scheduler.conftest import ZONE

D = date


def P(key: str):  # type: ignore[no-untyped-def]
    period = parse_period(key)
    assert period is not None
    return period


@pytest.mark.parametrize(
    ("rule", "period", "due"),
    [
        (DeadlineRule(15, "last"), "2024-Q2", D(2024, 6, 15)),  # seed 000
        (DeadlineRule(15, "first"), "2024-Q2", D(2024, 4, 15)),
        (DeadlineRule(10, "next"), "2024-Q4", D(2025, 1, 10)),
        (DeadlineRule(20, "2"), "2024-Q3", D(2024, 8, 20)),
        (DeadlineRule(20), "2024-06", D(2024, 6, 20)),  # seed 004, commune monthly
        (DeadlineRule(15, "next"), "2024-12", D(2025, 1, 15)),
        (DeadlineRule(31), "2024-02", D(2024, 2, 29)),  # the last day of the month
        (DeadlineRule(15, "3"), "2024", D(2024, 3, 15)),  # yearly plan before 15 March
    ],
)
def test_deadlines(rule: DeadlineRule, period: str, due: date) -> None:
    assert rule.deadline(P(period)) == due


def test_a_month_the_period_does_not_have_is_refused() -> None:
    with pytest.raises(ValueError, match="1 to 3"):
        DeadlineRule(15, "4").check(PeriodKind.QUARTER)
    with pytest.raises(ValueError, match="1 to 31"):
        DeadlineRule(32).check(PeriodKind.MONTH)


QUARTERLY = ReportRule(
    "commune_report", PeriodKind.QUARTER, DeadlineRule(15), 30, "commune_officers"
)


def test_reminder_days_run_weekly_until_the_lock() -> None:
    days = QUARTERLY.reminder_days(P("2024-Q2"))
    assert [(d.isoformat(), k) for d, k in days] == [
        ("2024-06-08", "before-7"),
        ("2024-06-12", "before-3"),
        ("2024-06-14", "before-1"),
        ("2024-06-15", "due"),
        ("2024-06-16", "after-1"),
        ("2024-06-18", "after-3"),
        ("2024-06-25", "after-10"),
        ("2024-07-02", "after-17"),
        ("2024-07-09", "after-24"),
    ]
    assert QUARTERLY.lock_date(P("2024-Q2")) == D(2024, 7, 15)


def test_reminders_before_a_period_opens_are_dropped() -> None:
    early = ReportRule("m", PeriodKind.MONTH, DeadlineRule(3), 5, "producers")
    assert [k for _, k in early.reminder_days(P("2024-06"))] == [
        "before-1",
        "due",
        "after-1",
        "after-3",
    ]


def test_open_periods() -> None:
    assert [p.key for p in QUARTERLY.open_periods(D(2024, 6, 10))] == ["2024-Q2"]
    assert [p.key for p in QUARTERLY.open_periods(D(2024, 7, 5))] == ["2024-Q2", "2024-Q3"]
    assert [p.key for p in QUARTERLY.open_periods(D(2024, 7, 16))] == ["2024-Q3"]
    after = ReportRule("m", PeriodKind.MONTH, DeadlineRule(15, "next"), 10, "producers")
    assert [p.key for p in after.open_periods(D(2024, 7, 5))] == ["2024-06"]  # not July yet
    assert after.open_periods(D(2024, 7, 28)) == []  # June locked, July not ended


def test_a_form_attached_today_is_not_expected_for_periods_already_ended() -> None:
    """A monthly form due on the 5th of the next month, attached on 3 December: October
    (due 5 November, taken until 5 December) and November (due 5 December) had ended before
    anyone had to file it; December is the first month expected."""
    monthly = ReportRule("m", PeriodKind.MONTH, DeadlineRule(5, "next"), 30, "commune_officers")
    assert [p.key for p in monthly.open_periods(D(2026, 12, 3))] == ["2026-10", "2026-11"]
    attached = replace(monthly, expected_from=D(2026, 12, 3))
    assert attached.open_periods(D(2026, 12, 3)) == []
    assert attached.reminder_days(P("2026-11")) == []
    assert attached.due_reminder(P("2026-11"), D(2026, 12, 4)) is None
    assert attached.reminder_days(P("2026-12")) != []
    assert [p.key for p in attached.open_periods(D(2027, 1, 2))] == ["2026-12"]
    # Not asked for, so not taken either: /tiendo and the dashboard show December.
    calendar = build_calendar(calendar_file(), zone=ZONE)
    calendar = replace(calendar, rules={**calendar.rules, "m": attached})
    assert calendar.is_locked("m", "2026-11", D(2026, 12, 3))
    assert not calendar.is_locked("m", "2026-12", D(2026, 12, 3))
    # Attached in the middle of a quarter: that quarter is expected.
    quarterly = replace(QUARTERLY, expected_from=D(2024, 5, 20))
    assert [p.key for p in quarterly.open_periods(D(2024, 6, 10))] == ["2024-Q2"]


def test_latest_due_is_the_catch_up_rule() -> None:
    days = ReminderPlan().offsets(D(2024, 6, 15), D(2024, 7, 15))
    assert latest_due(days, D(2024, 6, 1)) is None
    assert latest_due(days, D(2024, 6, 13)) == (D(2024, 6, 12), "before-3")
    assert latest_due(days, D(2024, 6, 14)) == (D(2024, 6, 14), "before-1")
    assert QUARTERLY.due_reminder(P("2024-Q2"), D(2024, 7, 16)) is None  # locked


def test_certificates_last_36_months() -> None:
    rule = CertificateRule()
    assert rule.expiry(D(2021, 10, 31)) == D(2024, 10, 31)  # seed 003: end of October 2024
    assert add_months(D(2021, 2, 28), 36) == D(2024, 2, 28)
    assert add_months(D(2023, 1, 31), 1) == D(2023, 2, 28)
    expiry = rule.expiry(D(2021, 10, 31))
    # About 6, 3 and 1 month before the end, counted from the expiry recorded with it.
    assert rule.reminder_days(expiry) == [
        (D(2024, 5, 4), "before-180"),
        (D(2024, 8, 2), "before-90"),
        (D(2024, 10, 1), "before-30"),
    ]
    assert rule.due_reminder(expiry, D(2024, 10, 31)) is None


def test_on_time_is_by_the_end_of_the_deadline_day_in_vietnam() -> None:
    deadline = D(2024, 6, 15)
    # 23:30 in Hà Nội on the 15th is 16:30 UTC: on time. 00:30 on the 16th is not.
    assert on_time(datetime(2024, 6, 15, 16, 30, tzinfo=UTC), deadline, ZONE)
    assert not on_time(datetime(2024, 6, 15, 17, 30, tzinfo=UTC), deadline, ZONE)
    calendar = current_calendar()
    assert calendar.on_time("commune_report", "2024-Q2", datetime(2024, 6, 15, 16, 30, tzinfo=UTC))
    assert calendar.on_time("commune_report", "2024-Q2", None) is None
    assert calendar.on_time("product_idea", "", datetime(2024, 6, 1, tzinfo=UTC)) is None
    end = deadline_of("producer_monthly", "2024-06")
    assert end is not None and end.astimezone(ZONE).date() == D(2024, 6, 15)
    assert end.astimezone(ZONE).hour == 23
    assert deadline_of("commune_report", "2024-06") is None  # not a period of that report


def test_the_shipped_file_follows_the_domain() -> None:
    rules = calendar_file().rules()
    assert rules["commune_report"].deadline(P("2024-Q2")) == D(2024, 6, 15)
    assert rules["producer_monthly"].deadline(P("2024-06")) == D(2024, 6, 15)
    from forms.schema import load_forms

    check_against_forms(calendar_file(), load_forms(), Path("calendar.yaml"))


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "reports:\n  commune_report: {period: quarter, deadline: {day: 40}, audience: commune_officers}\n",
            "reports.commune_report.deadline.day",
        ),
        (
            "reports:\n  commune_report: {period: quarter, deadline: {day: 15, month: 5}, audience: commune_officers}\n",
            "month must be first, last, next or 1 to 3",
        ),
        (
            "reports:\n  x: {period: week, deadline: {day: 1}, audience: producers}\n",
            "reports.x.period",
        ),
        ("certificates: {validity_months: 0}\n", "certificates.validity_months"),
        ("reports: [\n", "cannot be read"),
    ],
)
def test_a_broken_file_is_one_sentence(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "calendar.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(CalendarError, match=message) as caught:
        load_calendar_file(path)
    assert str(caught.value).startswith(f"Calendar file {path}:")


def test_the_file_must_fit_the_forms(tmp_path: Path) -> None:
    from forms.schema import load_forms

    path = tmp_path / "calendar.yaml"
    path.write_text(
        "reports:\n  commune_report: {period: month, deadline: {day: 20}, audience: commune_officers}\n",
        encoding="utf-8",
    )
    with pytest.raises(CalendarError, match="the form's period is quarter"):
        check_against_forms(load_calendar_file(path), load_forms(), path)
    path.write_text(
        "reports:\n  producer_monthly: {period: month, deadline: {day: 20}, audience: commune_officers}\n",
        encoding="utf-8",
    )
    with pytest.raises(CalendarError, match="does not fit a form shared by user"):
        check_against_forms(load_calendar_file(path), load_forms(), path)


def test_province_deadlines_win_for_their_province() -> None:
    from scheduler.calendar import ProvinceRule

    base = build_calendar(calendar_file())
    calendar = base.__class__(
        rules=base.rules,
        provinces={("commune_report", 20): ProvinceRule(day=20, month=None, lock_days=None)},
    )
    assert calendar.deadline("commune_report", "2024-Q2", 20) == D(2024, 6, 20)
    assert calendar.deadline("commune_report", "2024-Q2", 1) == D(2024, 6, 15)
    assert calendar.deadline("commune_report", "2024-Q2") == D(2024, 6, 15)
    assert calendar.lock_date("commune_report", "2024-Q2", 20) == D(2024, 7, 20)


def test_send_window() -> None:
    window = SendWindow.parse("08:00", "21:00-07:00")
    assert window.run_hours() == list(range(8, 21))
    assert not window.allows(datetime(2024, 1, 1, 7, 30).time())
    assert window.allows(datetime(2024, 1, 1, 20, 59).time())
    assert not window.allows(datetime(2024, 1, 1, 21, 0).time())
    with pytest.raises(ValueError, match="quiet hours"):
        SendWindow.parse("06:00", "21:00-07:00")
