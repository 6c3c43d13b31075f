"""One person sending hundreds of messages does not take the bot from everyone else, and is
told, once, that what they send too fast is not read."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator

import pytest
from sqlalchemy import select

from bot.app import App
from bot.flood import FloodGuard, Verdict
from bot.messages import Inbound, InboundKind
from storage.models import OutboxMessage
from tests.conftest import make_settings


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_a_burst_then_a_steady_pace_then_one_notice() -> None:
    clock = Clock()
    guard = FloodGuard(per_minute=30, burst=3, clock=clock)
    assert [guard.check("an") for _ in range(3)] == [Verdict.HANDLE] * 3
    assert guard.check("an") is Verdict.NOTIFY
    assert guard.check("an") is Verdict.DROP
    assert guard.check("binh") is Verdict.HANDLE  # others are not concerned
    assert guard.wait("an") == pytest.approx(2.0)
    clock.now += 2.0
    assert guard.check("an") is Verdict.HANDLE  # 30 a minute: one every 2 s
    assert guard.check("an") is Verdict.NOTIFY  # a new stretch over the limit: told again


@pytest.fixture
async def app(database_url: str) -> AsyncIterator[App]:
    app = App(make_settings(database_url, inbound_per_minute=30, inbound_burst=20))
    await app.prepare()
    yield app
    await app.close()


def message(user: str, body: str) -> Inbound:
    return Inbound(
        channel="telegram",
        user_id=user,
        message_id=uuid.uuid4().hex,
        kind=InboundKind.TEXT,
        text=body,
    )


async def test_three_hundred_messages_get_twenty_answers_and_one_notice(app: App) -> None:
    """Observed: one user's 300 messages queued 600 replies."""
    for n in range(300):
        assert await app.pipeline.process(message("noisy", f"/help {n}")) is True
    assert await app.pipeline.process(message("quiet", "/help")) is True
    async with app.session_factory() as session:
        rows = (await session.scalars(select(OutboxMessage).order_by(OutboxMessage.id))).all()
    noisy = [row.payload["text"] for row in rows if row.address == "noisy"]
    notices = [text for text in noisy if "nhanh hơn" in text]
    assert len(notices) == 1
    assert "vui lòng" in notices[0].lower()
    assert len(noisy) < 60  # twenty messages answered (one or two replies each), one notice
    assert any(row.address == "quiet" for row in rows)
