"""A long reply sent in pieces (Zalo: 2,000 characters each) is resumed from the next piece
after a failure or a crash, never sending a confirmed piece twice; and the platform's own
flood control ("retry after") does not use up a row's attempts."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta

import pytest
from sqlalchemy import select

from bot.app import App
from bot.channels.base import Capabilities, RetryLater
from bot.messages import Outbound
from bot.sender import MAX_ATTEMPTS, RowParts
from storage.models import OutboxMessage, OutboxStatus
from tests.bot.test_sender import Clock, enqueue
from tests.conftest import make_settings


class PiecesChannel:
    """Sends a reply as its lines, one piece per line; fails as told, after some pieces."""

    name = "telegram"
    capabilities = Capabilities()

    def __init__(self) -> None:
        self.delivered: list[str] = []
        self.fail_after: int | None = None
        self.retry_after: float | None = None

    async def send(self, address: str, message: Outbound, *, parts: RowParts | None = None) -> None:
        pieces = (message.text or "").split("\n")
        start = await parts.done() if parts else 0
        for index in range(start, len(pieces)):
            if self.fail_after is not None and len(self.delivered) >= self.fail_after:
                self.fail_after = None
                raise RetryLater("connection reset", retry_after=self.retry_after)
            self.delivered.append(pieces[index])
            if parts and index + 1 < len(pieces):
                await parts.record(index + 1)
        if parts:
            await parts.clear()


@pytest.fixture
async def app(database_url: str) -> AsyncIterator[App]:
    app = App(make_settings(database_url))
    await app.prepare()
    yield app
    await app.close()


async def test_a_long_reply_resumes_after_the_last_confirmed_piece(app: App) -> None:
    await enqueue(app, "100", "một\nhai\nba\nbốn")
    clock, channel = Clock(), PiecesChannel()
    channel.fail_after = 2
    first = app.sender({"telegram": channel})
    first.clock = clock
    await first.run_once()
    assert channel.delivered == ["một", "hai"]
    # ...the process dies; another one, later, takes the row from where it stopped.
    clock.now += timedelta(minutes=5)
    second = app.sender({"telegram": channel})
    second.clock = clock
    await second.drain()
    assert channel.delivered == ["một", "hai", "ba", "bốn"]
    async with app.session_factory() as session:
        row = (await session.scalars(select(OutboxMessage))).one()
    assert (row.status, row.parts_sent) == (OutboxStatus.SENT, 0)


async def test_flood_control_waits_do_not_use_up_attempts(app: App) -> None:
    await enqueue(app, "100", "nhắc hạn")
    clock, channel = Clock(), PiecesChannel()
    sender = app.sender({"telegram": channel})
    sender.clock = clock
    for _ in range(MAX_ATTEMPTS + 3):
        channel.fail_after, channel.retry_after = 0, 30.0
        await sender.run_once()
        clock.now += timedelta(seconds=31)
    async with app.session_factory() as session:
        row = (await session.scalars(select(OutboxMessage))).one()
        assert row.status == OutboxStatus.PENDING  # still waiting its turn, not given up
        assert row.attempts <= 1
    await sender.drain()
    assert channel.delivered == ["nhắc hạn"]
