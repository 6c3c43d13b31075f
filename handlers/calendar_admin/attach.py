"""``/lich <form> gan quy 15 [cuoi|dau|sau|N] [xa|chuthe]``: an imported form on the calendar;
``/lich <form> go``: off it again.

A form imported from an XLSForm workbook (``ocop-bot forms import``) is a form people may
open, but nobody must file it until a national admin says who files it, for which period and
by when; from then on it gets reminders, completeness and exports like the built-in reports.
The same change as ``ocop-bot forms attach``, for an admin who has the chat and not the
server. The form is looked up in storage (what was imported, now), not in what this process
loaded, and this process takes the change up at once; other workers within a minute
(bot/forms_watch.py).
"""

from __future__ import annotations

from bot.text import fold
from forms.periods import PeriodKind
from forms.xlsform.to_form import ChatSettings
from handlers.calendar_admin.rows import rows_of
from handlers.calendar_admin.view import describe_rule
from handlers.calendar_admin.words import COMMUNE_WORDS, PRODUCER_WORDS, parse_deadline
from handlers.context import Context
from handlers.forms.starting import install_imported
from scheduler.calendar import load_calendar
from scheduler.rules import COMMUNE_OFFICERS, LAST, PRODUCERS
from storage.installed_forms import InstalledForms
from storage.models import InstalledForm, Role

ATTACH = {"gan", "attach"}
DETACH = {"go", "bo", "detach"}
PERIOD_WORDS = {
    "thang": PeriodKind.MONTH, "month": PeriodKind.MONTH, "monthly": PeriodKind.MONTH,
    "quy": PeriodKind.QUARTER, "quarter": PeriodKind.QUARTER, "quarterly": PeriodKind.QUARTER,
    "nam": PeriodKind.YEAR, "year": PeriodKind.YEAR, "yearly": PeriodKind.YEAR,
}  # fmt: skip


async def find_imported(ctx: Context, word: str) -> InstalledForm | None:
    """An imported form by its id or its command, any accents, as storage holds it now."""
    key = fold(word).removeprefix("/")
    for row in await InstalledForms(rows_of(ctx).session).actives():
        command = ChatSettings.from_json(row.chat).command
        if key in {fold(row.form_id), fold(command or "")}:
            return row
    return None


def _usage(ctx: Context, form_id: str) -> None:
    ctx.reply(
        ctx.t(
            "Please write who files it, the period and the deadline day, for example: "
            "/lich {form} gan quy 15 (quarterly, day 15 of the quarter's last month; thang "
            "or nam for monthly or yearly; add cuoi, dau, sau or a month number to choose the "
            "month; add chuthe if producers file it instead of commune officers).",
            form=form_id,
        )
    )


async def change_imported(ctx: Context, word: str, words: list[str]) -> bool:
    """``/lich <form> gan …`` and ``/lich <form> go``. False when ``words`` say neither or
    ``word`` names no imported form (the caller then answers as for any other report)."""
    action = fold(words[0]) if words else ""
    if action not in ATTACH | DETACH:
        return False
    row = await find_imported(ctx, word)
    if row is None:
        return False
    if ctx.user.role != Role.NATIONAL_ADMIN:
        ctx.reply(ctx.t("Only national admins put a form on the reporting calendar."))
    elif action in ATTACH:
        await _attach(ctx, row, words[1:])
    else:
        await _detach(ctx, row)
    return True


async def _attach(ctx: Context, row: InstalledForm, words: list[str]) -> None:
    """``words`` follow ``gan``: the period, the day, the month, who files it."""
    folded = [fold(w) for w in words]
    audience = COMMUNE_OFFICERS
    if folded and folded[-1] in PRODUCER_WORDS | COMMUNE_WORDS:
        audience = PRODUCERS if folded[-1] in PRODUCER_WORDS else COMMUNE_OFFICERS
        words, folded = words[:-1], folded[:-1]
    period = PERIOD_WORDS.get(folded[0]) if folded else None
    deadline = parse_deadline(words[1:], period) if period is not None else None
    if period is None or deadline is None:
        _usage(ctx, row.form_id)
        return
    store = InstalledForms(rows_of(ctx).session)
    await store.attach_to_calendar(
        row.form_id,
        period=period,
        deadline_day=deadline[0],
        deadline_month=deadline[1] or LAST,
        audience=audience,
        today=ctx.now.astimezone(ctx.config.zone).date(),
        now=ctx.now,
        user_id=ctx.user.id,
    )
    ctx.stores.audit.record(
        ctx.user.id,
        "form_attached",
        form=row.form_id,
        period=period.value,
        deadline_day=deadline[0],
        deadline_month=deadline[1] or LAST,
        audience=audience,
    )
    # This process offers it at once; the others take it up by themselves.
    install_imported(await store.chat_forms())
    calendar = await load_calendar(rows_of(ctx).session)
    command = ChatSettings.from_json(row.chat).command or row.form_id
    ctx.reply(
        ctx.t("Saved.")
        + "\n"
        + describe_rule(ctx, calendar, row.form_id)
        + "\n"
        + ctx.t(
            "It is filed with /{command}; reminders, progress (/tiendo) and exports now "
            "include it.",
            command=command,
        )
    )


async def _detach(ctx: Context, row: InstalledForm) -> None:
    """Nobody must file it any more (a form attached by mistake, or a survey that is over)."""
    store = InstalledForms(rows_of(ctx).session)
    if not await store.detach_from_calendar(row.form_id):
        ctx.reply(ctx.t("This form is not on the reporting calendar."))
        return
    ctx.stores.audit.record(ctx.user.id, "form_detached", form=row.form_id)
    install_imported(await store.chat_forms())
    ctx.reply(
        ctx.t(
            "Removed from the reporting calendar: nobody must file “{title}” any more and no "
            "reminders are sent for it. Reports already sent are kept.",
            title=row.title,
        )
    )
