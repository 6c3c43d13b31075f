"""Showing the reporting calendar: ``/lich`` with no words, and the state after a change.

Each user sees only the reports that concern their role, with their province's own
deadline when it has one; admins also see the keys to cancel campaigns and how to change.
"""

from __future__ import annotations

from bot.i18n import N_, Translator
from forms.periods import PeriodKind, period_of
from forms.registry import FORMS
from forms.schema import Form
from handlers.context import Context
from scheduler.calendar import Calendar
from scheduler.rules import (
    COMMUNE_OFFICERS,
    FIRST,
    LAST,
    NEXT,
    PRODUCERS,
    PRODUCERS_WITH_PRODUCT,
    DeadlineRule,
    ReportRule,
)
from storage.models import Role

PERIOD_NAMES = {
    PeriodKind.MONTH: N_("monthly"),
    PeriodKind.QUARTER: N_("quarterly"),
    PeriodKind.YEAR: N_("yearly"),
}


def describe_deadline(tr: Translator, rule: DeadlineRule, kind: PeriodKind) -> str:
    """ "ngày 15 tháng cuối quý", "the last day of every month"."""
    day = tr.t("the last day") if rule.day == 31 else tr.t("day {day}", day=rule.day)
    month = rule.month
    if kind is PeriodKind.MONTH:
        part = tr.t("of the following month") if month == NEXT else tr.t("of every month")
    elif kind is PeriodKind.QUARTER:
        part = {
            LAST: tr.t("of the last month of the quarter"),
            FIRST: tr.t("of the first month of the quarter"),
            NEXT: tr.t("of the month after the quarter"),
        }.get(month) or tr.t("of month {n} of the quarter", n=month)
    elif month == NEXT:
        part = tr.t("of January of the following year")
    else:
        number = {FIRST: "1", LAST: "12"}.get(month, month)
        part = tr.t("of month {n} of the year", n=number)
    return f"{day} {part}"


def describe_reminders(tr: Translator, rule: ReportRule) -> str:
    """The reminder plan in words, so an admin can check a change without the file."""
    plan = rule.reminders
    if not plan.enabled:
        return tr.t("Reminders: off.")
    parts = []
    before = [n for n in plan.before if n > 0]
    if before:
        parts.append(tr.t("{days} days before", days=", ".join(str(n) for n in before)))
    if 0 in plan.before:
        parts.append(tr.t("on the deadline day"))
    if plan.after:
        parts.append(tr.t("{days} days after", days=", ".join(str(n) for n in plan.after)))
    if plan.weekly:
        parts.append(tr.t("then weekly until the lock date"))
    return tr.t("Reminders: {list}.", list="; ".join(parts) or "—")


def describe_rule(ctx: Context, calendar: Calendar, form_id: str) -> str:
    """One report's rule as it applies to this user's province, with the dates of the
    periods open today (or the current one), so nobody has to work them out."""
    tr, lang = ctx.tr, ctx.user.language
    province = ctx.user.province_code
    rule = calendar.rule(form_id, province)
    assert rule is not None
    today = ctx.now.astimezone(ctx.config.zone).date()
    form = FORMS.get(form_id)
    title = form.title(lang) if form else form_id
    lines = [f"• {title} ({tr.t(PERIOD_NAMES[rule.period])})"]
    lines.append(
        "  "
        + tr.t("Deadline: {rule}.", rule=describe_deadline(tr, rule.deadline_rule, rule.period))
    )
    periods = rule.open_periods(today) or [period_of(rule.period, today)]
    for period in periods:
        lines.append(
            "  "
            + tr.t(
                "{period}: due {deadline}; late reports taken until {lock}.",
                period=period.label(lang),
                deadline=tr.date(rule.deadline(period)),
                lock=tr.date(rule.lock_date(period)),
            )
        )
    lines.append("  " + describe_reminders(tr, rule))
    if province is not None and calendar.province_rule(form_id, province) is not None:
        lines.append("  " + tr.t("(Your province's own deadline.)"))
    return "\n".join(lines)


def _concerns(ctx: Context, rule: ReportRule) -> bool:
    role = ctx.user.role
    if ctx.user.is_admin:
        return True
    if rule.audience == COMMUNE_OFFICERS:
        return role == Role.OFFICER
    return role == Role.PRODUCER and rule.audience in (PRODUCERS, PRODUCERS_WITH_PRODUCT)


async def show(ctx: Context, calendar: Calendar) -> None:
    """The whole calendar as it concerns this user: reports, then campaigns still ahead."""
    tr = ctx.tr
    lines = [tr.t("Reporting calendar")]
    for form_id, rule in calendar.rules.items():
        if _concerns(ctx, rule):
            lines.append(describe_rule(ctx, calendar, form_id))
    today = ctx.now.astimezone(ctx.config.zone).date()
    campaigns = [
        c
        for c in calendar.campaigns
        if c.deadline >= today and c.applies_to(ctx.user.province_code)
    ]
    if campaigns:
        lines.append(tr.t("Other deadlines:"))
        for campaign in campaigns:
            line = f"• {campaign.title(ctx.user.language)} — {tr.date(campaign.deadline)}"
            if ctx.user.is_admin:
                line += f" ({campaign.key})"
            lines.append(line)
    if len(lines) == 1:
        lines.append(tr.t("No report deadlines concern you."))
    if ctx.user.is_admin:
        lines.append("")
        lines.append(
            tr.t(
                "To change: /lich baocao han 20 (day 20; add cuoi, dau, sau or a month "
                "number to choose the month); /lich baocao khoa 30 (late reports taken 30 days "
                "after the deadline); /lich baocao nhac 7,3,1,0 sau 1,3 tuan (reminder days); "
                "/lich baocao macdinh (back to the default); /lich dot 15/05/2025 TITLE (a "
                "one-off deadline; add chuthe before the title for producers); /lich dot xoa "
                "KEY (cancel it)."
            )
        )
        attached = [
            f
            for form_id, f in sorted(FORMS.items())
            if f.version is not None and form_id in calendar.rules
        ]
        if ctx.user.role == Role.NATIONAL_ADMIN and attached:
            lines.append(
                tr.t(
                    "To take a form imported from Excel off the calendar: /lich {example} go.",
                    example=attached[0].id,
                )
            )
        waiting = unattached(calendar)
        if ctx.user.role == Role.NATIONAL_ADMIN and waiting:
            lines.append(
                tr.t(
                    "Imported forms nobody must file yet: {forms}. To put one on the "
                    "calendar: /lich {example} gan quy 15 (quarterly, day 15; thang or nam "
                    "for monthly or yearly; add chuthe if producers file it).",
                    forms=", ".join(
                        f"{f.id} (/{f.commands[0]})" if f.commands else f.id for f in waiting
                    ),
                    example=waiting[0].id,
                )
            )
    ctx.reply("\n".join(lines))


def unattached(calendar: Calendar) -> list[Form]:
    """Forms imported from XLSForm workbooks that are not on the calendar yet."""
    return [
        form
        for form_id, form in sorted(FORMS.items())
        if form.version is not None and form_id not in calendar.rules
    ]
