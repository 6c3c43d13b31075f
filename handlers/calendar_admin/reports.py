"""``/lich <report> han|khoa|nhac|macdinh``: changing a report's deadline, lock and reminders.

A national admin changes the national schedule; a province admin only their province's own
deadline and lock, which win over the national ones there; the reminder days stay national.
Every change is audited and answered with the rule as it now reads.
"""

from __future__ import annotations

from typing import Any

from bot.text import fold
from forms.periods import MONTHS_IN, PeriodKind
from handlers.arguments import number_in
from handlers.calendar_admin.rows import rows_of
from handlers.calendar_admin.view import describe_rule, show
from handlers.calendar_admin.words import (
    DEADLINE,
    LOCK,
    REMIND,
    RESET,
    parse_deadline,
    parse_reminders,
)
from handlers.context import Context
from scheduler.calendar import Calendar, load_calendar, schedule_values
from scheduler.config import calendar_file
from storage.models import Role


def usage_deadline(ctx: Context, kind: PeriodKind) -> None:
    ctx.reply(
        ctx.t(
            "Please write the day as a number from 1 to 31 (or cuoi, the last day), then if "
            "needed the month: cuoi, dau, sau or a number from 1 to {max}. For example: "
            "/lich baocao han 15 cuoi",
            max=MONTHS_IN[kind],
        )
    )


async def change_report(ctx: Context, calendar: Calendar, form_id: str, words: list[str]) -> None:
    """Unknown words show the calendar rather than an error: the admin sees how to write it."""
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
        lock_days = number_in(rest[0], 0, 366) if len(rest) == 1 else None
        if lock_days is None:
            ctx.reply(ctx.t("Please write the number of days, from 0 to 366."))
            return
        changes = {"lock_days": lock_days}
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
