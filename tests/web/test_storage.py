"""The sign-in rows: a link works once and for ten minutes, a session idles out, at most a
few open links per person. On SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from bot.app import App
from storage.models import Role, UserStatus, utcnow
from storage.web import MAX_OPEN_LINKS, SESSION_IDLE, SESSION_MAX, WebLogins, csrf_token
from tests.conftest import make_settings
from tests.handlers.scene import person


async def test_links_and_sessions(database_url: str) -> None:
    app = App(make_settings(database_url))
    await app.prepare()
    try:
        admin = await person(app, "admin", Role.PROVINCE_ADMIN, UserStatus.ACTIVE, "lang son")
        now = utcnow()
        async with app.session_factory() as session, session.begin():
            logins = WebLogins(session)
            first = await logins.issue_link(admin.id, now=now)
            late = await logins.issue_link(admin.id, now=now)
            assert first and late and first != late
            for _ in range(MAX_OPEN_LINKS - 2):
                assert await logins.issue_link(admin.id, now=now)
            assert await logins.issue_link(admin.id, now=now) is None  # too many open
        async with app.session_factory() as session, session.begin():
            logins = WebLogins(session)
            # 9 min 59 s: still good; then used up.
            assert (
                await logins.redeem_link(first, now=now + timedelta(minutes=9, seconds=59))
                == admin.id
            )
            assert (
                await logins.redeem_link(first, now=now + timedelta(minutes=9, seconds=59)) is None
            )
            # 10 min 1 s: expired.
            assert (
                await logins.redeem_link(late, now=now + timedelta(minutes=10, seconds=1)) is None
            )
            assert await logins.redeem_link("not-a-token", now=now) is None
            secret = await logins.start_session(admin.id, now=now)
            assert csrf_token(secret) != csrf_token(secret + "x")
        async with app.session_factory() as session, session.begin():
            logins = WebLogins(session)
            assert (await logins.signed_in(secret, now=now + timedelta(minutes=5))) is not None
            # Idle for longer than allowed since the last request: out.
            gone = now + timedelta(minutes=5) + SESSION_IDLE + timedelta(seconds=1)
            assert await logins.signed_in(secret, now=gone) is None
            other = await logins.start_session(admin.id, now=now)
        async with app.session_factory() as session, session.begin():
            logins = WebLogins(session)
            # Used every hour, a session still ends after SESSION_MAX.
            at = now
            while at - now < SESSION_MAX - timedelta(hours=1):
                at += timedelta(hours=1)
                assert await logins.signed_in(other, now=at) is not None
            assert (
                await logins.signed_in(other, now=now + SESSION_MAX + timedelta(seconds=1)) is None
            )
    finally:
        await app.close()


async def test_two_browsers_racing_with_one_link(database_url: str) -> None:
    app = App(make_settings(database_url))
    await app.prepare()
    try:
        admin = await person(app, "admin", Role.NATIONAL_ADMIN, UserStatus.ACTIVE, None)
        now = utcnow()
        async with app.session_factory() as session, session.begin():
            token = await WebLogins(session).issue_link(admin.id, now=now)
        assert token

        async def redeem() -> int | None:
            async with app.session_factory() as session, session.begin():
                return await WebLogins(session).redeem_link(token, now=now)

        results = await asyncio.gather(redeem(), redeem(), redeem())
        assert sorted(r is not None for r in results) == [False, False, True]
    finally:
        await app.close()
