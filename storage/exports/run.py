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
from storage.exports import query
from storage.exports.cells import EXCEL_MAX_ROWS, Value
from storage.exports.columns import (
    COMPLETENESS_COLUMNS,
    COMPLETENESS_SHEET,
    MISSING,
    SENT,
    OnTime,
    SubmissionRows,
    UnitNames,
    commune_code_text,
    form_columns,
    has_photos,
    local,
    period_label,
    province_code_text,
    review_label,
    timeliness,
)
from storage.exports.csv_sink import CsvSink
from storage.exports.cycle import has_cycle
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


def on_time_by_deadline(deadline_of: Callable[[str, str], datetime | None]) -> OnTime:
    """The on-time flag from a deadline lookup (``HandlerConfig.deadline_of``): first sent
    no later than the deadline, as ``/tiendo`` counts it; None while no deadline is known.

    Make one per export: it remembers each (report, period)'s deadline, because an export
    asks for the same few deadlines for every one of its rows, and a calendar changed by an
    admin should count from the next export on, not half-way through this one.
    """
    deadlines: dict[tuple[str, str], datetime | None] = {}

    def on_time(submission: Submission) -> bool | None:
        key = (submission.form_id, submission.period)
        try:
            deadline = deadlines[key]
        except KeyError:
            deadline = deadlines[key] = deadline_of(*key)
        return None if deadline is None else submission.submitted_at <= deadline

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
    ``progress(done, total)`` is called after each batch of ``batch_size`` submissions.
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
        completeness = await _plan_completeness(session, plans, where) if fmt == "xlsx" else None
        summary = ExportSummary(fmt)
        total = sum(counts)

        def advanced() -> None:
            if progress:
                progress(summary.submissions, total)

        with _target(out) as target:
            sink = _open_sink(fmt, target, plans, counts, completeness, row_limit)
            try:
                advanced()
                for form, filter_ in plans:
                    kept = await photo_ids(session) if has_photos(form) else None
                    await _write_submissions(
                        sink.table(form.title.vi, form_columns(form)),
                        query.stream_submissions(
                            session,
                            form.id,
                            filter_,
                            where,
                            batch_size=batch_size,
                            with_cycle=has_cycle(form),
                        ),
                        SubmissionRows(
                            form, names, zone=zone, on_time=on_time, tr=tr, kept_photos=kept
                        ),
                        summary,
                        advanced,
                    )
                if completeness is not None:
                    await _completeness(
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


@dataclass(frozen=True)
class CompletenessPlan:
    """What the completeness sheet will list, read before writing starts: each commune
    report with its periods, and the communes expected in the scope, in order."""

    forms: list[tuple[Form, list[str]]]
    expected: list[tuple[int, int]]

    @property
    def rows(self) -> int:
        return len(self.expected) * sum(len(keys) for _, keys in self.forms)


async def _plan_completeness(
    session: AsyncSession,
    plans: Sequence[tuple[Form, query.PeriodFilter]],
    where: query.Where,
) -> CompletenessPlan | None:
    """The completeness sheet's contents; None when no report chosen is filed per commune."""
    forms = [
        (form, filter_.keys or await query.periods_present(session, form.id, filter_, where))
        for form, filter_ in plans
        if form.shared_by == "commune"
    ]
    if not forms:
        return None
    return CompletenessPlan(forms, await query.expected_communes(session, where))


def _open_sink(
    fmt: Format,
    target: Any,
    plans: Sequence[tuple[Form, query.PeriodFilter]],
    counts: Sequence[int],
    completeness: CompletenessPlan | None,
    row_limit: int,
) -> Sink:
    """The writer for ``fmt``; a workbook is told all its tables and their sizes first."""
    if fmt == "csv":
        return CsvSink(target)
    tables = [
        TablePlan(form.title.vi, tuple(form_columns(form)), count)
        for (form, _), count in zip(plans, counts, strict=True)
    ]
    if completeness is not None:
        tables.append(TablePlan(COMPLETENESS_SHEET, COMPLETENESS_COLUMNS, completeness.rows))
    return XlsxSink(target, tables, row_limit=row_limit)


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


async def _completeness(
    session: AsyncSession,
    sink: Sink,
    plan: CompletenessPlan,
    where: query.Where,
    names: UnitNames,
    zone: ZoneInfo,
    on_time: OnTime | None,
    summary: ExportSummary,
) -> None:
    """Every expected commune for every period of every commune report, with its status:
    bounded by communes × periods, never by the number of submissions."""
    table = sink.table(COMPLETENESS_SHEET, COMPLETENESS_COLUMNS)
    expected = plan.expected
    write_row = table.row
    for form, keys in plan.forms:
        for key in keys:
            filed = await query.filed_by_commune(session, form.id, key, where)
            for province_code, commune_code in expected:
                submission = filed.get(commune_code)
                write_row(
                    _completeness_row(
                        form, key, province_code, commune_code, submission, names, zone, on_time
                    )
                )
            summary.expected += len(expected)
            summary.missing += len(expected) - sum(c in filed for _, c in expected)
            await table.flush()
            await asyncio.sleep(0)
    await table.close()


def _completeness_row(
    form: Form,
    key: str,
    province_code: int,
    commune_code: int,
    submission: Any | None,  # a row of the submission's columns (query.filed_by_commune)
    names: UnitNames,
    zone: ZoneInfo,
    on_time: OnTime | None,
) -> list[Value]:
    if submission is None:
        status, receipt, sent, review = MISSING, None, None, None
    else:
        flag = on_time(submission) if on_time else None
        status = timeliness(flag) or SENT
        receipt, sent = submission.receipt, local(submission.submitted_at, zone)
        review = review_label(submission)
    return [
        form.title.vi,
        period_label(key),
        province_code_text(province_code),
        names.province(province_code),
        commune_code_text(commune_code),
        names.commune(commune_code),
        status,
        receipt,
        sent,
        review,
    ]
