"""Completeness of a commune report for a period, as DHIS2 defines it, counted in SQL.

Expected reports are the communes the report is assigned to (every commune in the reader's
scope, for a report filed per commune); received are those with a submission for the period;
the reporting rate is received / expected and the on-time rate is received by the deadline /
expected. Everything is one aggregate query (per province) or one page of communes, so the
dashboard costs the same for one province as for all 3,321 communes.

A commune is in exactly one state: "needs fixing" and "accepted" (an admin's review) come
first; otherwise "on time" or "late" by the deadline of its province
(:class:`~storage.deadlines.Deadlines`, as /tiendo and the exports judge), or "received"
while the report has no deadline; "missing" when nothing was sent. Every count of communes
by state (the legend, the bar, the national table's columns) and the state filter of the table use the one
SQL expression :func:`_state`, so they cannot disagree. The rates are the exception, as
DHIS2 defines them: a report received by the deadline counts for the on-time rate whatever
its review said (``received_on_time``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import Integer, String, and_, case, cast, func, literal, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.i18n import N_
from storage.deadlines import Deadlines
from storage.models import Commune, Province, ReviewStatus, Submission
from storage.progress import Rates
from storage.scope import Reach, Scope


class State(StrEnum):
    ON_TIME = "on_time"
    LATE = "late"
    RECEIVED = "received"  # sent, and the report has no deadline to be late against
    MISSING = "missing"
    NEEDS_FIX = "needs_fix"
    ACCEPTED = "accepted"


# The words of the states, one msgid each: the dashboard's legend and filter and the export's
# "Tình trạng" column translate these, so the page and the workbook say the same.
STATE_LABELS = {
    State.ON_TIME: N_("on time"),
    State.LATE: N_("late"),
    State.RECEIVED: N_("received"),
    State.MISSING: N_("missing"),
    State.NEEDS_FIX: N_("needs fixing"),
    State.ACCEPTED: N_("accepted"),
}


# The order states are shown in: the legend, the bar, the filter.
STATES = (
    State.ON_TIME,
    State.LATE,
    State.RECEIVED,
    State.NEEDS_FIX,
    State.ACCEPTED,
    State.MISSING,
)


@dataclass(frozen=True)
class AreaCounts:
    """One area's numbers (a province, or everything in scope).

    ``received_on_time`` is the on-time rate's numerator (DHIS2: received by the deadline,
    whatever the review); ``on_time`` … ``accepted`` count communes by their one state, so
    that with ``missing`` they add up to ``expected``.
    """

    code: int | None
    name: str
    expected: int
    received: int
    received_on_time: int
    on_time: int
    late: int
    undated: int  # State.RECEIVED: sent, not reviewed, and no deadline to judge by
    needs_fix: int
    accepted: int

    @property
    def missing(self) -> int:
        return self.expected - self.received

    @property
    def rates(self) -> Rates:
        return Rates(self.expected, self.received, self.received_on_time)

    def of(self, state: State) -> int:
        """How many communes are in ``state``."""
        return {
            State.ON_TIME: self.on_time,
            State.LATE: self.late,
            State.RECEIVED: self.undated,
            State.NEEDS_FIX: self.needs_fix,
            State.ACCEPTED: self.accepted,
            State.MISSING: self.missing,
        }[state]

    @classmethod
    def empty(cls, code: int | None, name: str) -> AreaCounts:
        return cls(code, name, *(0,) * len(COUNTED))


# The counted fields of AreaCounts after code and name, in the order of the query's columns.
COUNTED = (
    "expected",
    "received",
    "received_on_time",
    "on_time",
    "late",
    "undated",
    "needs_fix",
    "accepted",
)


@dataclass(frozen=True)
class CommuneRow:
    code: int
    name: str
    province_code: int
    state: State
    submission_id: int | None
    receipt: str | None
    submitted_at: datetime | None
    revision: int | None


@dataclass(frozen=True)
class CommunePage:
    rows: list[CommuneRow]
    total: int  # communes matching, over all pages


def _joined(form_id: str, period: str) -> Any:
    """Communes and, where there is one, the commune's submission of the report and period
    (the index on form, period and commune serves the join)."""
    return Commune.__table__.outerjoin(
        Submission.__table__,
        and_(
            Submission.form_id == form_id,
            Submission.period == period,
            Submission.commune_code == Commune.code,
            Submission.scope_key == literal("commune:", String) + cast(Commune.code, String),
        ),
    )


def _state(deadline: Any) -> Any:
    return case(
        (Submission.id.is_(None), State.MISSING.value),
        (Submission.review_status == ReviewStatus.NEEDS_FIX.value, State.NEEDS_FIX.value),
        (Submission.review_status == ReviewStatus.ACCEPTED.value, State.ACCEPTED.value),
        (deadline.is_(None), State.RECEIVED.value),
        (Submission.submitted_at <= deadline, State.ON_TIME.value),
        else_=State.LATE.value,
    )


def _count(condition: Any) -> Any:
    return func.coalesce(func.sum(case((condition, 1), else_=0)), 0).cast(Integer)


def _visible(scope: Scope) -> bool:
    return scope.reach in (Reach.NATIONAL, Reach.PROVINCE, Reach.COMMUNE)


class Completeness:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def by_province(
        self,
        form_id: str,
        period: str,
        scope: Scope,
        deadlines: Deadlines,
        *,
        province_code: int | None = None,
    ) -> list[AreaCounts]:
        """One row per province in scope (one query, grouped in the database); only
        ``province_code``'s when given."""
        if not _visible(scope):
            return []
        deadline = deadlines.expression()
        state = _state(deadline)
        statement = (
            select(
                Province.code,
                Province.name,
                func.count(Commune.code),
                func.count(Submission.id),
                _count(Submission.id.is_not(None) & (Submission.submitted_at <= deadline)),
                # on_time … accepted, in COUNTED's order; missing is what is left.
                *(_count(state == s.value) for s in STATES if s is not State.MISSING),
            )
            .select_from(
                _joined(form_id, period).join(
                    Province.__table__, Province.code == Commune.province_code
                )
            )
            .where(scope.filter(province=Commune.province_code, commune=Commune.code))
            .group_by(Province.code, Province.name)
            .order_by(Province.code)
        )
        if province_code is not None:
            statement = statement.where(Commune.province_code == province_code)
        rows = (await self.session.execute(statement)).all()
        return [AreaCounts(code, name, *(int(v) for v in counts)) for code, name, *counts in rows]

    async def communes(
        self,
        form_id: str,
        period: str,
        scope: Scope,
        deadlines: Deadlines,
        *,
        province_code: int,
        state: State | None = None,
        offset: int = 0,
        limit: int = 100,
    ) -> CommunePage:
        """One page of a province's communes with their state, by name; ``state`` keeps
        only the communes in that state."""
        if not _visible(scope):
            return CommunePage([], 0)
        state_of = _state(deadlines.expression())
        where = [
            Commune.province_code == province_code,
            scope.filter(province=Commune.province_code, commune=Commune.code),
        ]
        if state is not None:
            where.append(state_of == state.value)
        total = await self.session.scalar(
            select(func.count()).select_from(_joined(form_id, period)).where(*where)
        )
        statement = (
            select(
                Commune.code,
                Commune.name,
                Commune.province_code,
                state_of,
                Submission.id,
                Submission.receipt,
                Submission.submitted_at,
                Submission.revision,
            )
            .select_from(_joined(form_id, period))
            .where(*where)
            .order_by(Commune.name_folded, Commune.code)
            .offset(max(0, offset))
            .limit(limit)
        )
        rows = (await self.session.execute(statement)).all()
        return CommunePage(
            [
                CommuneRow(code, name, province, State(s), sid, receipt, at, revision)
                for code, name, province, s, sid, receipt, at, revision in rows
            ],
            int(total or 0),
        )

    async def commune_reports(
        self, commune_code: int, scope: Scope, *, limit: int = 60
    ) -> Sequence[Submission]:
        """A commune's reports in scope, latest period first (its page: commune → report)."""
        statement = (
            select(Submission)
            .where(
                Submission.commune_code == commune_code,
                Submission.scope_key == f"commune:{commune_code}",
                scope.filter(
                    province=Submission.province_code,
                    commune=Submission.commune_code,
                    owner=Submission.user_id,
                ),
            )
            .order_by(Submission.period.desc(), Submission.form_id)
            .limit(limit)
        )
        return (await self.session.scalars(statement)).all()


def total(areas: Sequence[AreaCounts], name: str) -> AreaCounts:
    """The sum of several areas (the whole country, or all a reader sees)."""
    return AreaCounts(None, name, *(sum(getattr(a, f) for a in areas) for f in COUNTED))
