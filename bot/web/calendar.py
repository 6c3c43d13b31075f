"""The reporting calendar: each report's deadline and lock date for the periods open now,
its reminders, the one-off deadlines; changing a deadline or a lock; and, for a national
admin, putting a form imported from an XLSForm workbook on the calendar.

A change runs the chat's own ``/lich`` (handlers/calendar_admin/): a national admin changes
the national rule, a province admin their province's own; the same checks, the same audit
entry, and the same sentence back ("Đã lưu." and the rule as it now reads).
"""

from __future__ import annotations

from aiohttp import web

from bot.i18n import N_
from bot.web.actions import as_admin
from bot.web.sessions import Visit
from forms.periods import MONTHS_IN, PeriodKind, period_of
from forms.registry import FORMS
from handlers.calendar_admin.dispatch import calendar_command
from handlers.calendar_admin.view import (
    PERIOD_NAMES,
    describe_deadline,
    describe_reminders,
    unattached,
)
from handlers.context import Context
from scheduler.calendar import load_calendar
from scheduler.rules import FIRST, LAST, NEXT, DeadlineRule

CHANGES = ("deadline", "lock", "reset", "attach")
# An imported form's period and who files it, as /lich words (handlers/calendar_admin/attach.py).
PERIODS = (("quy", N_("quarterly")), ("thang", N_("monthly")), ("nam", N_("yearly")))
AUDIENCE_WORDS = ("xa", "chuthe")


def month_choices(kind: PeriodKind) -> list[str]:
    """Which month of the period a deadline may fall in, as /lich words."""
    if kind is PeriodKind.MONTH:
        return [LAST, NEXT]
    if kind is PeriodKind.QUARTER:
        return [FIRST, "2", LAST, NEXT]
    return [str(n) for n in range(1, MONTHS_IN[kind] + 1)] + [NEXT]


async def show(visit: Visit) -> web.StreamResponse:
    """GET /admin/calendar."""
    calendar = await load_calendar(visit.db, zone=visit.zone)
    tr, lang = visit.tr, visit.tr.language
    province = None if visit.national else visit.user.province_code
    reports = []
    for form_id, base in calendar.rules.items():
        rule = calendar.rule(form_id, province) or base
        form = FORMS.get(form_id)
        periods = rule.open_periods(visit.today) or [period_of(rule.period, visit.today)]
        reports.append(
            {
                "id": form_id,
                "title": form.title(lang) if form else form_id,
                "kind": tr.t(PERIOD_NAMES[rule.period]),
                "deadline": describe_deadline(tr, rule.deadline_rule, rule.period),
                "day": rule.deadline_rule.day,
                "month": rule.deadline_rule.month,
                "months": [
                    (m, describe_deadline(tr, DeadlineRule(rule.deadline_rule.day, m), rule.period))
                    for m in month_choices(rule.period)
                ],
                "lock_days": rule.lock_days,
                "periods": [(p.label(lang), rule.deadline(p), rule.lock_date(p)) for p in periods],
                "reminders": describe_reminders(tr, rule),
                "own": province is not None
                and calendar.province_rule(form_id, province) is not None,
            }
        )
    campaigns = [
        (c.title(lang), c.deadline, c.key)
        for c in calendar.campaigns
        if c.deadline >= visit.today and c.applies_to(province)
    ]
    waiting = [(f.id, f.title(lang)) for f in unattached(calendar)] if visit.national else []
    return visit.render(
        "calendar.html", reports=reports, campaigns=campaigns, waiting=waiting, periods=PERIODS
    )


async def change(visit: Visit) -> web.StreamResponse:
    """POST /admin/calendar: ``form``, ``change`` (deadline, lock, reset) and its values."""
    form_id, what = visit.value("form"), visit.value("change")
    if form_id not in FORMS or what not in CHANGES:
        return visit.dashboard.not_found(visit)
    if what == "attach":
        period, who = visit.value("period"), visit.value("audience")
        if period not in dict(PERIODS) or who not in AUDIENCE_WORDS:
            return visit.dashboard.not_found(visit)
        words = f"gan {period} {visit.value('day')} {who}"
    elif what == "deadline":
        month = visit.value("month")
        words = f"han {visit.value('day')} {month if month in (FIRST, LAST, NEXT) or month.isdigit() else ''}"
    elif what == "lock":
        words = f"khoa {visit.value('lock_days')}"
    else:
        words = "macdinh"

    async def work(ctx: Context) -> None:
        await calendar_command(ctx, f"{form_id} {words}".strip())

    done = await as_admin(visit.db, visit.config, visit.user, work)
    return visit.redirect("/admin/calendar", *done.replies)
