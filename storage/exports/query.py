"""The reads behind an export: which submissions, which communes were expected, in scope.

Everything goes through a :class:`~storage.scope.Scope` first and the caller's narrowing
(province, commune) second, so an export can never reach past what its requester may see.
Submissions are streamed (``yield_per``: a server-side cursor on PostgreSQL, a stepped cursor
on SQLite), so memory does not grow with their number.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, and_, event, func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker, create_async_engine

from forms.periods import Period, PeriodKind, period_of
from storage.exports.cycle import selected as cycle_fields
from storage.models import Commune, Product, Province, Submission, User
from storage.scope import Scope

_RANK = {PeriodKind.MONTH: 1, PeriodKind.QUARTER: 2, PeriodKind.YEAR: 3}


@dataclass(frozen=True)
class Where:
    """The requester's scope, narrowed to a province or a commune when asked."""

    scope: Scope
    province_code: int | None = None
    commune_code: int | None = None

    def submissions(self) -> list[ColumnElement[bool]]:
        conditions = [
            self.scope.filter(
                province=Submission.province_code,
                commune=Submission.commune_code,
                owner=Submission.user_id,
            )
        ]
        if self.province_code is not None:
            conditions.append(Submission.province_code == self.province_code)
        if self.commune_code is not None:
            conditions.append(Submission.commune_code == self.commune_code)
        return conditions

    def communes(self) -> list[ColumnElement[bool]]:
        conditions = [self.scope.filter(province=Commune.province_code, commune=Commune.code)]
        if self.province_code is not None:
            conditions.append(Commune.province_code == self.province_code)
        if self.commune_code is not None:
            conditions.append(Commune.code == self.commune_code)
        return conditions


@dataclass(frozen=True)
class PeriodFilter:
    """Which submissions of one form fall in the period asked for.

    ``keys``: the form's own period keys inside it ("2024" → the four quarters of a
    quarterly report); None means any period. ``window``: for forms not tied to a period
    (product ideas), the local days they were sent, as a UTC [start, end) pair.
    """

    keys: list[str] | None = None
    window: tuple[datetime, datetime] | None = None

    def conditions(self) -> list[ColumnElement[bool]]:
        conditions: list[ColumnElement[bool]] = []
        if self.keys is not None:
            conditions.append(Submission.period.in_(self.keys))
        if self.window is not None:
            start, end = self.window
            conditions.append(and_(Submission.submitted_at >= start, Submission.submitted_at < end))
        return conditions


def keys_within(period: Period, kind: PeriodKind) -> list[str] | None:
    """The period keys of ``kind`` inside ``period``; None when ``kind`` is longer than it
    (a quarterly report has no key inside one month)."""
    if _RANK[kind] > _RANK[period.kind]:
        return None
    keys: list[str] = []
    day = period.start
    while day <= period.end:
        key = period_of(kind, day).key
        if key not in keys:
            keys.append(key)
        day = date(day.year + (day.month == 12), day.month % 12 + 1, 1)
    return keys


def period_filter(kind: PeriodKind, period: Period | None, zone: ZoneInfo) -> PeriodFilter | None:
    """The filter for a form of ``kind``; None when the form cannot have anything in it."""
    if period is None:
        return PeriodFilter()
    if kind is PeriodKind.NONE:
        start = datetime.combine(period.start, time(), zone)
        end = datetime.combine(period.end + timedelta(days=1), time(), zone)
        return PeriodFilter(window=(start, end))
    keys = keys_within(period, kind)
    return None if keys is None else PeriodFilter(keys=keys)


@asynccontextmanager
async def reading_session(
    session_factory: async_sessionmaker[AsyncSession],
) -> AsyncIterator[AsyncSession]:
    """A session that sees one consistent snapshot and never blocks the bot's writes.

    PostgreSQL: a read-only REPEATABLE READ transaction. SQLite: the bot's engine starts
    every transaction with ``BEGIN IMMEDIATE`` (the write lock), which would hold off every
    incoming message for the length of a large export; a reader of its own uses a plain
    ``BEGIN`` instead, which under WAL reads a snapshot while writers carry on.
    """
    bind = session_factory.kw.get("bind")
    dialect = getattr(getattr(bind, "dialect", None), "name", None)
    database = getattr(getattr(bind, "url", None), "database", None)
    if dialect == "sqlite" and database not in (None, "", ":memory:"):
        engine = create_async_engine(bind.url, connect_args={"timeout": 30})
        _read_only_sqlite(engine.sync_engine)
        try:
            async with AsyncSession(engine, expire_on_commit=False) as session:
                yield session
        finally:
            await engine.dispose()
        return
    async with session_factory() as session:
        if dialect == "postgresql":
            await session.connection(
                execution_options={
                    "isolation_level": "REPEATABLE READ",
                    "postgresql_readonly": True,
                }
            )
        yield session


def _read_only_sqlite(sync_engine: Any) -> None:
    @event.listens_for(sync_engine, "connect")
    def _on_connect(dbapi_connection, _record) -> None:  # type: ignore[no-untyped-def]
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.execute("PRAGMA query_only=ON")
        cursor.close()

    @event.listens_for(sync_engine, "begin")
    def _on_begin(connection) -> None:  # type: ignore[no-untyped-def]
        connection.exec_driver_sql("BEGIN")


async def unit_names(session: AsyncSession) -> tuple[dict[int, str], dict[int, str]]:
    provinces = {
        code: name for code, name in await session.execute(select(Province.code, Province.name))
    }
    communes = {
        code: name for code, name in await session.execute(select(Commune.code, Commune.name))
    }
    return provinces, communes


async def count_submissions(
    session: AsyncSession, form_id: str, periods: PeriodFilter, where: Where
) -> int:
    statement = select(func.count()).where(
        Submission.form_id == form_id, *where.submissions(), *periods.conditions()
    )
    return int(await session.scalar(statement) or 0)


def _submission_columns(*, answers: bool = True) -> list[Any]:
    """The submissions table's columns, read as plain rows rather than ORM objects: an
    export only reads them, and building, tracking and dropping an object per submission
    cost more than writing its row. A row has the same attribute names as a
    :class:`~storage.models.Submission`, so an ``on_time`` rule reads either."""
    return [c for c in Submission.__table__.columns if answers or c.name != "answers"]


async def stream_submissions(
    session: AsyncSession,
    form_id: str,
    periods: PeriodFilter,
    where: Where,
    *,
    batch_size: int = 1000,
    with_cycle: bool = False,
) -> AsyncIterator[Sequence[tuple[Any, str | None]]]:
    """Batches of (submission row, sender's name), ordered by province, commune and period.

    Each batch is dropped by the caller before the next is fetched, so memory holds one
    batch at a time. ``with_cycle`` adds the product registered by each submission (an
    idea's OCOP cycle: ``storage.exports.cycle``).
    """
    cycle = cycle_fields() if with_cycle else []
    statement = (
        select(*_submission_columns(), User.full_name.label("sender_name"), *cycle)
        .outerjoin(User, User.id == Submission.user_id)
        .where(Submission.form_id == form_id, *where.submissions(), *periods.conditions())
        .order_by(
            Submission.province_code,
            Submission.commune_code,
            Submission.period,
            Submission.id,
        )
        .execution_options(yield_per=batch_size)
    )
    if with_cycle:
        statement = statement.outerjoin(Product, Product.submission_id == Submission.id)
    result = await session.stream(statement)
    try:
        async for partition in result.partitions():
            yield [(row, row.sender_name) for row in partition]
    finally:
        await result.close()


async def periods_present(
    session: AsyncSession, form_id: str, periods: PeriodFilter, where: Where
) -> list[str]:
    statement = (
        select(Submission.period)
        .distinct()
        .where(Submission.form_id == form_id, *where.submissions(), *periods.conditions())
    )
    return sorted(key for key in await session.scalars(statement) if key)


async def expected_communes(session: AsyncSession, where: Where) -> list[tuple[int, int]]:
    """(province code, commune code) of every commune expected to report, by province and
    then by name, as the offices read their lists."""
    statement = (
        select(Commune.province_code, Commune.code)
        .where(*where.communes())
        .order_by(Commune.province_code, Commune.name_folded, Commune.code)
    )
    return [(province, commune) for province, commune in await session.execute(statement)]


async def filed_by_commune(
    session: AsyncSession, form_id: str, key: str, where: Where
) -> dict[int, Any]:
    """The commune reports of one period, by commune: at most one per commune. Rows of the
    submission's columns without its answers, which the completeness table never shows."""
    statement = select(*_submission_columns(answers=False)).where(
        Submission.form_id == form_id,
        Submission.period == key,
        Submission.commune_code.is_not(None),
        *where.submissions(),
    )
    return {s.commune_code: s for s in await session.execute(statement) if s.commune_code}
