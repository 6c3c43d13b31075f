"""``ocop-bot reminders ...``: see the reporting calendar and who would be reminded when.

``preview --date 2024-06-10`` prints who would get what that day (as at the reminder time)
without writing anything; ``calendar`` prints the deadlines in force; ``run`` writes the
reminders due now, as the scheduler would (useful after fixing a problem, never doubled).

Registered in ``bot/cli.py`` as ``cli.add_typer(reminders_cli, name="reminders")``; also
runs on its own: ``python -m bot.cli_reminders preview --date 2024-06-10``.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING, Annotated, TypeVar

import typer

from bot.cli_common import with_app
from bot.i18n import Translator
from forms.periods import period_of
from scheduler.agenda import plan
from scheduler.calendar import Calendar, load_calendar
from scheduler.config import use_calendar_file
from scheduler.job import ReminderJob, SendWindow
from scheduler.planner import Planned, load_snapshot
from scheduler.rules import ReportRule
from scheduler.titles import form_title
from storage.calendar import ReminderOutbox

if TYPE_CHECKING:
    from bot.app import App

T = TypeVar("T")

reminders_cli = typer.Typer(
    help="Reporting calendar and reminders.", add_completion=False, no_args_is_help=True
)


def parse_day(text: str) -> date:
    """``2024-06-10`` or ``10/06/2024``."""
    text = text.strip()
    try:
        if "/" in text:
            day, month, year = (int(part) for part in text.split("/"))
            return date(year, month, day)
        return date.fromisoformat(text)
    except ValueError as exc:
        raise typer.BadParameter(f"'{text}' is not a date like 2024-06-10") from exc


def _job(app: App) -> ReminderJob:
    settings = app.settings
    use_calendar_file(settings.calendar_file)
    job = ReminderJob(
        app.session_factory,
        zone=settings.zone,
        titles=form_title,
        window=SendWindow.parse(settings.reminder_time, settings.quiet_hours),
    )
    if settings.zalo_oa_app_id:  # the Zalo OA's window (scheduler/routing.py)
        from bot.channels.zalo_oa.service import reminder_router

        job.router = reminder_router(app)
    return job


def format_planned(item: Planned, *, queued: bool) -> list[str]:
    """One block per message: who, where, what, which period, which reminder; then its text."""
    person = item.person
    where = person.commune_name or person.province_name or "-"
    head = " · ".join((person.name, where, item.subject, item.period, item.kind))
    lines = [head + ("  (already queued)" if queued else "")]
    lines.extend("    " + line for line in item.message.text.splitlines())
    for button in item.message.choices():
        lines.append(f"    [{button.label} → {button.payload}]")
    return lines


@reminders_cli.command("preview")
def preview(
    day: Annotated[
        str | None,
        typer.Option(
            "--date", help="The day to preview: 2024-06-10 or 10/06/2024 (default: today)."
        ),
    ] = None,
) -> None:
    """Print who would get which reminder on a day, without writing anything."""

    chosen = parse_day(day) if day else None

    async def work(app: App) -> tuple[list[Planned], set[str], str, date]:
        job = _job(app)
        target = chosen or datetime.now(app.settings.zone).date()
        async with app.session_factory() as session:
            calendar = await load_calendar(session, zone=job.zone)
            snapshot = await load_snapshot(session, calendar, target)
            planned = plan(calendar, snapshot, target, job.titles)
            queued = await ReminderOutbox(session).existing_keys(p.dedupe_key for p in planned)
        return planned, queued, job.window.reminder_time.strftime("%H:%M"), target

    planned, queued, at, target = with_app(work)
    typer.echo(f"Reminders for {target:%d/%m/%Y} (at {at}); nothing is written.")
    if not planned:
        typer.echo("Nobody would be reminded that day.")
        return
    for item in planned:
        typer.echo("")
        for line in format_planned(item, queued=item.dedupe_key in queued):
            typer.echo(line)
    digests = sum(1 for p in planned if p.kind == "digest")
    typer.echo("")
    typer.echo(f"{len(planned) - digests} reminder(s), {digests} digest(s).")


def describe_rule(rule: ReportRule, today: date, language: str = "en") -> str:
    period = next(iter(rule.open_periods(today)), period_of(rule.period, today))
    tr = Translator(language)
    plan_ = rule.reminders
    reminders = "off"
    if plan_.enabled:
        reminders = "before " + ",".join(str(n) for n in plan_.before)
        if plan_.after:
            reminders += "; after " + ",".join(str(n) for n in plan_.after)
        if plan_.weekly:
            reminders += "; then weekly"
    return (
        f"{rule.form_id}: {rule.period}, deadline day {rule.deadline_rule.day} of month "
        f"'{rule.deadline_rule.month}', locked {rule.lock_days} days after; audience "
        f"{rule.audience}; reminders {reminders}. {period.label(language)}: due "
        f"{tr.date(rule.deadline(period))}, locked after {tr.date(rule.lock_date(period))}."
    )


@reminders_cli.command("calendar")
def show_calendar() -> None:
    """Print the deadlines in force (the file's, with admins' changes)."""

    async def work(app: App) -> tuple[Calendar, date]:
        job = _job(app)
        async with app.session_factory() as session:
            return await load_calendar(session, zone=job.zone), datetime.now(job.zone).date()

    calendar, today = with_app(work)
    for rule in calendar.rules.values():
        typer.echo(describe_rule(rule, today, "vi"))
    for (form_id, province), own in sorted(calendar.provinces.items()):
        typer.echo(
            f"  province {province} sets its own for {form_id}: day {own.day}, "
            f"month {own.month}, lock {own.lock_days} (empty: national)"
        )
    for campaign in calendar.campaigns:
        where = f"province {campaign.province_code}" if campaign.province_code else "all provinces"
        typer.echo(
            f"campaign {campaign.key}: {campaign.title_vi} — {campaign.deadline:%d/%m/%Y} "
            f"({campaign.audience}, {where})"
        )


@reminders_cli.command("run")
def run_now() -> None:
    """Write the reminders due now, as the scheduler does (already written ones are skipped)."""

    async def work(app: App) -> str:
        result = await _job(app).run()
        if result.skipped:
            return "Outside the reminder hours (OCOP_REMINDER_TIME, OCOP_QUIET_HOURS): nothing written."
        return f"{result.planned} due today, {result.written} newly written to the outbox."

    typer.echo(with_app(work))


if __name__ == "__main__":
    reminders_cli()
