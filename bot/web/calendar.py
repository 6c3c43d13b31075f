"""The reporting calendar: each report's deadline and lock date for the periods open now,
its reminders, the one-off deadlines; changing a deadline or a lock; and, for a national
admin, putting a form imported from an XLSForm workbook on the calendar.

A change runs the chat's own ``/lich`` (handlers/calendar_admin/): a national admin changes
the national rule, a province admin their province's own; the same checks, the same audit
entry, and the same sentence back ("Đã lưu." and the rule as it now reads).

Each form carries which calendar the page showed (``province``: the code, empty for the
national one). A post naming another calendar than the admin's own now (another province's,
or a page left open from before their rights changed) is refused rather than applied to
theirs. A deadline is checked as the chat reads it before anything runs: a day the page
never sends (empty, 32, a word) would otherwise reach ``/lich`` as other words (an empty day
and the month "last" read as "the last day").
"""

from __future__ import annotations

from aiohttp import web

from bot.i18n import N_
from bot.web.actions import as_admin
from bot.web.sessions import Visit
from forms.periods import MONTHS_IN, PeriodKind, period_of
from forms.registry import FORMS
from handlers.arguments import number_in
from handlers.calendar_admin.dispatch import calendar_command
from handlers.calendar_admin.view import (
    PERIOD_NAMES,
    describe_deadline,
    describe_reminders,
    unattached,
)
from handlers.calendar_admin.words import parse_deadline
from handlers.context import Context
from scheduler.calendar import load_calendar
from scheduler.rules import FIRST, LAST, NEXT, DeadlineRule

CHANGES = ("deadline", "lock", "reset", "attach")
# An imported form's period and who files it, as /lich words (handlers/calendar_admin/attach.py).
PERIODS = (("quy", N_("quarterly")), ("thang", N_("monthly")), ("nam", N_("yearly")))
AUDIENCE_WORDS = ("xa", "chuthe")
OTHER_CALENDAR = N_(
    "You can change only your own calendar: your province's, or as a national admin the "
    "national one. Nothing was changed."
)
BAD_DEADLINE = N_(
    "Please choose the deadline day (a number from 1 to 31; 31 is the last day of the month) "
    "and its month from the list. Nothing was changed."
)


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
        "calendar.html",
        reports=reports,
        campaigns=campaigns,
        waiting=waiting,
        periods=PERIODS,
        own_calendar=own_calendar(visit),
    )


def own_calendar(visit: Visit) -> str:
    """The calendar this admin changes, as the forms carry it: their province's code, or
    empty for a national admin's national one."""
    return "" if visit.national else str(visit.user.province_code or "")


async def change(visit: Visit) -> web.StreamResponse:
    """POST /admin/calendar: ``form``, ``change`` (deadline, lock, reset) and its values."""
    form_id, what = visit.value("form"), visit.value("change")
    if form_id not in FORMS or what not in CHANGES:
        return visit.dashboard.not_found(visit)
    named = visit.form.get("province") if visit.form is not None else None
    if isinstance(named, str) and named.strip() != own_calendar(visit):
        return visit.redirect("/admin/calendar", visit.tr.t(OTHER_CALENDAR))
    if what == "attach":
        period, who = visit.value("period"), visit.value("audience")
        if period not in dict(PERIODS) or who not in AUDIENCE_WORDS:
            return visit.dashboard.not_found(visit)
        words = f"gan {period} {visit.value('day')} {who}"
    elif what == "deadline":
        day, month = visit.value("day"), visit.value("month")
        rule = (await load_calendar(visit.db, zone=visit.zone)).rules.get(form_id)
        asked = [day, month] if month else [day]
        if number_in(day, 1, 31) is None or (
            rule is not None and parse_deadline(asked, rule.period) is None
        ):
            return visit.redirect("/admin/calendar", visit.tr.t(BAD_DEADLINE))
        words = "han " + " ".join(asked)
    elif what == "lock":
        words = f"khoa {visit.value('lock_days')}"
    else:
        words = "macdinh"

    async def work(ctx: Context) -> None:
        await calendar_command(ctx, f"{form_id} {words}".strip())

    done = await as_admin(visit.db, visit.config, visit.user, work)
    return visit.redirect("/admin/calendar", *done.replies)
