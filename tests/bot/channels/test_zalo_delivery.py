"""Zalo delivery through the outbox: long replies in 2,000-character pieces, in order, none
sent twice when a later one fails; 429 storms; refused and unsendable replies. The real
sender and channel over HTTP against the fake Zalo Bot API, on SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from datetime import timedelta

import pytest
from sqlalchemy import select

from bot.app import App
from bot.channels.zalo.api import ZaloApi
from bot.channels.zalo.channel import ZaloChannel, zalo_limiter
from bot.files.links import Link
from bot.messages import Button, Document, Outbound
from storage.models import OutboxMessage, OutboxStatus, utcnow
from storage.outbox import Outbox
from storage.users import Users
from tests.bot.channels.test_telegram_helpers import bounded
from tests.bot.channels.test_zalo_helpers import make_app, running, settled
from tests.fakes.zalo_api import TOKEN, FakeZaloServer


@pytest.fixture
async def zalo() -> AsyncIterator[FakeZaloServer]:
    async with FakeZaloServer() as fake:
        yield fake


@pytest.fixture
async def app(database_url: str, zalo: FakeZaloServer) -> AsyncIterator[App]:
    app = await make_app(database_url, zalo)
    async with app.session_factory() as session, session.begin():
        await Users(session).create_with_identity("zalo", "u1", language="vi")
        await Users(session).create_with_identity("zalo", "u2", language="en")
    yield app
    await app.close()


@pytest.fixture
async def channel(zalo: FakeZaloServer) -> AsyncIterator[ZaloChannel]:
    api = ZaloApi(TOKEN, base=zalo.base_url, timeout=2.0)
    yield ZaloChannel(api, zalo_limiter(global_rate=50, per_chat_rate=20), backoff_base=0.05)
    await api.close()


async def enqueue(app: App, address: str, *messages: Outbound) -> None:
    async with app.session_factory() as session, session.begin():
        for message in messages:
            await Outbox(session).enqueue(
                channel="zalo", address=address, message=message, user_id=None
            )


@contextlib.asynccontextmanager
async def sending(app: App, channel: ZaloChannel) -> AsyncIterator[None]:
    """The outbox sender for Zalo, running until the block ends."""
    stop = asyncio.Event()
    task = asyncio.create_task(app.sender({"zalo": channel}).run_forever(stop, idle=0.05))
    try:
        yield
    finally:
        stop.set()
        await asyncio.wait_for(task, 10)


async def statuses(app: App) -> list[str]:
    async with app.session_factory() as session:
        rows = await session.scalars(select(OutboxMessage.status).order_by(OutboxMessage.id))
        return [str(status) for status in rows]


def long_text(lines: int = 120) -> str:
    return "\n".join(
        f"Dòng {i:03d}: sản lượng chè shan tuyết của xã, đơn vị kg." for i in range(lines)
    )


@bounded(30)
async def test_a_long_reply_goes_in_pieces_in_order(
    app: App, zalo: FakeZaloServer, channel: ZaloChannel
) -> None:
    text = long_text()
    assert len(text) > 6000
    await enqueue(app, "u1", Outbound(text=text), Outbound(text="Tin sau."))
    async with sending(app, channel):
        await zalo.wait_for(lambda: len(zalo.messages_to("u1")) >= 5, 10, description="5 texts")
        await settled(app, zalo)
    pieces = zalo.messages_to("u1")
    assert pieces[-1] == "Tin sau."
    assert all(0 < len(piece) <= 2000 for piece in pieces)
    assert "\n".join(pieces[:-1]) == text  # cut at line breaks, nothing lost or repeated
    assert await statuses(app) == [OutboxStatus.SENT, OutboxStatus.SENT]


@bounded(30)
async def test_a_failed_piece_is_retried_without_resending_the_earlier_ones(
    app: App, zalo: FakeZaloServer, channel: ZaloChannel
) -> None:
    text = long_text()
    zalo.fail_next(2, after=1)  # the second piece meets two 429s in a row
    await enqueue(app, "u1", Outbound(text=text), Outbound(text="Tin sau."))
    async with sending(app, channel):
        await settled(app, zalo, within=20)
    pieces = zalo.messages_to("u1")
    assert "\n".join(pieces[:-1]) == text and pieces[-1] == "Tin sau."
    assert [call.status for call in zalo.calls_of("sendMessage")][:4] == [200, 429, 429, 200]
    assert channel.backoff.remaining() == 0


@bounded(30)
async def test_a_refused_reply_fails_alone(
    app: App, zalo: FakeZaloServer, channel: ZaloChannel
) -> None:
    zalo.fail_next(1, status=400, description="Bad request")
    await enqueue(app, "u1", Outbound(text="bị từ chối"), Outbound(text="đi tiếp"))
    async with sending(app, channel):
        await settled(app, zalo)
    assert zalo.messages_to("u1") == ["đi tiếp"]
    assert await statuses(app) == [OutboxStatus.FAILED, OutboxStatus.SENT]


@bounded(30)
async def test_server_errors_and_time_outs_are_retried(
    app: App, zalo: FakeZaloServer, channel: ZaloChannel
) -> None:
    channel.api.timeout = 0.3
    zalo.fail_next(1, status=502, description="Bad gateway")
    zalo.errors_in_body = True  # and reported inside a 200 answer
    await enqueue(app, "u1", Outbound(text="một"))
    async with sending(app, channel):
        await settled(app, zalo, within=20)
    assert zalo.messages_to("u1") == ["một"]
    zalo.stall_next(1, seconds=1.0)
    await enqueue(app, "u2", Outbound(text="hai"))
    async with sending(app, channel):
        await settled(app, zalo, within=20)
    # the stalled call timed out on our side and was sent again: what was in flight may
    # repeat, nothing is lost
    assert "hai" in zalo.messages_to("u2")


@bounded(30)
async def test_choices_are_numbered_and_a_document_becomes_a_note(
    app: App, zalo: FakeZaloServer, channel: ZaloChannel
) -> None:
    links: list[str] = []

    async def language_of(address: str) -> str:
        return {"u1": "vi", "u2": "en"}[address]

    async def link(address: str, document: Document) -> Link | None:
        url = f"https://ocop.example.gov.vn/files/{document.filename}"
        return Link(url, utcnow() + timedelta(hours=24)) if links else None

    channel.language_of = language_of
    channel.document_link = link
    export = Document(filename="baocao.xlsx", content=b"PK")
    await enqueue(
        app,
        "u1",
        Outbound(text="Chọn một", buttons=[[Button(label="Có", payload="yes")]]),
        Outbound(text="Đây là tệp xuất.", document=export),
    )
    await enqueue(app, "u2", Outbound(text="Here is the export.", document=export))
    async with sending(app, channel):
        await settled(app, zalo)
        links.append("on")
        await enqueue(app, "u2", Outbound(text="Again.", document=export))
        await settled(app, zalo)
    choice, note = zalo.messages_to("u1")
    assert choice == "Chọn một\n\n  1. Có\nTrả lời 1."  # how to answer: the default language
    assert note.startswith("Đây là tệp xuất.\n\nZalo không gửi được tệp")
    assert "baocao.xlsx" in note
    first, second = zalo.messages_to("u2")
    assert first.startswith("Here is the export.\n\nZalo cannot carry files")
    assert second.startswith(
        "Again.\n\nDownload baocao.xlsx here: https://ocop.example.gov.vn/files/baocao.xlsx\n"
        "The link works for 24 hours. Anyone who has it can download the file"
    )
    assert not zalo.calls_of("sendDocument")


@bounded(60)
async def test_a_429_storm_loses_nothing_and_doubles_nothing(
    app: App, zalo: FakeZaloServer
) -> None:
    users = [zalo.user(f"b{index:02d}", f"Người {index}") for index in range(6)]
    async with running(app, zalo):
        zalo.fail_next(6)  # the next six sends are refused with 429 "quota exceeded"
        for user in users:
            user.says("/start")
        for user in users:
            await user.expect("Chào mừng", "ngôn ngữ", within=30)
        for user in users:
            user.says("1")
        for user in users:
            await user.expect("Anh/chị tham gia với vai trò nào?", within=30)
        await settled(app, zalo, within=30)
    refused = [c for c in zalo.calls_of("sendMessage") if c.status == 429]
    assert len(refused) == 6
    for user in users:
        assert len(user.messages()) == user.seen == 3  # each once, in order
    assert set(await statuses(app)) == {OutboxStatus.SENT}
