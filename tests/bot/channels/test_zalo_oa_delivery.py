"""Sending through the OA (issue 17) against the fake over HTTP: documents uploaded as
files, an unfollowed user marked unreachable, Zalo's window error and our own window check
never calling Zalo blindly; on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta

import pytest
from sqlalchemy import select

from bot.app import App
from bot.channels.zalo_oa.service import ZaloOaService
from bot.messages import Document, Outbound
from bot.sender import OutboxSender
from storage.models import Identity, OutboxMessage, OutboxStatus, User, UserStatus, utcnow
from storage.outbox import Outbox
from tests.bot.channels.test_telegram_helpers import bounded
from tests.bot.channels.test_zalo_oa_end_to_end import make_app
from tests.fakes.zalo_oa_api import FakeOaServer


@pytest.fixture
async def oa() -> AsyncIterator[FakeOaServer]:
    async with FakeOaServer() as fake:
        yield fake


@pytest.fixture
async def app(database_url: str, oa: FakeOaServer) -> AsyncIterator[App]:
    app = await make_app(database_url, oa)
    yield app
    await app.close()


async def oa_user(app: App, address: str, *, seen: timedelta = timedelta(0)) -> int:
    async with app.session_factory() as session, session.begin():
        user = User(role="producer", status=UserStatus.ACTIVE, full_name="Hoa", language="vi")
        session.add(user)
        await session.flush()
        session.add(
            Identity(
                user_id=user.id,
                channel="zalo_oa",
                external_id=address,
                last_seen_at=utcnow() - seen,
            )
        )
        return user.id


async def queue(app: App, address: str, user_id: int, message: Outbound) -> None:
    async with app.session_factory() as session, session.begin():
        await Outbox(session).enqueue(
            channel="zalo_oa", address=address, message=message, user_id=user_id
        )


async def outcome(app: App, user_id: int) -> tuple[str, str]:
    async with app.session_factory() as session:
        row = await session.scalar(select(OutboxMessage).where(OutboxMessage.user_id == user_id))
        assert row is not None
        return row.status, row.error or ""


async def reachable(app: App, address: str) -> bool:
    async with app.session_factory() as session:
        identity = await session.scalar(
            select(Identity).where(Identity.channel == "zalo_oa", Identity.external_id == address)
        )
        assert identity is not None
        return identity.reachable


@bounded(60)
async def test_documents_unfollowed_users_and_the_window(app: App, oa: FakeOaServer) -> None:
    service = ZaloOaService(app)
    await service.tokens.prepare()
    sender = OutboxSender(app.session_factory, {"zalo_oa": service.channel})

    pdf = await oa_user(app, "u-pdf")
    await queue(
        app,
        "u-pdf",
        pdf,
        Outbound(text="Báo cáo của anh/chị", document=Document(filename="bc.pdf", content=b"%PDF")),
    )
    gone = await oa_user(app, "u-gone")
    oa.unfollowed.add("u-gone")
    await queue(app, "u-gone", gone, Outbound(text="Xin chào"))
    refused = await oa_user(app, "u-closed")
    oa.closed.add("u-closed")
    await queue(app, "u-closed", refused, Outbound(text="Xin chào"))
    silent = await oa_user(app, "u-silent", seen=timedelta(days=3))
    await queue(app, "u-silent", silent, Outbound(text="Nhắc nhở"))

    await sender.drain()
    await service.close()

    assert await outcome(app, pdf) == (OutboxStatus.SENT, "")
    assert oa.uploads == [("file", "bc.pdf")]
    sent = [m for uid, m in oa.sent if uid == "u-pdf"]
    assert sent[0]["text"] == "Báo cáo của anh/chị"
    assert sent[1]["attachment"]["type"] == "file"
    assert (await outcome(app, gone))[0] == OutboxStatus.BLOCKED
    assert not await reachable(app, "u-gone")
    status, error = await outcome(app, refused)
    assert status == OutboxStatus.FAILED and "window" in error
    status, error = await outcome(app, silent)
    assert status == OutboxStatus.FAILED and "window" in error
    assert not [m for uid, m in oa.sent if uid == "u-silent"]  # never sent blindly
