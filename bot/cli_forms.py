"""``ocop-bot forms ...``: forms designed in Excel (XLSForm) installed as forms of the bot.

``check FILE.xlsx`` prints every problem with its sheet, row and column and changes nothing;
``import FILE.xlsx [--id ID]`` checks and installs it (a new version when the settings sheet
says so; reports already begun keep theirs); ``list`` shows what is installed; ``export ID``
writes the workbook back (a built-in form too); ``attach ID`` puts a form on the reporting
calendar (who files it, its period, its deadline; ``detach ID`` takes it off) so it gets
reminders, completeness and exports like the built-in reports. A running bot takes up what
changed within a minute (bot/forms_watch.py).

Registered in ``bot/cli.py`` as ``cli.add_typer(forms_cli, name="forms")``.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from bot.cli_common import fail, with_app
from forms.periods import PeriodKind
from forms.schema import load_forms
from forms.xlsform import check_workbook
from forms.xlsform.builtin import builtin_workbook
from forms.xlsform.export import source_of, workbook_bytes
from forms.xlsform.to_form import ChatSettings
from storage.installed_forms import CALENDAR_AUDIENCES, InstalledForms, InstallError

if TYPE_CHECKING:
    from bot.app import App

forms_cli = typer.Typer(
    help="Forms from XLSForm workbooks: check, import, list, export, attach to the calendar, detach.",
    add_completion=False,
    no_args_is_help=True,
)

AUDIENCES = CALENDAR_AUDIENCES


def _builtin() -> dict[str, object]:
    return dict(load_forms())


def _check(path: Path, form_id: str | None) -> tuple[object, object]:
    if not path.is_file():
        fail(f"There is no file {path}.")
    form, problems, book = check_workbook(path, form_id)
    if problems:
        for problem in problems:
            typer.echo(str(problem))
        fail(f"{path.name}: {len(problems)} problem(s); nothing was changed.")
    assert form is not None and book is not None
    return form, book


@forms_cli.command("check")
def check(
    file: Annotated[Path, typer.Argument(help="The XLSForm workbook (.xlsx).")],
    form_id: Annotated[str | None, typer.Option("--id", help="The form's id.")] = None,
) -> None:
    """Print every problem of a workbook (sheet, row, column, reason); change nothing."""
    form, _ = _check(file, form_id)
    questions = form.questions()  # type: ignore[attr-defined]
    typer.echo(
        f"{file.name}: form '{form.form_id}' version {form.version}: "  # type: ignore[attr-defined]
        f"{len(questions)} question(s), no problem."
    )


@forms_cli.command("import")
def import_form(
    file: Annotated[Path, typer.Argument(help="The XLSForm workbook (.xlsx).")],
    form_id: Annotated[str | None, typer.Option("--id", help="The form's id.")] = None,
    command: Annotated[
        str | None, typer.Option(help="The chat command that starts it (default: its id).")
    ] = None,
    audience: Annotated[
        str, typer.Option(help="Who fills it in: officer or producer.")
    ] = "officer",
) -> None:
    """Check a workbook and install it as a form of the bot (a new version if it changed)."""
    if audience not in ("officer", "producer"):
        fail("--audience is officer or producer.")
    form, book = _check(file, form_id)
    builtin = load_forms()
    used = {c: f.id for f in builtin.values() for c in f.commands}
    wanted = command or form.form_id[:32]  # type: ignore[attr-defined]
    if wanted in used:
        fail(f"The command /{wanted} is the built-in form '{used[wanted]}''s; give --command.")

    async def work(app: App) -> str:
        from handlers.forms.starting import reserved_commands

        if wanted in reserved_commands():
            fail(f"/{wanted} is a command of the bot; give another with --command.")
        async with app.session_factory() as session, session.begin():
            store = InstalledForms(session)
            earlier = await store.active(form.form_id)  # type: ignore[attr-defined]
            chat = None
            if earlier is None or command is not None:
                base = ChatSettings.from_json(earlier.chat if earlier else None)
                chat = ChatSettings(
                    audience=audience,  # type: ignore[arg-type]
                    period=base.period,
                    shared_by=base.shared_by,
                    command=wanted,
                )
            try:
                done = await store.install(
                    form,  # type: ignore[arg-type]
                    source_of(book.sheets),  # type: ignore[attr-defined]
                    now=datetime.now(UTC),
                    builtin_ids=frozenset(builtin),
                    chat=chat,
                )
            except InstallError as exc:
                fail(str(exc))
                raise AssertionError from exc
        row = done.row
        if not done.new:
            return f"'{row.form_id}' version {row.version} is already installed; nothing changed."
        return (
            f"Installed '{row.form_id}' version {row.version} ({row.title}). "
            "A running bot offers it in the chat within a minute."
        )

    typer.echo(with_app(work))


@forms_cli.command("list")
def list_forms() -> None:
    """The imported forms, every version; * marks the one new reports start with."""

    async def work(app: App) -> list[str]:
        async with app.session_factory() as session:
            rows = await InstalledForms(session).all()
        lines = []
        for row in rows:
            chat = ChatSettings.from_json(row.chat)
            when = row.installed_at.strftime("%Y-%m-%d %H:%M")
            lines.append(
                f"{'*' if row.active else ' '} {row.form_id}  v{row.version}  {row.title}  "
                f"/{chat.command or row.form_id}  {chat.audience}, {chat.period.value}  {when}"
            )
        return lines or ["No form has been imported."]

    for line in with_app(work):
        typer.echo(line)


@forms_cli.command("export")
def export(
    form_id: Annotated[str, typer.Argument(help="An imported or built-in form's id.")],
    version: Annotated[
        str | None, typer.Option(help="A version (default: the active one).")
    ] = None,
    output: Annotated[Path | None, typer.Option("--output", "-o")] = None,
) -> None:
    """Write a form as an XLSForm workbook (an imported form as it was imported)."""
    out = output or Path(f"{form_id}.xlsx")
    builtin = load_forms()
    if form_id in builtin:
        out.write_bytes(workbook_bytes(builtin_workbook(builtin[form_id])))
        typer.echo(f"Wrote {out}.")
        return

    async def work(app: App) -> dict[str, object] | None:
        async with app.session_factory() as session:
            store = InstalledForms(session)
            row = await (store.get(form_id, version) if version else store.active(form_id))
            return None if row is None else row.source

    source = with_app(work)
    if source is None:
        fail(f"There is no form '{form_id}'" + (f" version {version}." if version else "."))
    out.write_bytes(workbook_bytes(source))  # type: ignore[arg-type]
    typer.echo(f"Wrote {out}.")


@forms_cli.command("attach")
def attach(
    form_id: Annotated[str, typer.Argument(help="An imported form's id.")],
    period: Annotated[str, typer.Option(help="month, quarter or year.")],
    deadline_day: Annotated[int, typer.Option(help="1..31 (31: the month's last day).")],
    audience: Annotated[
        str, typer.Option(help="commune_officers, producers or producers_with_product.")
    ] = "commune_officers",
    deadline_month: Annotated[
        str, typer.Option(help="last, first, next or 1..12 (the period's n-th month).")
    ] = "last",
    lock_days: Annotated[int, typer.Option(help="Days late reports are still taken.")] = 30,
    remind_before: Annotated[str, typer.Option(help="Days before: 7,3,1,0.")] = "7,3,1,0",
    remind_after: Annotated[str, typer.Option(help="Days after: 1,3.")] = "1,3",
) -> None:
    """Put an imported form on the reporting calendar: reminders, completeness, exports."""
    from scheduler.rules import DeadlineRule

    if period not in ("month", "quarter", "year"):
        fail("--period is month, quarter or year.")
    if audience not in AUDIENCES:
        fail(f"--audience is one of {', '.join(AUDIENCES)}.")
    month: str = deadline_month
    try:
        DeadlineRule(deadline_day, month).check(PeriodKind(period))
        before = [int(d) for d in remind_before.split(",") if d.strip()]
        after = [int(d) for d in remind_after.split(",") if d.strip()]
    except ValueError as exc:
        fail(f"The deadline or reminders cannot be used: {exc}")
        raise AssertionError from exc

    async def work(app: App) -> str:
        async with app.session_factory() as session, session.begin():
            row = await InstalledForms(session).attach_to_calendar(
                form_id,
                period=PeriodKind(period),
                deadline_day=deadline_day,
                deadline_month=month,
                audience=audience,
                lock_days=lock_days,
                remind_before=before,
                remind_after=after,
                today=datetime.now(app.settings.zone).date(),
                now=datetime.now(UTC),
            )
            if row is None:
                fail(f"There is no imported form '{form_id}'.")
        return (
            f"'{form_id}' is on the calendar: {period}, deadline day {deadline_day} "
            f"({month}), {audience}. A running bot takes it up within a minute."
        )

    typer.echo(with_app(work))


@forms_cli.command("detach")
def detach(form_id: Annotated[str, typer.Argument(help="An attached imported form's id.")]) -> None:
    """Take an imported form off the reporting calendar: nobody must file it any more."""

    async def work(app: App) -> str:
        async with app.session_factory() as session, session.begin():
            if not await InstalledForms(session).detach_from_calendar(form_id):
                fail(f"'{form_id}' is not an imported form on the calendar.")
        return (
            f"'{form_id}' is off the calendar; reports already sent are kept. "
            "A running bot takes it up within a minute."
        )

    typer.echo(with_app(work))
