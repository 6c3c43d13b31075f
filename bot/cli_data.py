"""``ocop-bot export`` and ``ocop-bot import officers|products``: data in and out for the
agriculture offices, from the terminal.

Register in ``bot/cli.py`` with :func:`register`; ``python -m bot.cli_data export ...`` runs
the same commands on their own. Wrong options end with one sentence and exit code 2.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.cli_common import with_app
from bot.export_job import calendar_for_export
from storage.exports import FORMATS, ExportError, ExportSummary, export, export_filename
from storage.imports import ImportFileError, ImportReport, import_file
from storage.imports.fields import PlaceFinder, Problem
from storage.scope import Reach, Scope

if TYPE_CHECKING:
    from bot.app import App

app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    help="Export reports to Excel/CSV; import lists of officers and products.",
)
import_cli = typer.Typer(
    no_args_is_help=True,
    help="Pre-register officers and certified products from a spreadsheet (.xlsx or .csv).",
)
app.add_typer(import_cli, name="import")


def _fail(message: str, code: int = 2) -> None:
    typer.echo(message, err=True)
    raise typer.Exit(code)


class ExportProgress:
    """A bar on a terminal; elsewhere (a log, a cron job, a test) a line at every tenth,
    because a redrawn bar in a log file is noise."""

    def __init__(self, console: Console | None = None) -> None:
        self.console = console or Console(stderr=True)
        self.bar: Progress | None = None
        self.task: object = None
        self.next_tenth = 1

    def __call__(self, done: int, total: int) -> None:
        if self.console.is_terminal:
            if self.bar is None:
                self.bar = Progress(
                    TextColumn("Exporting"),
                    BarColumn(),
                    MofNCompleteColumn(),
                    TimeRemainingColumn(),
                    console=self.console,
                    transient=True,
                )
                self.bar.start()
                self.task = self.bar.add_task("export", total=total)
            self.bar.update(self.task, completed=done, total=total)  # type: ignore[arg-type]
            return
        if total and done and done * 10 >= self.next_tenth * total:
            typer.echo(f"Exported {done} of {total} submissions ({done * 100 // total}%)", err=True)
            self.next_tenth = done * 10 // total + 1

    def close(self) -> None:
        if self.bar is not None:
            self.bar.stop()


def _format_of(fmt: str | None, out: Path | None) -> str:
    suffix = out.suffix.lower().lstrip(".") if out else ""
    if fmt is None:
        return suffix if suffix in FORMATS else "xlsx"
    fmt = fmt.lower()
    if fmt not in FORMATS:
        _fail(f"--format must be xlsx or csv, not '{fmt}'.")
    if suffix in FORMATS and suffix != fmt:
        _fail(f"--format {fmt} does not fit the file name {out.name if out else ''}.")
    return fmt


async def _place(
    session_factory: async_sessionmaker[AsyncSession], province: str | None, commune: str | None
) -> tuple[int | None, int | None]:
    """--province and --commune by name (accents optional) or official code."""
    if province is None and commune is None:
        return None, None
    async with session_factory() as session:
        places = await PlaceFinder.load(session)
    p_name, p_code = (None, province) if province and province.isdigit() else (province, None)
    try:
        if commune is None:
            found = places.province(p_name, p_code, None)
            return found.code, None
        c_name, c_code = (None, commune) if commune.isdigit() else (commune, None)
        if c_code is None and province is None:
            _fail("--commune by name needs --province (or give the commune's code).")
        unit = places.commune(c_name, c_code, p_name, p_code, None)
        return unit.province_code, unit.code
    except Problem as problem:
        _fail(f"{str(problem)[0].upper()}{str(problem)[1:]}.")
        raise AssertionError from problem


@app.command("export")
def export_command(
    report: Annotated[
        str | None,
        typer.Option(help="Report (form id), e.g. commune_report; all reports when left out."),
    ] = None,
    period: Annotated[
        str | None, typer.Option(help="2024-Q2, 2024-06 or 2024; every period when left out.")
    ] = None,
    province: Annotated[
        str | None, typer.Option(help="Province name ('lang son') or official code (20).")
    ] = None,
    commune: Annotated[
        str | None, typer.Option(help="Commune name ('cao loc', with --province) or code.")
    ] = None,
    fmt: Annotated[
        str | None,
        typer.Option("--format", "-f", help="xlsx (default) or csv (one report per file)."),
    ] = None,
    out: Annotated[
        Path | None,
        typer.Option("--out", "-o", help="File to write; default ocop_REPORT_PERIOD.xlsx."),
    ] = None,
) -> None:
    """Export submissions to Excel or CSV, with the completeness of commune reports."""
    chosen = _format_of(fmt, out)
    target = out or Path(export_filename(report, period, chosen))  # type: ignore[arg-type]

    async def work(bot_app: App) -> ExportSummary:
        province_code, commune_code = await _place(bot_app.session_factory, province, commune)
        # The calendar as admins left it in the database: no scheduler runs here to refresh
        # the process's copy of it.
        judged = await calendar_for_export(bot_app.session_factory, bot_app.settings.zone)
        progress = ExportProgress()
        try:
            return await export(
                bot_app.session_factory,
                target,
                scope=Scope(Reach.NATIONAL),  # the operator of the server sees everything
                report=report,
                period=period,
                province_code=province_code,
                commune_code=commune_code,
                fmt=chosen,  # type: ignore[arg-type]
                zone=bot_app.settings.zone,
                on_time=judged.on_time,
                was_asked=judged.asked,
                progress=progress,
            )
        except ExportError as exc:
            _fail(str(exc))
            raise AssertionError from exc
        finally:
            progress.close()

    summary = with_app(work)
    typer.echo(f"Wrote {target}: {_describe(summary)}")


def _describe(summary: ExportSummary) -> str:
    text = f"{summary.submissions} submissions"
    if summary.fmt == "xlsx":
        text += f" in sheets {', '.join(summary.sheets)}"
    if summary.expected:
        text += f"; {summary.missing} of {summary.expected} expected commune reports missing"
    return text + "."


def _import(kind: str, file: Path, province: str | None, dry_run: bool) -> None:
    async def work(bot_app: App) -> ImportReport:
        province_code, _ = await _place(bot_app.session_factory, province, None)
        try:
            return await import_file(
                bot_app.session_factory,
                kind,  # type: ignore[arg-type]
                file,
                default_province=province_code,
                dry_run=dry_run,
                zone=bot_app.settings.zone,
            )
        except ImportFileError as exc:
            _fail(str(exc))
            raise AssertionError from exc

    report = with_app(work)
    for problem in report.problems:
        typer.echo(f"Row {problem.row}: {problem.reason}.")
    typer.echo(report.summary())
    if report.problems:
        raise typer.Exit(1)


FILE_ARGUMENT = typer.Argument(help="An .xlsx or .csv file; headers in Vietnamese or English.")
PROVINCE_OPTION = typer.Option(help="Province of rows that name none ('lang son' or 20).")
DRY_RUN_OPTION = typer.Option("--dry-run", help="Check every row, change nothing.")


@import_cli.command("officers")
def import_officers_command(
    file: Annotated[Path, FILE_ARGUMENT],
    province: Annotated[str | None, PROVINCE_OPTION] = None,
    dry_run: Annotated[bool, DRY_RUN_OPTION] = False,
) -> None:
    """Pre-register commune officers: columns Họ tên, Số điện thoại, Xã (or Mã xã), Tỉnh.

    They are approved at once when they register in the chat sharing that phone number.
    Exit code 1 when some rows were not imported (the good ones are), 2 when nothing could be.
    """
    _import("officers", file, province, dry_run)


@import_cli.command("products")
def import_products_command(
    file: Annotated[Path, FILE_ARGUMENT],
    province: Annotated[str | None, PROVINCE_OPTION] = None,
    dry_run: Annotated[bool, DRY_RUN_OPTION] = False,
) -> None:
    """Record certified products: Tên sản phẩm, Chủ thể, Xã, Tỉnh, Số sao, Ngày cấp.

    Columns: Tên sản phẩm, Chủ thể, Xã (or Mã xã), Tỉnh, Số sao (3-5), Ngày cấp giấy
    chứng nhận (day first), and optionally Nhóm sản phẩm.

    Exit code 1 when some rows were not imported (the good ones are), 2 when nothing could be.
    """
    _import("products", file, province, dry_run)


def register(cli: typer.Typer) -> None:
    """Add ``export`` and ``import`` to the main command line."""
    cli.command("export")(export_command)
    cli.add_typer(import_cli, name="import")


if __name__ == "__main__":
    try:
        app()
    except KeyboardInterrupt:
        sys.exit(130)
