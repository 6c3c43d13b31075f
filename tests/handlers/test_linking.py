"""``/lienket``: who joins whom, codes that expire and are taken once, and wrong tries that
stop a messenger for a while; on each database, through the real pipeline."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from bot.app import App
from bot.messages import Inbound, InboundKind
from handlers.linking import REFUSED_BOTH, REFUSED_DISABLED, Join, plan
from storage.calendar.queries import ReminderQueries
from storage.links import MAX_WRONG, WRONG_WINDOW, Links
from storage.models import (
    AuditEntry,
    Conversation,
    Identity,
    LinkCode,
    Product,
    Role,
    User,
    UserStatus,
)
from storage.places import Places
from storage.users import Users
from tests.conftest import make_settings
from tests.transcript import CHANNELS, RecordingChannel

NOW = datetime(2024, 6, 10, 2, 0, tzinfo=UTC)


class Chats:
    """Talk to one app as anyone on any messenger; the clock is ours to move."""

    def __init__(self, app: App) -> None:
        self.app = app
        self.now = NOW
        app.pipeline.clock = lambda: self.now
        self.channels = {name: RecordingChannel(name) for name in CHANNELS}
        self.sender = app.sender(dict(self.channels))

    async def say(self, channel: str, who: str, text: str) -> str:
        await self.app.pipeline.process(
            Inbound(
                channel=channel,
                user_id=who,
                message_id=uuid.uuid4().hex,
                kind=InboundKind.TEXT,
                text=text,
            )
        )
        await self.app.pipeline.idle()
        return await self.heard(channel, who)

    async def heard(self, channel: str, who: str) -> str:
        await self.sender.drain()
        return "\n".join(m.text for m in self.channels[channel].inbox.pop(who, []))

    async def code(self, channel: str, who: str) -> str:
        said = await self.say(channel, who, "/lienket")
        return said.split(": ", 1)[1].split()[0]


@pytest.fixture
async def app(database_url: str) -> AsyncIterator[App]:
    app = App(make_settings(database_url))
    await app.prepare()
    yield app
    await app.close()


async def person(
    app: App,
    channel: str,
    who: str,
    role: str | None = None,
    status: str = UserStatus.NEW,
    commune: str | None = None,
    *,
    product: bool = False,
) -> int:
    async with app.session_factory() as session, session.begin():
        user, _ = await Users(session).create_with_identity(channel, who, language="vi")
        user.role, user.status = role, status
        if status != UserStatus.NEW:
            user.full_name, user.consent_at = f"Người {who}", NOW
        if commune:
            places = Places(session)
            province = (await places.search_provinces("lang son"))[0]
            user.province_code = province.code
            user.commune_code = (await places.search_communes(province.code, commune))[0].code
        if product:
            session.add(Product(user_id=user.id, name="Miến dong", commune_code=user.commune_code))
        return user.id


async def owner_of(app: App, channel: str, who: str) -> User | None:
    async with app.session_factory() as session:
        found = await Users(session).by_identity(channel, who)
        return found[0] if found else None


async def count(app: App, model: type, *where: object) -> int:
    async with app.session_factory() as session:
        return int(await session.scalar(select(func.count()).select_from(model).where(*where)))


# -- who joins whom (the rule alone) ---------------------------------------------------------


def user(status: str, role: str | None = None, commune: int | None = None) -> User:
    return User(id=id(object()), status=status, role=role, province_code=1, commune_code=commune)


def test_a_new_user_joins_the_registered_one_whichever_side_asked_for_the_code() -> None:
    new, producer = user(UserStatus.NEW), user(UserStatus.ACTIVE, Role.PRODUCER, 7)
    assert plan(producer, 3, new, 0) == Join(survivor=producer, absorbed=new)
    assert plan(new, 0, producer, 3) == Join(survivor=producer, absorbed=new)


def test_two_new_users_join_the_one_that_asked_for_the_code() -> None:
    first, second = user(UserStatus.NEW), user(UserStatus.NEW)
    assert plan(first, 0, second, 0) == Join(survivor=first, absorbed=second)


def test_two_registrations_join_only_when_nothing_would_be_lost() -> None:
    here = user(UserStatus.ACTIVE, Role.OFFICER, 7)
    same = user(UserStatus.ACTIVE, Role.OFFICER, 7)
    elsewhere = user(UserStatus.ACTIVE, Role.OFFICER, 8)
    pending_here = user(UserStatus.PENDING, Role.OFFICER, 7)
    producer_here = user(UserStatus.ACTIVE, Role.PRODUCER, 7)
    assert plan(here, 0, same, 0) == Join(survivor=here, absorbed=same)
    assert plan(here, 2, elsewhere, 0) == REFUSED_BOTH  # two communes: an admin decides
    assert plan(here, 0, producer_here, 0) == REFUSED_BOTH  # two roles
    assert plan(here, 0, same, 1) == Join(survivor=same, absorbed=here)  # the one with data
    assert plan(here, 1, same, 1) == REFUSED_BOTH  # each has reports of its own
    # A pending registration joins the approved one, never the other way round.
    assert plan(pending_here, 0, here, 0) == Join(survivor=here, absorbed=pending_here)
    assert plan(here, 0, pending_here, 0) == Join(survivor=here, absorbed=pending_here)


def test_a_disabled_account_is_never_linked() -> None:
    disabled = user(UserStatus.DISABLED, Role.OFFICER, 7)
    assert plan(disabled, 0, user(UserStatus.NEW), 0) == REFUSED_DISABLED
    assert plan(user(UserStatus.NEW), 0, disabled, 0) == REFUSED_DISABLED


# -- through the pipeline --------------------------------------------------------------------


async def test_the_new_messenger_joins_and_its_registration_in_progress_is_dropped(
    app: App,
) -> None:
    chats = Chats(app)
    hoa = await person(app, "telegram", "hoa", Role.PRODUCER, UserStatus.ACTIVE, "cao loc",
                       product=True)  # fmt: skip
    assert "Chọn ngôn ngữ".lower() in (await chats.say("zalo", "z-hoa", "/start")).lower()
    code = await chats.code("telegram", "hoa")
    joined = await chats.say("zalo", "z-hoa", f"/lienket {code.lower()}")
    assert "Đã liên kết xong: Telegram, Zalo" in joined
    assert "Đã liên kết xong" in await chats.heard("telegram", "hoa")
    now_zalo = await owner_of(app, "zalo", "z-hoa")
    assert now_zalo is not None and now_zalo.id == hoa and now_zalo.role == Role.PRODUCER
    assert await count(app, User) == 1  # the empty Zalo user is gone, with its conversation
    assert await count(app, Conversation) == 0
    async with app.session_factory() as session:
        entry = (
            await session.scalars(
                select(AuditEntry).where(AuditEntry.action == "messengers_linked")
            )
        ).one()
    assert entry.user_id == hoa and entry.detail["channels"] == ["telegram", "zalo"]
    # Her product and profile on Zalo, and a second go with the same code is refused.
    assert "Miến dong" in await chats.say("zalo", "z-hoa", "/trangthai")
    assert "đã được sử dụng" in await chats.say("zalo", "z-hoa", f"/lienket {code}")


async def test_a_registered_messenger_keeps_its_account_when_the_new_one_asked(app: App) -> None:
    chats = Chats(app)
    an = await person(app, "telegram", "an", Role.OFFICER, UserStatus.ACTIVE, "cao loc")
    code = await chats.code("zalo", "z-an")  # a brand-new Zalo user asks for the code
    assert "Đã liên kết xong" in await chats.say("telegram", "an", f"/lienket {code}")
    assert "Đã liên kết xong" in await chats.heard("zalo", "z-an")
    on_zalo = await owner_of(app, "zalo", "z-an")
    assert on_zalo is not None and on_zalo.id == an and on_zalo.status == UserStatus.ACTIVE
    assert await count(app, User) == 1


async def test_the_joined_user_keeps_its_conversation_on_either_messenger(app: App) -> None:
    chats = Chats(app)
    await person(app, "telegram", "hoa", Role.PRODUCER, UserStatus.ACTIVE, "cao loc")
    await chats.say("telegram", "hoa", "/toi")
    assert "gõ họ tên mới" in await chats.say("telegram", "hoa", "Đổi họ tên")
    said = await chats.say("telegram", "hoa", "/lienket")
    assert said.endswith("gõ họ tên mới (hoặc /huy để giữ nguyên).")  # asked again after it
    code = said.split(": ", 1)[1].split()[0]
    await chats.say("zalo", "z-hoa", f"/lienket {code}")
    await chats.heard("telegram", "hoa")
    assert "Đã lưu" in await chats.say("zalo", "z-hoa", "Nguyễn Thị Hoa")
    linked = await owner_of(app, "telegram", "hoa")
    assert linked is not None and linked.full_name == "Nguyễn Thị Hoa"


async def test_two_registrations_of_different_communes_are_not_merged(app: App) -> None:
    chats = Chats(app)
    await person(app, "telegram", "an", Role.OFFICER, UserStatus.ACTIVE, "cao loc")
    await person(app, "zalo", "z-an", Role.OFFICER, UserStatus.ACTIVE, "dong dang")
    code = await chats.code("telegram", "an")
    assert "không thể gộp" in await chats.say("zalo", "z-an", f"/lienket {code}")
    assert await count(app, User) == 2
    assert await count(app, AuditEntry, AuditEntry.action == "link_refused") == 1
    # The code was not used up: once the unneeded account is deleted, it links.
    await chats.say("zalo", "z-an", "/xoadulieu")
    await chats.say("zalo", "z-an", "1")
    assert "Đã liên kết xong" in await chats.say("zalo", "z-an", f"/lienket {code}")


async def test_a_code_expires_and_a_newer_one_replaces_it(app: App) -> None:
    chats = Chats(app)
    await person(app, "telegram", "an", Role.PRODUCER, UserStatus.ACTIVE, "cao loc")
    old = await chats.code("telegram", "an")
    new = await chats.code("telegram", "an")
    assert "đã hết hạn" in await chats.say("zalo", "z-an", f"/lienket {old}")
    chats.now = NOW + timedelta(minutes=10, seconds=1)
    assert "đã hết hạn" in await chats.say("zalo", "z-an", f"/lienket {new}")
    assert await count(app, User) == 2
    async with app.session_factory() as session:
        hashes = (await session.scalars(select(LinkCode.code_hash))).all()
    assert old not in hashes and new not in hashes  # only hashes are kept


async def test_one_code_sent_by_two_messengers_at_once_links_one(database_url: str) -> None:
    first, second = App(make_settings(database_url)), App(make_settings(database_url))
    await first.prepare()
    await second.prepare()
    try:
        owner = await person(first, "telegram", "an", Role.PRODUCER, UserStatus.ACTIVE,
                             "cao loc")  # fmt: skip
        code = await Chats(first).code("telegram", "an")
        claims = [
            Inbound(
                channel="zalo",
                user_id=who,
                message_id=uuid.uuid4().hex,
                kind=InboundKind.TEXT,
                text=f"/lienket {code}",
            )
            for who in ("z-1", "z-2")
        ]
        await asyncio.gather(first.pipeline.process(claims[0]), second.pipeline.process(claims[1]))
        await first.pipeline.idle()
        await second.pipeline.idle()
        joined = [await owner_of(first, "zalo", who) for who in ("z-1", "z-2")]
        assert sorted(u.id == owner for u in joined if u is not None) == [False, True]
        assert await count(first, Identity, Identity.user_id == owner) == 2
    finally:
        await first.close()
        await second.close()


async def test_too_many_wrong_codes_stop_a_messenger_for_a_while(app: App) -> None:
    chats = Chats(app)
    await person(app, "telegram", "an", Role.PRODUCER, UserStatus.ACTIVE, "cao loc")
    code = await chats.code("telegram", "an")
    for n in range(MAX_WRONG):
        assert "không đúng" in await chats.say("zalo", "guess", f"/lienket WRONG{n}")
    assert "chờ 10 phút" in await chats.say("zalo", "guess", f"/lienket {code}")
    assert "chờ" not in await chats.say("zalo", "other", "/lienket WRONG9")  # one messenger only
    chats.now = NOW + timedelta(minutes=3)
    assert "chờ 7 phút" in await chats.say("zalo", "guess", f"/lienket {code}")
    chats.now = NOW + WRONG_WINDOW + timedelta(seconds=1)
    code = await chats.code("telegram", "an")  # the old one has expired by now
    assert "Đã liên kết xong" in await chats.say("zalo", "guess", f"/lienket {code}")


async def test_the_wait_is_counted_from_the_oldest_recent_wrong_try(app: App) -> None:
    async with app.session_factory() as session, session.begin():
        _user, identity = await Users(session).create_with_identity("zalo", "x", language="vi")
        links = Links(session)
        for minute in range(MAX_WRONG):
            assert await links.wait_after_wrong(identity.id, now=NOW) is None
            await links.note_wrong(identity.id, now=NOW + timedelta(minutes=minute))
        later = NOW + timedelta(minutes=MAX_WRONG)
        assert await links.wait_after_wrong(identity.id, now=later) == timedelta(minutes=5)
        assert await links.wait_after_wrong(identity.id, now=NOW + WRONG_WINDOW) is None


async def test_a_linked_person_is_reminded_once_on_the_messenger_used_last(app: App) -> None:
    chats = Chats(app)
    hoa = await person(app, "telegram", "hoa", Role.PRODUCER, UserStatus.ACTIVE, "cao loc")
    code = await chats.code("telegram", "hoa")
    chats.now = NOW + timedelta(minutes=2)
    await chats.say("zalo", "z-hoa", f"/lienket {code}")
    async with app.session_factory() as session:
        people = [p for p in await ReminderQueries(session).people() if p.user_id == hoa]
        delivery = await Users(session).delivery_identity(hoa)
    assert [(p.channel, p.address) for p in people] == [("zalo", "z-hoa")]
    assert delivery is not None and delivery.channel == "zalo"
