"""Invite codes are claimed atomically: a single-use code makes one officer however many
people use it at the same moment, and a code revoked or expired meanwhile makes none."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from storage.db import create_engine, create_session_factory
from storage.invites import Invites
from storage.models import Invite
from storage.places import Places

NOW = datetime(2024, 5, 20, 2, 0, tzinfo=UTC)


@pytest.fixture
async def sessions(database_url: str) -> AsyncIterator[async_sessionmaker[AsyncSession]]:
    engine = create_engine(database_url)
    try:
        yield create_session_factory(engine)
    finally:
        await engine.dispose()


async def new_invite(
    sessions: async_sessionmaker[AsyncSession], *, max_uses: int = 1, days: int = 30
) -> str:
    async with sessions() as session, session.begin():
        places = Places(session)
        province = (await places.search_provinces("lang son"))[0]
        commune = (await places.search_communes(province.code, "cao loc"))[0]
        invite = await Invites(session).create(
            role="officer",
            province_code=province.code,
            commune_code=commune.code,
            created_by=None,
            expires_at=NOW + timedelta(days=days),
            max_uses=max_uses,
        )
        return invite.code


async def claim(sessions: async_sessionmaker[AsyncSession], code: str, *, hold: float = 0) -> bool:
    """One claim in a transaction of its own, kept open ``hold`` seconds after the claim (as
    the rest of the message's work would)."""
    async with sessions() as session, session.begin():
        claimed = await Invites(session).claim(code, now=NOW)
        await asyncio.sleep(hold)
        return claimed


async def uses(sessions: async_sessionmaker[AsyncSession], code: str) -> int:
    async with sessions() as session:
        invite = await session.get(Invite, code)
        assert invite is not None
        return invite.uses


async def test_a_single_use_code_is_claimed_once(sessions) -> None:  # type: ignore[no-untyped-def]
    code = await new_invite(sessions)
    assert await claim(sessions, code) is True
    assert await claim(sessions, code) is False
    assert await uses(sessions, code) == 1


async def test_a_code_for_two_is_claimed_twice(sessions) -> None:  # type: ignore[no-untyped-def]
    code = await new_invite(sessions, max_uses=2)
    assert [await claim(sessions, code) for _ in range(3)] == [True, True, False]
    assert await uses(sessions, code) == 2


async def test_a_revoked_or_expired_code_is_not_claimed(sessions) -> None:  # type: ignore[no-untyped-def]
    revoked = await new_invite(sessions)
    expired = await new_invite(sessions, days=-1)
    async with sessions() as session, session.begin():
        await session.execute(update(Invite).where(Invite.code == revoked).values(revoked=True))
    assert await claim(sessions, revoked) is False
    assert await claim(sessions, expired) is False
    assert await uses(sessions, revoked) == 0 and await uses(sessions, expired) == 0
    async with sessions() as session:
        assert await Invites(session).usable(expired, now=NOW) is None
        assert await Invites(session).usable(expired, now=NOW - timedelta(days=2)) is not None


async def test_two_claims_at_the_same_moment_take_one_use(sessions) -> None:  # type: ignore[no-untyped-def]
    """Two transactions claim together; the one that waits sees the other's use."""
    code = await new_invite(sessions)
    results = await asyncio.gather(claim(sessions, code, hold=0.2), claim(sessions, code, hold=0.2))
    assert sorted(results) == [False, True]
    assert await uses(sessions, code) == 1
