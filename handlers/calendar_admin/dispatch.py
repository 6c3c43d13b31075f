"""The ``/lich`` command: anyone active may look; only admins get past the first word.

The first word says what to change: ``dot`` a campaign, otherwise a report by its form id or
one of its commands.
"""

from __future__ import annotations

from bot.text import fold
from forms.registry import FORMS
from handlers.access import refuse_non_admin
from handlers.calendar_admin.attach import change_imported
from handlers.calendar_admin.campaigns import change_campaign
from handlers.calendar_admin.reports import change_report
from handlers.calendar_admin.rows import rows_of
from handlers.calendar_admin.view import show
from handlers.calendar_admin.words import CAMPAIGN
from handlers.context import Context
from handlers.registry import command
from scheduler.calendar import Calendar, load_calendar
from storage.models import UserStatus


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
    if await change_imported(ctx, words[0], words[1:]):  # gan / go: a form from Excel
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
    """Each report by the command people type, which is what the error should teach."""
    names = []
    for form_id in calendar.rules:
        form = FORMS.get(form_id)
        names.append(form.commands[0] if form else form_id)
    return names
