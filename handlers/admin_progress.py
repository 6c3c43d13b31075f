"""``/tiendo``: for a report and period, in the admin's scope, who reported on time, late,
or not at all, the reporting and on-time rates, and who is missing. On time is judged by the
deadline of each commune's (or producer's) province, as the dashboard and the exports do."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta

from babel.numbers import format_percent

from bot.i18n import Translator
from bot.messages import Button
from forms.periods import Period, PeriodKind, current_period, parse_period, period_of
from forms.registry import FORMS
from forms.schema import Form
from handlers.access import refuse_non_admin, scope
from handlers.calendar_now import calendar_now, period_locked
from handlers.context import Context
from handlers.registry import action, command
from storage.deadlines import Deadlines
from storage.models import ReviewStatus
from storage.progress import Expected, Rates
from storage.scope import Reach

MAX_NAMES = 30
MAX_DECIMALS = 4


def percent(tr: Translator, part: int, whole: int) -> str:
    """``part`` of ``whole`` as a percentage in the reader's language, with as many decimals
    as it takes not to round a few reports to "0%" nor an almost complete set to "100%":
    1 of 3,321 reads "0,03%", 65 of 65 "100%", 1 of 65 "1,5%". "—" when nothing is expected."""
    if whole <= 0:
        return "—"
    value = part / whole
    decimals = 1
    while decimals < MAX_DECIMALS:
        shown = round(value * 100, decimals)
        if (part == 0 or shown > 0) and (part >= whole or shown < 100):
            break
        decimals += 1
    return format_percent(value, "#,##0." + "#" * decimals + "%", locale=tr.language)


def periodic_forms() -> list[Form]:
    return [f for f in FORMS.values() if f.period is not PeriodKind.NONE]


@command("tiendo", "progress")
async def progress(ctx: Context, argument: str) -> None:
    if refuse_non_admin(ctx, "progress"):
        return
    parts = argument.split()
    forms = periodic_forms()
    form = FORMS.get(parts[0]) if parts else (forms[0] if len(forms) == 1 else None)
    if form is None or form.period is PeriodKind.NONE:
        ctx.reply(
            ctx.t("Which report?"),
            buttons=[
                [Button(label=f.title(ctx.user.language), payload=f"@tiendo:{f.id}")] for f in forms
            ],
        )
        return
    await show_progress(ctx, form, parts[1] if len(parts) > 1 else None)


@action("tiendo")
async def progress_button(ctx: Context, argument: str) -> None:
    if refuse_non_admin(ctx, "progress"):
        return
    form_id, _, period = argument.partition(":")
    form = FORMS.get(form_id)
    if form is None:
        ctx.reply(ctx.t("That choice is no longer valid."))
        return
    await show_progress(ctx, form, period or None)


async def deadlines_of(ctx: Context, form: Form, period: Period) -> Deadlines:
    """Each province's deadline for the period (its own where it set one with /lich, else the
    national one), from the calendar as this message's transaction sees it: the dashboard and
    the exports judge by the same, so a report is on time or late alike in all three."""
    return (await calendar_now(ctx)).deadlines(form.id, period.key)


async def collecting_period(ctx: Context, form: Form, today: date) -> Period:
    """The period being collected: the previous one while it still takes late reports (on
    5 July, Q2 until its lock date), otherwise the current one."""
    current = current_period(form.period, today)
    previous = period_of(form.period, current.start - timedelta(days=1))
    if not await period_locked(ctx, form.id, previous.key, today):
        return previous
    return current


async def show_progress(ctx: Context, form: Form, period_key: str | None) -> None:
    today = ctx.now.astimezone(ctx.config.zone).date()
    period = parse_period(period_key) if period_key else await collecting_period(ctx, form, today)
    if period is None:
        ctx.reply(
            ctx.t(
                "“{text}” is not a period. Write it like 2024-Q2, 2024-06 or 2024.",
                text=period_key or "",
            )
        )
        return
    asked_from = (await calendar_now(ctx)).asked_from(form.id, period.key)
    if asked_from is not None:
        ctx.reply(
            ctx.t(
                "{form} — {period}: nobody was asked for this period. The report is asked "
                "for from {day}, when it was put on the calendar.",
                form=form.title(ctx.user.language),
                period=period.label(ctx.user.language),
                day=ctx.tr.date(asked_from),
            )
        )
        return
    user_scope = scope(ctx)
    if form.shared_by == "commune":
        expected = await ctx.stores.progress.expected_communes(form.id, period.key, user_scope)
    else:
        expected = await ctx.stores.progress.expected_producers(
            form.id, period.key, user_scope, with_product=form.requires_product
        )
    t, lang, number = ctx.t, ctx.user.language, ctx.tr.number
    sent = [e for e in expected if e.submitted_at is not None]
    missing = [e for e in expected if e.submitted_at is None]
    deadlines = await deadlines_of(ctx, form, period)
    timely = [deadlines.on_time(e.province_code, e.submitted_at) for e in sent]
    known = [x for x in timely if x is not None]
    rates = Rates(len(expected), len(sent), known.count(True))
    lines = [f"{form.title(lang)} — {period.label(lang)}"]
    lines.append(
        t(
            "Expected: {expected} · Sent: {sent} · Not sent: {missing}",
            expected=number(rates.expected),
            sent=number(rates.received),
            missing=number(len(missing)),
        )
    )
    if known:
        lines.append(
            t(
                "On time: {on_time} · Late: {late}",
                on_time=number(rates.on_time),
                late=number(known.count(False)),
            )
        )
    if expected:
        text = t("Reporting rate: {rate}", rate=percent(ctx.tr, rates.received, rates.expected))
        if known:
            text += " · " + t(
                "On-time rate: {rate}", rate=percent(ctx.tr, rates.on_time, rates.expected)
            )
        lines.append(text)
    fixing = [e for e in sent if e.review_status == ReviewStatus.NEEDS_FIX]
    if fixing:
        lines.append(t("Needs fixing: {names}", names=", ".join(e.name for e in fixing)))
    if user_scope.reach is Reach.NATIONAL and expected:
        by_province: dict[str, list[Expected]] = defaultdict(list)
        for item in expected:
            by_province[item.province_name].append(item)
        lines.append(t("By province:"))
        for name, items in by_province.items():
            done = sum(1 for i in items if i.submitted_at is not None)
            lines.append(f"  {name}: {number(done)}/{number(len(items))}")
    elif missing:
        names = ", ".join(e.name for e in missing[:MAX_NAMES])
        if len(missing) > MAX_NAMES:
            names += " " + t("(and {count} more)", count=len(missing) - MAX_NAMES)
        lines.append(t("Not sent yet: {names}", names=names))
    previous = period_of(form.period, period.start - timedelta(days=1))
    ctx.reply(
        "\n".join(lines),
        buttons=[[Button(label=t("Previous period"), payload=f"@tiendo:{form.id}:{previous.key}")]],
    )
