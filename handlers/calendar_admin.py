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
    /lich dot 15/05/2025 [chuthe] TITLE     a one-off deadline (evaluation round)
    /lich dot xoa KEY                       cancel it
"""

from __future__ import annotations

from datetime import date
from typing import Any

from bot.i18n import N_, Translator
from bot.text import fold
from forms.periods import MONTHS_IN, PeriodKind, period_of
from forms.readers import Ok, read_date
from forms.registry import FORMS
from handlers.access import refuse_non_admin
from handlers.context import Context
from handlers.registry import command
from scheduler.calendar import Calendar, load_calendar, schedule_values
from scheduler.config import calendar_file
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
from storage.calendar import CalendarRows
from storage.models import Role, UserStatus

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

CAMPAIGN_REMINDERS = (7, 3, 1, 0)  # as the texts below say

PERIOD_NAMES = {
    PeriodKind.MONTH: N_("monthly"),
    PeriodKind.QUARTER: N_("quarterly"),
    PeriodKind.YEAR: N_("yearly"),
}


# -- describing -------------------------------------------------------------------------------


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
    ctx.reply("\n".join(lines))


# -- changing ---------------------------------------------------------------------------------


def rows_of(ctx: Context) -> CalendarRows:
    """The calendar rows in this message's transaction. Until the pipeline hands handlers a
    calendar store of their own (``Stores.calendar``), the audit log's session is borrowed:
    the change then commits (or not) with the message, as every change must."""
    store = getattr(ctx.stores, "calendar", None)
    if store is not None:
        return store  # type: ignore[no-any-return]
    return CalendarRows(ctx.stores.audit.session)  # type: ignore[attr-defined]


def find_report(calendar: Calendar, word: str) -> str | None:
    """A report by its form id or one of its commands (baocao, baocaothang), any accents."""
    key = fold(word).removeprefix("/")
    for form_id in calendar.rules:
        names = {fold(form_id)}
        form = FORMS.get(form_id)
        if form is not None:
            names.update(fold(c) for c in form.commands)
        if key in names:
            return form_id
    return None


def _days(text: str) -> list[int] | None:
    values = []
    for part in text.replace(";", ",").split(","):
        part = part.strip()
        if not part:
            continue
        if not part.isdigit() or int(part) > 366:
            return None
        values.append(int(part))
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


def usage_deadline(ctx: Context, kind: PeriodKind) -> None:
    ctx.reply(
        ctx.t(
            "Please write the day as a number from 1 to 31 (or cuoi, the last day), then if "
            "needed the month: cuoi, dau, sau or a number from 1 to {max}. For example: "
            "/lich baocao han 15 cuoi",
            max=MONTHS_IN[kind],
        )
    )


def parse_deadline(words: list[str], kind: PeriodKind) -> tuple[int, str | None] | None:
    if not 1 <= len(words) <= 2:
        return None
    first = fold(words[0])
    if first in LAST_DAY:
        day = 31
    elif first.isdigit() and 1 <= int(first) <= 31:
        day = int(first)
    else:
        return None
    month: str | None = None
    if len(words) == 2:
        second = fold(words[1])
        month = MONTH_WORDS.get(second) or (second if second.isdigit() else None)
        if month is None:
            return None
    try:
        DeadlineRule(day, month or LAST).check(kind)
    except ValueError:
        return None
    return day, month


async def change_report(ctx: Context, calendar: Calendar, form_id: str, words: list[str]) -> None:
    rule = calendar.rules[form_id]
    action = fold(words[0]) if words else ""
    rest = words[1:]
    national = ctx.user.role == Role.NATIONAL_ADMIN
    province = ctx.user.province_code
    if not national and province is None:
        ctx.reply(ctx.t("Only admins can do this."))
        return
    rows = rows_of(ctx)
    file_rule = calendar_file().rules().get(form_id, rule)
    changes: dict[str, Any]
    if action in DEADLINE:
        parsed = parse_deadline(rest, rule.period)
        if parsed is None:
            usage_deadline(ctx, rule.period)
            return
        changes = {"deadline_day": parsed[0]}
        if parsed[1] is not None:
            changes["deadline_month"] = parsed[1]
    elif action in LOCK:
        if len(rest) != 1 or not rest[0].isdigit() or int(rest[0]) > 366:
            ctx.reply(ctx.t("Please write the number of days, from 0 to 366."))
            return
        changes = {"lock_days": int(rest[0])}
    elif action in REMIND:
        if not national:
            ctx.reply(ctx.t("Only national admins change the reminder days."))
            return
        parsed_plan = parse_reminders(rest)
        if parsed_plan is None:
            ctx.reply(
                ctx.t(
                    "Please write the reminder days like this: /lich baocao nhac 7,3,1,0 "
                    "sau 1,3 tuan (0 is the deadline day; tuan: then weekly). Or: nhac tat, "
                    "nhac bat."
                )
            )
            return
        changes = parsed_plan
    elif action in RESET:
        if national:
            await rows.reset_schedule(
                form_id, schedule_values(file_rule), user_id=ctx.user.id, now=ctx.now
            )
        else:
            assert province is not None
            await rows.clear_province_deadline(form_id, province)
        ctx.stores.audit.record(ctx.user.id, "calendar_reset", form=form_id, province=province)
        updated = await load_calendar(rows.session)
        ctx.reply(ctx.t("Back to the default.") + "\n" + describe_rule(ctx, updated, form_id))
        return
    else:
        await show(ctx, calendar)
        return
    if national:
        await rows.set_schedule(
            form_id, schedule_values(file_rule), changes, user_id=ctx.user.id, now=ctx.now
        )
    else:
        assert province is not None
        await rows.set_province_deadline(
            form_id, province, changes, user_id=ctx.user.id, now=ctx.now
        )
    ctx.stores.audit.record(
        ctx.user.id,
        "calendar_changed",
        form=form_id,
        province=None if national else province,
        changes=changes,
    )
    updated = await load_calendar(rows.session)
    ctx.reply(ctx.t("Saved.") + "\n" + describe_rule(ctx, updated, form_id))


async def change_campaign(ctx: Context, words: list[str]) -> None:
    rows = rows_of(ctx)
    national = ctx.user.role == Role.NATIONAL_ADMIN
    if words and fold(words[0]) in DELETE:
        key = words[1].strip().lower() if len(words) == 2 else ""
        cancelled = await rows.cancel_campaign(
            key, province_code=None if national else ctx.user.province_code or -1
        )
        if cancelled is None:
            ctx.reply(ctx.t("There is no campaign “{key}” that you can cancel.", key=key))
            return
        ctx.stores.audit.record(ctx.user.id, "campaign_cancelled", key=key)
        ctx.reply(ctx.t("Cancelled: “{title}”.", title=cancelled.title_vi))
        return
    if len(words) < 2:
        ctx.reply(
            ctx.t(
                "Please write the date and the name, for example: /lich dot 15/05/2025 "
                "Đánh giá sản phẩm OCOP đợt 1"
            )
        )
        return
    today = ctx.now.astimezone(ctx.config.zone).date()
    reading = read_date(words[0], today=today, min_date=today)
    if not isinstance(reading, Ok):
        ctx.reply(ctx.t(reading.message, **reading.params))
        return
    audience = COMMUNE_OFFICERS
    title_words = words[1:]
    if fold(title_words[0]) in PRODUCER_WORDS | COMMUNE_WORDS and len(title_words) > 1:
        if fold(title_words[0]) in PRODUCER_WORDS:
            audience = PRODUCERS
        title_words = title_words[1:]
    title = " ".join(title_words)[:200]
    deadline: date = reading.value
    campaign = await rows.add_campaign(
        created_by=ctx.user.id,
        now=ctx.now,
        title_vi=title,
        title_en=None,
        deadline=deadline,
        opens=today,
        audience=audience,
        province_code=None if national else ctx.user.province_code,
        form_id=None,
        remind_before=list(CAMPAIGN_REMINDERS),
    )
    ctx.stores.audit.record(ctx.user.id, "campaign_added", key=campaign.key, deadline=str(deadline))
    ctx.reply(
        ctx.t(
            "Added “{title}”, deadline {date}; reminders go out 7, 3 and 1 days before and on "
            "the day. To cancel it: /lich dot xoa {key}",
            title=title,
            date=ctx.tr.date(deadline),
            key=campaign.key,
        )
    )


@command("lich", "calendar", "hannop", "deadlines")
async def calendar_command(ctx: Context, argument: str) -> None:
    if not ctx.user.is_registered or ctx.user.status != UserStatus.ACTIVE:
        ctx.reply(ctx.t("Please register first: type /start."))
        return
    rows = rows_of(ctx)
    calendar = await load_calendar(rows.session)
    words = argument.split()
    if not words:
        await show(ctx, calendar)
        return
    if refuse_non_admin(ctx, "calendar"):
        return
    if fold(words[0]) in CAMPAIGN:
        await change_campaign(ctx, words[1:])
        return
    form_id = find_report(calendar, words[0])
    if form_id is None:
        ctx.reply(
            ctx.t(
                "I do not know the report “{name}”. Reports: {names}.",
                name=words[0][:40],
                names=", ".join(_report_names(calendar)),
            )
        )
        return
    await change_report(ctx, calendar, form_id, words[1:])


def _report_names(calendar: Calendar) -> list[str]:
    names = []
    for form_id in calendar.rules:
        form = FORMS.get(form_id)
        names.append(form.commands[0] if form else form_id)
    return names
