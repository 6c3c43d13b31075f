"""A small province for the scheduler tests: officers, producers and an admin in Lạng Sơn,
on each database, with a clock the test moves by hand."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from bot.app import App
from scheduler.calendar import install_calendar
from scheduler.config import use_calendar_file
from scheduler.job import ReminderJob
from scheduler.titles import form_title
from storage.models import OutboxMessage, Product, ProductStatus, Role, UserStatus
from storage.places import Places
from storage.submissions import Submissions
from storage.users import Users
from tests.conftest import make_settings

ZONE = ZoneInfo("Asia/Ho_Chi_Minh")


def at(day: date, hour: int = 8, minute: int = 0) -> datetime:
    """A local (Vietnam) moment."""
    return datetime.combine(day, time(hour, minute), tzinfo=ZONE)


@dataclass
class Clock:
    """The time the code under test sees; tests move it, nothing sleeps."""

    now: datetime = field(default_factory=lambda: at(date(2024, 6, 10)))

    def __call__(self) -> datetime:
        return self.now


@dataclass
class World:
    app: App
    clock: Clock
    ids: dict[str, int] = field(default_factory=dict)

    @property
    def session_factory(self):  # type: ignore[no-untyped-def]
        return self.app.session_factory

    def job(self, **options: object) -> ReminderJob:
        return ReminderJob(
            self.app.session_factory,
            zone=ZONE,
            titles=form_title,
            clock=self.clock,
            **options,  # type: ignore[arg-type]
        )

    async def person(
        self,
        name: str,
        role: str,
        commune: str | None = "Cao Lộc",
        *,
        province: str = "Lạng Sơn",
        status: str = UserStatus.ACTIVE,
        reachable: bool = True,
        language: str = "vi",
    ) -> int:
        async with self.app.session_factory() as session, session.begin():
            places = Places(session)
            found = (await places.search_provinces(province))[0]
            commune_code = None
            if commune:
                commune_code = (await places.search_communes(found.code, commune))[0].code
            user, identity = await Users(session).create_with_identity(
                "console", name, language=language
            )
            user.role = role
            user.status = status
            user.full_name = name.capitalize()
            user.province_code = found.code
            user.commune_code = commune_code
            identity.reachable = reachable
            self.ids[name] = user.id
            return user.id

    async def product(
        self, owner: str, *, certified_on: date | None = None, name: str = "Mật ong bạc hà"
    ) -> int:
        async with self.app.session_factory() as session, session.begin():
            user = await Users(session).get(self.ids[owner])
            assert user is not None
            product = Product(
                user_id=user.id,
                province_code=user.province_code,
                commune_code=user.commune_code,
                name=name,
                status=ProductStatus.CERTIFIED if certified_on else ProductStatus.SUBMITTED,
                certificate_date=certified_on,
            )
            session.add(product)
            await session.flush()
            return product.id

    async def file(self, who: str, form_id: str, period: str, when: datetime) -> None:
        async with self.app.session_factory() as session, session.begin():
            user = await Users(session).get(self.ids[who])
            assert user is not None
            scope = (
                f"commune:{user.commune_code}" if user.role == Role.OFFICER else f"user:{user.id}"
            )
            await Submissions(session).create(
                form_id=form_id,
                period=period,
                scope_key=scope,
                receipt_prefix="T",
                user=user,
                answers={},
                now=when,
            )

    async def outbox(self) -> list[OutboxMessage]:
        async with self.app.session_factory() as session:
            rows = await session.scalars(select(OutboxMessage).order_by(OutboxMessage.id))
            return list(rows.all())

    async def keys(self) -> set[str]:
        return {row.dedupe_key for row in await self.outbox() if row.dedupe_key}


@pytest.fixture(autouse=True)
def fresh_calendar() -> Iterator[None]:
    """Each test starts from the shipped calendar file, and leaves it so."""
    use_calendar_file(None)
    install_calendar(None)
    yield
    use_calendar_file(None)
    install_calendar(None)


@pytest.fixture
async def world(database_url: str) -> AsyncIterator[World]:
    app = App(make_settings(database_url))
    await app.prepare()
    try:
        yield World(app, Clock())
    finally:
        await app.close()
