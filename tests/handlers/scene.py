"""A small world for admin tests: two province admins, officers, a producer, one report,
and a chat to talk to the bot as any of them."""

from __future__ import annotations

import uuid

from bot.app import App
from bot.messages import Inbound, InboundKind, Outbound
from storage.models import Role, User, UserStatus
from storage.places import Places
from storage.submissions import Submissions
from storage.users import Users
from tests.conftest import make_settings
from tests.transcript import RecordingChannel


async def person(
    app: App,
    name: str,
    role: str | None,
    status: str,
    province: str | None,
    commune: str | None = None,
) -> User:
    async with app.session_factory() as session, session.begin():
        places = Places(session)
        user, _ = await Users(session).create_with_identity("console", name, language="vi")
        user.role, user.status, user.full_name = role, status, name
        if province:
            found = (await places.search_provinces(province))[0]
            user.province_code = found.code
            if commune:
                user.commune_code = (await places.search_communes(found.code, commune))[0].code
        return user


class Chat:
    def __init__(self, app: App) -> None:
        self.app = app
        self.channel = RecordingChannel()
        self.sender = app.sender({"console": self.channel})

    async def messages(
        self, who: str, text: str | None = None, *, button: str | None = None
    ) -> list[Outbound]:
        kind = InboundKind.BUTTON if button else InboundKind.TEXT
        await self.app.pipeline.process(
            Inbound(
                channel="console",
                user_id=who,
                message_id=uuid.uuid4().hex,
                kind=kind,
                text=text,
                payload=button,
            )
        )
        await self.app.pipeline.idle()
        await self.sender.drain()
        return self.channel.inbox.pop(who, [])

    async def say(self, who: str, text: str | None = None, *, button: str | None = None) -> str:
        return "\n".join(m.text for m in await self.messages(who, text, button=button))


# A complete commune report, as the chat files one (every question that applies answered).
REPORT: dict[str, object] = {
    "products_registered": "4",
    "products_proposed": "2",
    "products_evaluated": "0",
    "certificates_expiring": "0",
    "coops_new": "1",
    "trainings": "0",
    "fairs": "1",
    "sales_points": "1",
    "supermarket_products": "0",
    "difficulties": None,
    "proposals": None,
}


async def build_world(database_url: str):  # type: ignore[no-untyped-def]
    """Yields (app, users by name); closes the app afterwards."""
    app = App(make_settings(database_url))
    await app.prepare()
    users = {
        "admin_ls": await person(
            app, "admin_ls", Role.PROVINCE_ADMIN, UserStatus.ACTIVE, "lang son"
        ),
        "admin_hn": await person(app, "admin_hn", Role.PROVINCE_ADMIN, UserStatus.ACTIVE, "ha noi"),
        "officer": await person(
            app, "officer", Role.OFFICER, UserStatus.ACTIVE, "lang son", "cao loc"
        ),
        "pending": await person(
            app, "pending", Role.OFFICER, UserStatus.PENDING, "lang son", "dong dang"
        ),
        "producer": await person(
            app, "producer", Role.PRODUCER, UserStatus.ACTIVE, "lang son", "cao loc"
        ),
        "stranger": await person(app, "stranger", None, UserStatus.NEW, None),
        "disabled": await person(
            app, "disabled", Role.PROVINCE_ADMIN, UserStatus.DISABLED, "lang son"
        ),
    }
    async with app.session_factory() as session, session.begin():
        officer = await session.get(User, users["officer"].id)
        assert officer is not None
        await Submissions(session).create(
            form_id="commune_report",
            period="2024-Q2",
            scope_key=f"commune:{officer.commune_code}",
            receipt_prefix="BCX",
            user=officer,
            answers=REPORT,
            now=officer.created_at,
        )
    yield app, users
    await app.close()
