"""The completeness sheet ("Tình hình báo cáo"): every commune expected, for every period of
every commune report exported, with its status. Its size is communes × periods, never the
number of submissions; what it lists is read before the workbook's writing starts.

The status is the commune's one state as the dashboard's province page counts it
(storage/web_completeness.py), in the page's words, because officials compare the two: an
admin's review ("needs fixing", "accepted") comes first, then "on time" or "late" by the
deadline of the commune's province, "received" while no deadline is known, "missing" when
nothing was sent. How a reviewed report stood against its deadline is not lost: the
"Đúng hạn" column judges every report received, as the report's own sheet and the
dashboard's on-time rate do.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from bot.i18n import Translator
from forms.schema import Form
from storage.exports import query
from storage.exports.cells import Value
from storage.exports.columns import (
    COMPLETENESS_COLUMNS,
    COMPLETENESS_SHEET,
    Asked,
    OnTime,
    UnitNames,
    commune_code_text,
    local,
    period_label,
    province_code_text,
    timeliness,
)
from storage.exports.sinks import Sink
from storage.models import ReviewStatus
from storage.web_completeness import STATE_LABELS, State

_VI = Translator("vi")  # the workbook is Vietnamese, like its headers


def commune_state(submission: Any | None, on_time: bool | None) -> State:
    """A commune's one state for a period, by the rule the dashboard counts in SQL
    (``_state`` in storage/web_completeness.py), in the same order: nothing sent; the
    review; no deadline known (``on_time`` None); the deadline of its province."""
    if submission is None:
        return State.MISSING
    review = getattr(submission, "review_status", None)
    if review == ReviewStatus.NEEDS_FIX.value:
        return State.NEEDS_FIX
    if review == ReviewStatus.ACCEPTED.value:
        return State.ACCEPTED
    if on_time is None:
        return State.RECEIVED
    return State.ON_TIME if on_time else State.LATE


@cache
def state_label(state: State) -> str:
    """The state as the sheet writes it: the dashboard's word, its first letter a capital
    as every cell of the workbook begins ("Đạt", "Cần bổ sung")."""
    text = _VI.t(STATE_LABELS[state])
    return text[:1].upper() + text[1:]


@dataclass(frozen=True)
class CompletenessPlan:
    """What the completeness sheet will list, read before writing starts: each commune
    report with its periods, and the communes expected in the scope, in order."""

    forms: list[tuple[Form, list[str]]]
    expected: list[tuple[int, int]]

    @property
    def rows(self) -> int:
        return len(self.expected) * sum(len(keys) for _, keys in self.forms)


async def plan_completeness(
    session: AsyncSession,
    plans: Sequence[tuple[Form, query.PeriodFilter]],
    where: query.Where,
    asked: Asked | None = None,
) -> CompletenessPlan | None:
    """The completeness sheet's contents; None when no report chosen is filed per commune.
    A period nobody was asked for (``asked`` says no: it ended before the report was put on
    the calendar) is left out rather than listing every commune as missing."""
    forms = [
        (
            form,
            [
                key
                for key in (
                    filter_.keys or await query.periods_present(session, form.id, filter_, where)
                )
                if asked is None or asked(form.id, key)
            ],
        )
        for form, filter_ in plans
        if form.shared_by == "commune"
    ]
    if not forms:
        return None
    return CompletenessPlan(forms, await query.expected_communes(session, where))


async def write_completeness(
    session: AsyncSession,
    sink: Sink,
    plan: CompletenessPlan,
    where: query.Where,
    names: UnitNames,
    zone: ZoneInfo,
    on_time: OnTime | None,
    summary: Any,  # run.ExportSummary: expected and missing are added up
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
                    completeness_row(
                        form, key, province_code, commune_code, submission, names, zone, on_time
                    )
                )
            summary.expected += len(expected)
            summary.missing += len(expected) - sum(c in filed for _, c in expected)
            await table.flush()
            await asyncio.sleep(0)
    await table.close()


def completeness_row(
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
        flag, receipt, sent = None, None, None
    else:
        flag = on_time(submission) if on_time else None
        receipt, sent = submission.receipt, local(submission.submitted_at, zone)
    return [
        form.title.vi,
        period_label(key),
        province_code_text(province_code),
        names.province(province_code),
        commune_code_text(commune_code),
        names.commune(commune_code),
        state_label(commune_state(submission, flag)),
        receipt,
        sent,
        timeliness(flag),
    ]
