"""One export: check the request, read in scope, write the workbook or the CSV file.

Used by the command line (``ocop-bot export``) and by the chat (``/xuat``, which sends the
file as a document); both pass the requester's :class:`~storage.scope.Scope`.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
from collections.abc import AsyncIterator, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, Literal
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.i18n import Translator
from forms.periods import Period, PeriodKind, parse_period
from forms.registry import FORMS
from forms.schema import Form, load_forms
from storage.deadlines import DeadlineOf, judged
from storage.exports import query
from storage.exports.cells import EXCEL_MAX_ROWS
from storage.exports.columns import (
    COMPLETENESS_COLUMNS,
    COMPLETENESS_SHEET,
    Asked,
    OnTime,
    SubmissionRows,
    UnitNames,
    form_columns,
    has_photos,
    repeat_columns,
)
from storage.exports.completeness import CompletenessPlan, plan_completeness, write_completeness
from storage.exports.csv_sink import CsvSink
from storage.exports.cycle import has_cycle
from storage.exports.repeats import RepeatGroup, RepeatRows, repeat_groups
from storage.exports.sinks import MoreRowsThanPlanned, Output, Sink, Table, TablePlan
from storage.exports.xlsx_sink import XlsxSink
from storage.files import photo_ids
from storage.models import Commune, Province, Submission
from storage.scope import Scope

Format = Literal["xlsx", "csv"]
Progress = Callable[[int, int], None]
FORMATS: tuple[Format, ...] = ("xlsx", "csv")
# Submissions fetched at a time: large enough that the round trips to the database (and, on
# SQLite, to its thread) are a small share of the time, small enough that one batch of
# decoded answers stays a few megabytes.
BATCH_SIZE = 2000
_KIND_WORDS = {
    PeriodKind.MONTH: ("month", "2024-06"),
    PeriodKind.QUARTER: ("quarter", "2024-Q2"),
    PeriodKind.YEAR: ("year", "2024"),
}


class ExportError(Exception):
    """The request cannot be exported; the message is one sentence for the requester."""


@dataclass
class ExportSummary:
    """What was written, for the command's last line or the chat's caption."""

    fmt: Format
    sheets: list[str] = field(default_factory=list)
    submissions: int = 0
    expected: int = 0  # commune × period rows in the completeness sheet
    missing: int = 0


def on_time_by_deadline(deadline_of: DeadlineOf) -> OnTime:
    """The on-time flag from a deadline lookup (``HandlerConfig.deadline_of``): first sent no
    later than the deadline of the report's province (its own where it set one, else the
    national one), as ``/tiendo`` and the dashboard count it; None while no deadline is known.

    Make one per export: it remembers each (report, period, province)'s deadline, because an
    export asks for the same few deadlines for every one of its rows, and a calendar changed
    by an admin should count from the next export on, not half-way through this one.
    """
    deadlines: dict[tuple[str, str, int | None], datetime | None] = {}

    def on_time(submission: Submission) -> bool | None:
        key = (submission.form_id, submission.period, submission.province_code)
        try:
            deadline = deadlines[key]
        except KeyError:
            deadline = deadlines[key] = deadline_of(*key)
        return judged(submission.submitted_at, deadline)

    return on_time


def export_filename(report: str | None, period: str | None, fmt: Format) -> str:
    """A file name that says what is inside: ``ocop_commune_report_2024-Q2.xlsx``."""
    return f"ocop_{report or 'all'}_{(period or 'all').strip().upper()}.{fmt}"


async def export(
    session_factory: async_sessionmaker[AsyncSession],
    out: Output,
    *,
    scope: Scope,
    report: str | None = None,
    period: str | None = None,
    province_code: int | None = None,
    commune_code: int | None = None,
    fmt: Format = "xlsx",
    zone: ZoneInfo | str = "Asia/Ho_Chi_Minh",
    on_time: OnTime | None = None,
    was_asked: Asked | None = None,
    progress: Progress | None = None,
    forms: Mapping[str, Form] | None = None,
    row_limit: int = EXCEL_MAX_ROWS,
    batch_size: int = BATCH_SIZE,
) -> ExportSummary:
    """Export the submissions the ``scope`` may see, narrowed to ``report``, ``period``,
    ``province_code`` and ``commune_code`` when given, to ``out`` (a path, written whole
    or not at all, or a binary stream such as ``io.BytesIO``).

    xlsx: one sheet per report, one row per submission (its latest revision), and the
    completeness sheet "Tình hình báo cáo" for reports filed per commune. csv: one report
    (``report`` is required when there are several), no completeness table.
    ``on_time`` judges each report by its deadline; ``was_asked`` leaves out of the
    completeness table a period nobody was asked for (bot/export_job.py builds both from the
    database's calendar). ``progress(done, total)`` is called after each batch of
    ``batch_size`` submissions.
    Raises :class:`ExportError` with one sentence when the request is wrong.
    """
    zone = ZoneInfo(zone) if isinstance(zone, str) else zone
    if forms is None:  # the forms the running bot installed, else the built-in ones
        forms = dict(FORMS) or load_forms()
    chosen, asked = _check_request(forms, report, period, fmt)
    tr = Translator("vi")
    async with query.reading_session(session_factory) as session:
        where = await _narrow(session, scope, province_code, commune_code)
        provinces, communes = await query.unit_names(session)
        names = UnitNames(provinces, communes)
        plans = [
            (form, filter_)
            for form in chosen
            if (filter_ := query.period_filter(form.period, asked, zone)) is not None
        ]
        counts = [await query.count_submissions(session, f.id, p, where) for f, p in plans]
        completeness = (
            await plan_completeness(session, plans, where, was_asked) if fmt == "xlsx" else None
        )
        repeats = [
            await _plan_repeats(session, form, filter_, where, count, row_limit)
            if fmt == "xlsx"
            else []
            for (form, filter_), count in zip(plans, counts, strict=True)
        ]
        summary = ExportSummary(fmt)
        total = sum(counts)

        def advanced() -> None:
            if progress:
                progress(summary.submissions, total)

        with _target(out) as target:
            sink = _open_sink(fmt, target, plans, counts, repeats, completeness, row_limit)
            try:
                advanced()
                for (form, filter_), form_repeats in zip(plans, repeats, strict=True):
                    kept = await photo_ids(session) if has_photos(form) else None
                    make_row = SubmissionRows(
                        form,
                        names,
                        zone=zone,
                        on_time=on_time,
                        tr=tr,
                        kept_photos=kept,
                        repeat_sheets=fmt == "xlsx",
                    )
                    await _write_submissions(
                        sink.table(form.title.vi, form_columns(form, repeat_sheets=fmt == "xlsx")),
                        query.stream_submissions(
                            session,
                            form.id,
                            filter_,
                            where,
                            batch_size=batch_size,
                            with_cycle=has_cycle(form),
                        ),
                        make_row,
                        summary,
                        advanced,
                    )
                    for group, _ in form_repeats:  # a second pass for each repeat's sheet
                        await _write_repeat(
                            sink.table(group.sheet, repeat_columns(group)),
                            query.stream_submissions(
                                session, form.id, filter_, where, batch_size=batch_size
                            ),
                            RepeatRows(group, make_row.keys, make_row.convert),
                        )
                if completeness is not None:
                    await write_completeness(
                        session, sink, completeness, where, names, zone, on_time, summary
                    )
                await sink.finish()
            except BaseException as exc:
                await sink.abort()  # the writer stops too: no file is reported as complete
                if isinstance(exc, MoreRowsThanPlanned):
                    raise ExportError(
                        "The reports changed while they were being exported: please try again."
                    ) from exc
                raise
        summary.sheets = list(sink.sheets)
        return summary


def _open_sink(
    fmt: Format,
    target: Any,
    plans: Sequence[tuple[Form, query.PeriodFilter]],
    counts: Sequence[int],
    repeats: Sequence[Sequence[tuple[RepeatGroup, int]]],
    completeness: CompletenessPlan | None,
    row_limit: int,
) -> Sink:
    """The writer for ``fmt``; a workbook is told all its tables and their sizes first:
    each report, followed by a sheet for each of its repeats."""
    if fmt == "csv":
        return CsvSink(target)
    tables: list[TablePlan] = []
    for (form, _), count, form_repeats in zip(plans, counts, repeats, strict=True):
        tables.append(TablePlan(form.title.vi, tuple(form_columns(form)), count))
        tables.extend(
            TablePlan(group.sheet, tuple(repeat_columns(group)), rows)
            for group, rows in form_repeats
        )
    if completeness is not None:
        tables.append(TablePlan(COMPLETENESS_SHEET, COMPLETENESS_COLUMNS, completeness.rows))
    return XlsxSink(target, tables, row_limit=row_limit)


async def _plan_repeats(
    session: AsyncSession,
    form: Form,
    filter_: query.PeriodFilter,
    where: query.Where,
    submissions: int,
    row_limit: int,
) -> list[tuple[RepeatGroup, int]]:
    """Each repeat of ``form`` with the rows its sheet will have, as far as the sheet's
    splitting needs to know: at most one row per instance of every submission, which is
    all that is needed while that fits in one sheet; past it, the instances are counted
    (one more pass over the answers)."""
    groups = repeat_groups(form)
    if not groups:
        return []
    bounds = [submissions * len(group.instances) for group in groups]
    if all(bound < row_limit for bound in bounds):
        return list(zip(groups, bounds, strict=True))
    rows = [0] * len(groups)
    async for batch in query.stream_submissions(session, form.id, filter_, where):
        for submission, _ in batch:
            answers = submission.answers or {}
            for index, group in enumerate(groups):
                rows[index] += group.count(answers)
    return list(zip(groups, rows, strict=True))


async def _write_repeat(
    table: Table,
    batches: AsyncIterator[Sequence[tuple[Any, str | None]]],
    make_rows: RepeatRows,
) -> None:
    """A repeat's sheet: every instance of every submission, in the report's order."""
    write_row = table.row
    async for batch in batches:
        for submission, _ in batch:
            for row in make_rows(submission):
                write_row(row)
        await table.flush()
        await asyncio.sleep(0)
    await table.close()


async def _write_submissions(
    table: Table,
    batches: AsyncIterator[Sequence[tuple[Any, str | None]]],
    make_row: SubmissionRows,
    summary: ExportSummary,
    advanced: Callable[[], None],
) -> None:
    """One report's table, batch by batch: each batch is handed to the writer (which lets
    the bot's other work run) before the next is fetched."""
    write_row = table.row
    async for batch in batches:
        for submission, sender in batch:
            write_row(make_row(submission, sender))
        summary.submissions += len(batch)
        advanced()
        await table.flush()
        await asyncio.sleep(0)  # a CSV table's flush does not yield
    await table.close()


def _check_request(
    forms: Mapping[str, Form], report: str | None, period: str | None, fmt: str
) -> tuple[list[Form], Period | None]:
    if fmt not in FORMATS:
        raise ExportError(f"Unknown format '{fmt}': use xlsx or csv.")
    if report is not None and report not in forms:
        raise ExportError(f"Unknown report '{report}'; the reports are: {', '.join(forms)}.")
    chosen = [forms[report]] if report is not None else list(forms.values())
    if fmt == "csv" and len(chosen) != 1:
        raise ExportError(
            "A CSV file holds one report: choose it with --report "
            f"({', '.join(forms)}), or use --format xlsx."
        )
    asked: Period | None = None
    if period is not None:
        asked = parse_period(period)
        if asked is None:
            raise ExportError(
                f"'{period}' is not a period: write a quarter (2024-Q2), a month (2024-06) "
                "or a year (2024)."
            )
        if report is not None:
            form = forms[report]
            if form.period is not PeriodKind.NONE and query.keys_within(asked, form.period) is None:
                word, example = _KIND_WORDS[form.period]
                raise ExportError(
                    f"'{report}' is filed once a {word}, so {period} is too short: "
                    f"ask for a {word} such as {example}, or a longer period."
                )
    return chosen, asked


async def _narrow(
    session: AsyncSession, scope: Scope, province_code: int | None, commune_code: int | None
) -> query.Where:
    """Check the province and commune asked for exist, fit together and lie in scope."""
    if province_code is not None and await session.get(Province, province_code) is None:
        raise ExportError(f"There is no province with code {province_code}.")
    if commune_code is not None:
        commune = await session.get(Commune, commune_code)
        if commune is None:
            raise ExportError(f"There is no commune with code {commune_code}.")
        if province_code is not None and commune.province_code != province_code:
            raise ExportError(f"{commune.name} is not in the province asked for.")
        province_code = commune.province_code
    inside = (
        scope.covers(province_code, commune_code)
        if commune_code is not None
        else (
            province_code is None
            or scope.covers(province_code, None)
            or scope.province_code == province_code
        )
    )
    if not inside:
        raise ExportError("That province or commune is outside what you may export.")
    return query.Where(scope, province_code, commune_code)


@contextlib.contextmanager
def _target(out: Output):  # type: ignore[no-untyped-def]
    """A path is written under a temporary name and renamed at the end, so that a failed
    or interrupted export never leaves a half-written file that looks complete."""
    if not isinstance(out, str | Path):
        yield out
        return
    path = Path(out)
    partial = path.with_name(f".{path.name}.part")
    try:
        yield partial
        os.replace(partial, path)
    finally:
        partial.unlink(missing_ok=True)
