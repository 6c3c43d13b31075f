"""The completeness sheet and the dashboard's province page put every commune in the same
one state, in the same words: officials compare the workbook with the page, so a report an
admin accepted or sent back must not be "on time" in one and "accepted" in the other.

The dashboard's side is what storage/web_completeness.py counts in SQL and the words
bot/web/completeness.py shows; on SQLite and PostgreSQL."""

from __future__ import annotations

from collections import Counter
from datetime import datetime

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.i18n import Translator
from storage.deadlines import Deadlines
from storage.exports import on_time_by_deadline
from storage.models import Commune, ReviewStatus
from storage.web_completeness import STATE_LABELS, STATES, Completeness, State
from tests.storage.test_exports import (
    HA_NOI,
    HOAN_KIEM,
    LANG_SON,
    NATIONAL,
    add_officer,
    at,
    factory,
    file_report,
    report_answers,
    rows_of,
    xlsx,
)

__all__ = ["factory"]  # the fixture shared with tests/storage/test_exports.py

FORM, PERIOD = "commune_report", "2024-Q2"
SHEET, REPORT_SHEET = "Tình hình báo cáo", "Báo cáo OCOP định kỳ của xã"
NATIONAL_DEADLINE = at(2024, 6, 15, 16, 59, 59)  # end of 15/06 in Việt Nam
LANG_SON_DEADLINE = at(2024, 6, 25, 16, 59, 59)  # Lạng Sơn gives its communes until 25/06
# Lạng Sơn's filing communes: when each sent, and the admin's review. The 20/06 report is
# late by the national deadline and on time by Lạng Sơn's own; the two reviewed ones are
# one on time and one late, which their review outranks.
PLAN: list[tuple[datetime, ReviewStatus | None]] = [
    (at(2024, 6, 10, 2, 0), None),  # on time
    (at(2024, 6, 20, 2, 0), None),  # on time by Lạng Sơn's deadline only
    (at(2024, 6, 28, 2, 0), None),  # late
    (at(2024, 6, 10, 2, 0), ReviewStatus.NEEDS_FIX),
    (at(2024, 6, 28, 2, 0), ReviewStatus.ACCEPTED),
]
VI = Translator("vi")


def in_sheet(state: State) -> str:
    """The dashboard's word for ``state`` as the sheet writes it: its first letter capital,
    as every cell of the workbook begins."""
    label = VI.t(STATE_LABELS[state])
    return label[:1].upper() + label[1:]


async def seed(factory: async_sessionmaker[AsyncSession]) -> None:
    """Lạng Sơn's first five communes by name file as :data:`PLAN` says, the others not;
    Hoàn Kiếm (Hà Nội) files on 20/06, late by the national deadline, outside the export."""
    async with factory() as session, session.begin():
        communes = (
            await session.scalars(
                select(Commune.code)
                .where(Commune.province_code == LANG_SON)
                .order_by(Commune.name_folded, Commune.code)
                .limit(len(PLAN))
            )
        ).all()
        for number, (code, (sent, review)) in enumerate(zip(communes, PLAN, strict=True)):
            officer = await add_officer(session, f"Cán bộ {number}", LANG_SON, code)
            report = await file_report(session, officer, report_answers(), sent)
            report.review_status = review
        an = await add_officer(session, "Trần An", HA_NOI, HOAN_KIEM)
        await file_report(session, an, report_answers(), at(2024, 6, 20, 2, 0))


async def dashboard_states(
    factory: async_sessionmaker[AsyncSession], deadlines: Deadlines
) -> tuple[dict[int, State], dict[State, int]]:
    """Each Lạng Sơn commune's state on the province page, and the page's counts."""
    async with factory() as session:
        store = Completeness(session)
        page = await store.communes(
            FORM, PERIOD, NATIONAL, deadlines, province_code=LANG_SON, limit=1000
        )
        [area] = await store.by_province(FORM, PERIOD, NATIONAL, deadlines, province_code=LANG_SON)
    assert page.total == len(page.rows) == area.expected
    return {row.code: row.state for row in page.rows}, {s: area.of(s) for s in STATES}


@pytest.mark.parametrize(
    "deadlines",
    [
        Deadlines(NATIONAL_DEADLINE, {LANG_SON: LANG_SON_DEADLINE}),
        Deadlines(None),  # no deadline known: a report is just "received"
    ],
    ids=["province_deadline", "no_deadline"],
)
async def test_the_completeness_sheet_gives_each_commune_the_dashboard_state(
    factory: async_sessionmaker[AsyncSession], deadlines: Deadlines
) -> None:
    await seed(factory)
    states, counts = await dashboard_states(factory, deadlines)
    if deadlines.national is not None:
        # The province has communes in each of the five states, as the dashboard counts.
        assert counts == {
            State.ON_TIME: 2,
            State.LATE: 1,
            State.RECEIVED: 0,
            State.NEEDS_FIX: 1,
            State.ACCEPTED: 1,
            State.MISSING: counts[State.MISSING],
        }
        assert counts[State.MISSING] == len(states) - len(PLAN) > 0
    else:
        assert counts[State.RECEIVED] == 3 and counts[State.ON_TIME] == counts[State.LATE] == 0

    book = await xlsx(
        factory,
        report=FORM,
        period=PERIOD,
        province_code=LANG_SON,
        on_time=on_time_by_deadline(lambda _form, _period, province=None: deadlines.of(province)),
    )
    rows = rows_of(book[SHEET])
    status = rows[0].index("Tình trạng")
    listed = {int(row[4]): row[status] for row in rows[1:]}

    assert listed == {code: in_sheet(state) for code, state in states.items()}
    words = Counter(listed.values())
    assert {s: words[in_sheet(s)] for s in STATES} == counts


async def test_a_reviewed_report_keeps_its_deadline_judgement_in_its_own_column(
    factory: async_sessionmaker[AsyncSession],
) -> None:
    """The status is the one state, and the "Đúng hạn" column still says how each report
    stood against its province's deadline, reviewed or not, as the report's sheet does and
    as the dashboard's on-time rate counts it."""
    await seed(factory)
    deadlines = Deadlines(NATIONAL_DEADLINE, {LANG_SON: LANG_SON_DEADLINE})
    book = await xlsx(
        factory,
        report=FORM,
        period=PERIOD,
        province_code=LANG_SON,
        on_time=on_time_by_deadline(lambda _form, _period, province=None: deadlines.of(province)),
    )
    rows = rows_of(book[SHEET])
    status, flag = rows[0].index("Tình trạng"), rows[0].index("Đúng hạn")
    assert "Trạng thái duyệt" not in rows[0]  # the review is in the status
    pairs = Counter((row[status], row[flag]) for row in rows[1:] if row[flag] is not None)
    assert pairs == Counter(
        {
            ("Đúng hạn", "Đúng hạn"): 2,
            ("Trễ hạn", "Trễ hạn"): 1,
            ("Cần bổ sung", "Đúng hạn"): 1,
            ("Đạt", "Trễ hạn"): 1,
        }
    )
    report = rows_of(book[REPORT_SHEET])
    on_time_column = report[0].index("Đúng hạn")
    assert Counter(row[on_time_column] for row in report[1:]) == Counter(
        {"Đúng hạn": 3, "Trễ hạn": 2}
    )
    async with factory() as session:
        [area] = await Completeness(session).by_province(
            FORM, PERIOD, NATIONAL, deadlines, province_code=LANG_SON
        )
    assert area.received_on_time == 3  # the dashboard's on-time rate counts the same three


def test_the_sheet_words_are_the_dashboard_words_in_both_catalogs() -> None:
    """The sheet and the page read one table of msgids (storage/web_completeness.py), which
    both catalogs translate."""
    english = Translator("en")
    for state in STATES:
        assert VI.t(STATE_LABELS[state]) != STATE_LABELS[state]
        assert english.t(STATE_LABELS[state]) == STATE_LABELS[state]
