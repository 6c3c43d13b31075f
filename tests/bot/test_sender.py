"""The outbox sender: what each kind of platform failure does to a row and to the user."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from bot.app import App
from bot.channels.base import Capabilities, PermanentFailure, RecipientBlocked, RetryLater
from bot.messages import Outbound
from storage.models import Identity, OutboxMessage, OutboxStatus, utcnow
from storage.outbox import Outbox
from storage.users import Users
from tests.conftest import make_settings


class ScriptedChannel:
    """Fails as told for given texts, records what it delivered."""

    name = "telegram"
    capabilities = Capabilities(buttons=True)

    def __init__(self) -> None:
        self.delivered: list[tuple[str, str]] = []
        self.failures: dict[str, list[Exception]] = {}

    async def send(self, address: str, message: Outbound) -> None:
        queue = self.failures.get(message.text)
        if queue:
            raise queue.pop(0)
        self.delivered.append((address, message.text))


class Clock:
    """The sender's notion of now, moved by the test (a second ahead of the rows' creation)."""

    def __init__(self) -> None:
        self.now = utcnow() + timedelta(seconds=1)

    def __call__(self):  # type: ignore[no-untyped-def]
        return self.now


@pytest.fixture
async def app(database_url: str):  # type: ignore[no-untyped-def]
    app = App(make_settings(database_url))
    await app.prepare()
    async with app.session_factory() as session, session.begin():
        await Users(session).create_with_identity("telegram", "100", language="vi")
        await Users(session).create_with_identity("telegram", "200", language="vi")
    yield app
    await app.close()


async def enqueue(app: App, address: str, *texts: str) -> None:
    async with app.session_factory() as session, session.begin():
        for body in texts:
            await Outbox(session).enqueue(
                channel="telegram", address=address, message=Outbound(text=body), user_id=None
            )


async def statuses(app: App) -> dict[str, str]:
    async with app.session_factory() as session:
        rows = (await session.scalars(select(OutboxMessage))).all()
        return {row.payload["text"]: row.status for row in rows}


async def test_retry_after_keeps_the_chat_in_order(app: App) -> None:
    channel, clock = ScriptedChannel(), Clock()
    sender = app.sender({"telegram": channel})
    sender.clock = clock
    channel.failures["a1"] = [RetryLater("429", retry_after=5)]
    await enqueue(app, "100", "a1", "a2", "a3")
    await enqueue(app, "200", "b1")
    await sender.drain()
    assert channel.delivered == [("200", "b1")]
    clock.now += timedelta(seconds=6)
    await sender.drain()
    assert channel.delivered[1:] == [("100", "a1"), ("100", "a2"), ("100", "a3")]
    assert set((await statuses(app)).values()) == {OutboxStatus.SENT}


async def test_network_errors_back_off_then_deliver_once(app: App) -> None:
    channel, clock = ScriptedChannel(), Clock()
    sender = app.sender({"telegram": channel})
    sender.clock = clock
    channel.failures["x"] = [TimeoutError(), ConnectionError()]
    await enqueue(app, "100", "x")
    for _ in range(3):
        await sender.drain()
        clock.now += timedelta(minutes=1)
    assert channel.delivered == [("100", "x")]


async def test_blocked_user_becomes_unreachable(app: App) -> None:
    channel = ScriptedChannel()
    sender = app.sender({"telegram": channel})
    channel.failures["r1"] = [RecipientBlocked("Forbidden: bot was blocked by the user")]
    await enqueue(app, "100", "r1", "r2")
    await sender.drain()
    assert channel.delivered == []
    assert await statuses(app) == {"r1": OutboxStatus.BLOCKED, "r2": OutboxStatus.BLOCKED}
    async with app.session_factory() as session:
        identity = (
            await session.scalars(select(Identity).where(Identity.external_id == "100"))
        ).one()
        assert identity.reachable is False


async def test_permanent_failure_is_recorded_and_the_chat_goes_on(app: App) -> None:
    channel = ScriptedChannel()
    sender = app.sender({"telegram": channel})
    channel.failures["bad"] = [PermanentFailure("Bad Request: chat not found")]
    await enqueue(app, "100", "bad", "good")
    await sender.drain()
    assert channel.delivered == [("100", "good")]
    assert (await statuses(app))["bad"] == OutboxStatus.FAILED


async def test_a_crashed_senders_lease_expires_and_the_row_is_sent(app: App) -> None:
    await enqueue(app, "100", "lost in flight")
    async with app.session_factory() as session, session.begin():
        claimed = await Outbox(session).claim_due(["telegram"], limit=10)
    assert len(claimed) == 1  # ... and the sender dies before sending
    channel, clock = ScriptedChannel(), Clock()
    sender = app.sender({"telegram": channel})
    sender.clock = clock
    await sender.drain()
    assert channel.delivered == []  # still leased
    clock.now += timedelta(minutes=2)
    await sender.drain()
    assert channel.delivered == [("100", "lost in flight")]


async def test_dedupe_key_enqueues_once(app: App) -> None:
    async with app.session_factory() as session, session.begin():
        outbox = Outbox(session)
        first = await outbox.enqueue(
            channel="telegram",
            address="100",
            user_id=None,
            message=Outbound(text="nhắc"),
            dedupe_key="u1:q2:7d",
        )
        second = await outbox.enqueue(
            channel="telegram",
            address="100",
            user_id=None,
            message=Outbound(text="nhắc"),
            dedupe_key="u1:q2:7d",
        )
    assert (first, second) == (True, False)


async def test_a_long_queue_for_one_chat_does_not_hold_a_round(app: App) -> None:
    """A chat gets a few rows per round (the lease must outlive a round); order holds."""
    channel = ScriptedChannel()
    sender = app.sender({"telegram": channel})
    await enqueue(app, "100", *[f"r{n}" for n in range(12)])
    await enqueue(app, "200", "other")
    assert await sender.run_once() == 6  # claimed: five of the long queue, one of the other
    assert [t for a, t in channel.delivered if a == "100"] == [f"r{n}" for n in range(5)]
    assert ("200", "other") in channel.delivered
    await sender.drain()
    assert [t for a, t in channel.delivered if a == "100"] == [f"r{n}" for n in range(12)]


async def test_a_dead_senders_leases_are_freed_within_seconds_a_live_ones_never(
    app: App,
) -> None:
    """Observed on PostgreSQL: after a kill mid-send, the chat heard nothing for the 60 s
    lease. Leases name their holder; a holder whose heartbeat stopped loses them within
    seconds, while a live one (still beating) keeps them."""
    await enqueue(app, "100", "in flight when killed")
    await enqueue(app, "200", "held by a live sender")
    clock = Clock()
    dead, live = (
        app.sender({"telegram": ScriptedChannel()}),
        app.sender({"telegram": ScriptedChannel()}),
    )
    dead.holder, live.holder = "host-a:101:killed", "host-b:202:alive"  # two processes
    for sender in (dead, live):
        sender.clock = clock
        await sender.beat(force=True)
    async with app.session_factory() as session, session.begin():
        outbox = Outbox(session)
        assert (
            len(await outbox.claim_due(["telegram"], limit=1, now=clock(), holder=dead.holder)) == 1
        )
        assert (
            len(await outbox.claim_due(["telegram"], limit=1, now=clock(), holder=live.holder)) == 1
        )
    # The dead one never beats again; the live one goes on beating. A restarted process is
    # a new sender with a new name.
    channel = ScriptedChannel()
    restarted = app.sender({"telegram": channel})
    restarted.clock = clock
    clock.now += timedelta(seconds=4)
    await live.beat(force=True)
    await restarted.drain()
    assert channel.delivered == []  # four seconds of silence is not death yet
    clock.now += timedelta(seconds=8)
    await live.beat(force=True)
    await restarted.drain()
    assert channel.delivered == [("100", "in flight when killed")]  # 12 s, not 60
    clock.now += timedelta(seconds=20)
    await live.beat(force=True)
    await restarted.drain()
    assert channel.delivered == [("100", "in flight when killed")]  # never the live one's row


async def test_a_clean_stop_hands_its_leases_back_at_once(app: App) -> None:
    await enqueue(app, "100", "claimed, then stopped")
    clock = Clock()
    stopping = app.sender({"telegram": ScriptedChannel()})
    stopping.clock, stopping.holder = clock, "host-a:101:stopping"
    async with app.session_factory() as session, session.begin():
        await Outbox(session).claim_due(["telegram"], limit=1, now=clock(), holder=stopping.holder)
    await stopping.leave()
    channel = ScriptedChannel()
    successor = app.sender({"telegram": channel})
    successor.clock = clock
    await successor.drain()
    assert channel.delivered == [("100", "claimed, then stopped")]


async def test_a_noisy_chat_does_not_hold_a_quiet_ones_reply(app: App) -> None:
    """Observed: one user's 300 messages queued 600 replies, and another user's reply then
    waited behind 70 of them. Chats take turns in every round."""
    await enqueue(app, "noisy", *[f"n{n}" for n in range(300)])
    await enqueue(app, "quiet", "your reply")
    channel = ScriptedChannel()
    sender = app.sender({"telegram": channel})
    sender.batch = 10
    await sender.run_once()
    assert ("quiet", "your reply") in channel.delivered
    assert len(channel.delivered) == 6
