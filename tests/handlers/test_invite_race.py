"""Two people finish onboarding with the same single-use invite at the same moment, each on
a pipeline of its own (as two webhook workers would): one officer is approved by the code,
the other waits for an admin."""

from __future__ import annotations

import asyncio
import uuid

from sqlalchemy import select

from bot.app import App
from bot.messages import Inbound, InboundKind
from storage.invites import Invites
from storage.models import Identity, Invite, Role, User, UserStatus
from storage.places import Places
from tests.conftest import make_settings
from tests.handlers.scene import Chat


async def test_one_single_use_code_used_at_once_by_two_makes_one_officer(
    database_url: str,
) -> None:
    first, second = App(make_settings(database_url)), App(make_settings(database_url))
    await first.prepare()
    await second.prepare()
    try:
        async with first.session_factory() as session, session.begin():
            places = Places(session)
            province = (await places.search_provinces("lang son"))[0]
            commune = (await places.search_communes(province.code, "cao loc"))[0]
            code = (
                await Invites(session).create(
                    role=Role.OFFICER,
                    province_code=province.code,
                    commune_code=commune.code,
                    created_by=None,
                    max_uses=1,
                )
            ).code
        chat = Chat(first)
        for who, phone in (("an", "0912 000 111"), ("binh", "0912 000 222")):
            await chat.say(who, f"/start {code}")
            await chat.say(who, "Tiếng Việt")
            await chat.say(who, f"Cán bộ {who}")
            assert "Cán bộ xã" in await chat.say(who, phone)  # the consent summary
        consents = [
            Inbound(
                channel="console",
                user_id=who,
                message_id=uuid.uuid4().hex,
                kind=InboundKind.BUTTON,
                payload="yes",
            )
            for who in ("an", "binh")
        ]
        await asyncio.gather(
            first.pipeline.process(consents[0]), second.pipeline.process(consents[1])
        )
        await first.pipeline.idle()
        await second.pipeline.idle()
        async with first.session_factory() as session:
            statuses = (
                await session.scalars(
                    select(User.status)
                    .join(Identity, Identity.user_id == User.id)
                    .where(Identity.external_id.in_(["an", "binh"]))
                )
            ).all()
            invite = await session.get(Invite, code)
        assert sorted(statuses) == [UserStatus.ACTIVE, UserStatus.PENDING]
        assert invite is not None and invite.uses == 1
    finally:
        await first.close()
        await second.close()
