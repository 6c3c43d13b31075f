"""Who an announcement goes to, and how its messages ended, on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from bot.messages import Outbound
from storage.broadcasts import Audience, AudienceFilter, Broadcasts, Outcome
from storage.db import create_engine, create_session_factory
from storage.models import Identity, OutboxStatus, Role, User, UserStatus
from storage.outbox import Outbox, row_values
from storage.reach import NOTICE_UNREACHABLE
from storage.scope import Reach, Scope
from storage.users import Users
from tests.people import add_identities


@pytest.fixture
async def session(database_url: str) -> AsyncIterator[AsyncSession]:
    engine = create_engine(database_url)
    async with create_session_factory(engine)() as session, session.begin():
        yield session
    await engine.dispose()


async def officer(session: AsyncSession, name: str, *, reachable: bool | None) -> User:
    """An active officer; ``reachable`` None: no messenger at all."""
    user = User(role=Role.OFFICER, status=UserStatus.ACTIVE, full_name=name, language="vi")
    session.add(user)
    await session.flush()
    if reachable is not None:
        session.add(
            Identity(user_id=user.id, channel="telegram", external_id=name, reachable=reachable)
        )
        await session.flush()
    return user


async def test_the_audience_includes_those_no_messenger_can_reach_now(
    session: AsyncSession,
) -> None:
    reachable = await officer(session, "an", reachable=True)
    blocked = await officer(session, "binh", reachable=False)
    await officer(session, "nobody", reachable=None)
    people = await Broadcasts(session).recipients(
        AudienceFilter(Scope(Reach.NATIONAL), role=Role.OFFICER)
    )
    # The one who blocked the bot gets a row kept as unreachable; no messenger at all: none.
    assert [p.id for p in people] == [reachable.id, blocked.id]


async def test_the_outcome_counts_the_unreached_among_the_failed(session: AsyncSession) -> None:
    broadcasts = Broadcasts(session)
    record = await broadcasts.create(
        author_id=(await officer(session, "admin", reachable=True)).id,
        text="x",
        audience="everyone",
        province_code=None,
        commune_code=None,
        recipients=5,
    )
    ends = [
        (OutboxStatus.SENT, None),
        (OutboxStatus.SENT, None),
        (OutboxStatus.FAILED, "Bad Request: chat not found"),
        (OutboxStatus.FAILED, NOTICE_UNREACHABLE),
        (OutboxStatus.BLOCKED, "blocked"),
        (OutboxStatus.FAILED, NOTICE_UNREACHABLE),
    ]
    rows = []
    for number, (status, error) in enumerate(ends):
        row = row_values(
            channel="telegram",
            address=str(number),
            message=Outbound(text="x"),
            user_id=None,
            dedupe_key=f"broadcast:{record.id}:{number}",
            error=error,
        )
        rows.append({**row, "status": status})
    await Outbox(session).enqueue_all(rows)

    [(found, outcome)] = await broadcasts.finished_unreported()
    assert found.id == record.id
    assert outcome == Outcome(delivered=2, failed=4, unreached=2)


NOW = datetime(2024, 6, 10, 9, 0, tzinfo=UTC)
# Each person's messengers: (channel, hours since they last wrote there, reachable).
PEOPLE = {
    "console": [("console", 500, True)],
    "oa open": [("zalo_oa", 2, True)],
    "oa closing": [("zalo_oa", 47.5, True)],  # within the margin: the last resort still takes it
    "oa just closed": [("zalo_oa", 48.1, True)],
    "oa closed, telegram": [("zalo_oa", 1, True), ("telegram", 300, True)],
    "blocked, oa closed": [("telegram", 1, False), ("zalo_oa", 72, True)],
    "blocked everywhere": [("telegram", 1, False), ("zalo_bot", 5, False)],
}


async def test_the_audience_counts_the_unreachable_as_the_notices_will_find_them(
    session: AsyncSession, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The preview's count is made in SQL; the notices are routed in Python
    (``Users.notice_target``): both must find the same people unreachable."""
    monkeypatch.setattr("storage.reach._window", timedelta(hours=48))  # the default window
    for name, identities in PEOPLE.items():
        user = await officer(session, name, reachable=None)
        add_identities(
            session, user.id, [(c, timedelta(hours=h), r) for c, h, r in identities], now=NOW
        )
    await session.flush()
    everyone = Scope(Reach.NATIONAL)
    officers = AudienceFilter(everyone, role=Role.OFFICER)
    people = await Broadcasts(session).recipients(officers)
    targets = {p.full_name: await Users(session).notice_target(p.id, now=NOW) for p in people}
    kept = sorted(name for name, target in targets.items() if target and target.error)
    assert kept == ["blocked everywhere", "blocked, oa closed", "oa just closed"]

    counted = await Broadcasts(session).audience(officers, now=NOW)
    assert counted == Audience(people=len(PEOPLE), unreachable=len(kept))
