"""The one transactional path: repeats dropped, bugs answered, nothing half-saved."""

from __future__ import annotations

import asyncio
import uuid

import pytest
from sqlalchemy import event, func, select

import bot.pipeline as pipeline_module
from bot.app import App
from bot.messages import Inbound, InboundKind
from bot.pipeline import StorageUnavailable
from storage.models import Conversation, Identity, OutboxMessage, SeenMessage, User
from tests.conftest import make_settings


def text(user: str, body: str, message_id: str | None = None) -> Inbound:
    return Inbound(
        channel="console",
        user_id=user,
        message_id=message_id or uuid.uuid4().hex,
        kind=InboundKind.TEXT,
        text=body,
    )


async def count(app: App, model: type) -> int:
    async with app.session_factory() as session:
        return int(await session.scalar(select(func.count()).select_from(model)) or 0)


@pytest.fixture
async def app(database_url: str):  # type: ignore[no-untyped-def]
    app = App(make_settings(database_url))
    await app.prepare()
    yield app
    await app.close()


async def test_repeat_is_dropped(app: App) -> None:
    assert await app.pipeline.process(text("an", "/start", "m-1")) is True
    replies = await count(app, OutboxMessage)
    assert await app.pipeline.process(text("an", "/start", "m-1")) is False
    assert await count(app, OutboxMessage) == replies
    assert await count(app, SeenMessage) == 1


async def test_same_message_id_on_another_channel_is_not_a_repeat(app: App) -> None:
    await app.pipeline.process(text("an", "/start", "m-1"))
    other = Inbound(
        channel="telegram", user_id="42", message_id="m-1", kind=InboundKind.TEXT, text="/start"
    )
    assert await app.pipeline.process(other) is True
    assert await count(app, User) == 2


async def test_handler_bug_is_answered_and_changes_nothing(
    app: App, monkeypatch: pytest.MonkeyPatch
) -> None:
    await app.pipeline.process(text("an", "/start"))
    await app.pipeline.process(text("an", "1"))  # Vietnamese; now asked the role
    async with app.session_factory() as session:
        before = (await session.get(Conversation, 1)).step  # type: ignore[union-attr]
    replies = await count(app, OutboxMessage)

    async def broken(ctx):  # type: ignore[no-untyped-def]
        ctx.data["half"] = "written"
        raise RuntimeError("bug")

    monkeypatch.setattr("bot.pipeline.dispatch", broken)
    assert await app.pipeline.process(text("an", "2")) is True
    async with app.session_factory() as session:
        conversation = await session.get(Conversation, 1)
        assert conversation is not None and conversation.step == before
        assert "half" not in conversation.data
        last = (
            await session.scalars(select(OutboxMessage).order_by(OutboxMessage.id.desc()))
        ).first()
    assert await count(app, OutboxMessage) == replies + 1
    assert last is not None and "Xin lỗi, hệ thống gặp sự cố" in last.payload["text"]


async def test_language_hint_of_the_platform_is_used_for_a_new_user(app: App) -> None:
    inbound = Inbound(
        channel="telegram",
        user_id="7",
        message_id="x",
        kind=InboundKind.TEXT,
        text="/start",
        language_hint="en",
    )
    await app.pipeline.process(inbound)
    async with app.session_factory() as session:
        rows = (await session.scalars(select(OutboxMessage).order_by(OutboxMessage.id))).all()
    assert rows[0].payload["text"].startswith("Welcome to the OCOP reporting assistant")


async def test_unreachable_database_raises_storage_unavailable(tmp_path) -> None:  # type: ignore[no-untyped-def]
    app = App(make_settings("postgresql+asyncpg://nobody@127.0.0.1:9/none"))
    with pytest.raises(StorageUnavailable):
        await app.pipeline.process(text("an", "hello"))
    await app.close()


# -- messages arriving at the same moment (group commit, bot/batching.py) ------------------


def count_commits(app: App) -> list[int]:
    commits = [0]

    def on_commit(_connection) -> None:  # type: ignore[no-untyped-def]
        commits[0] += 1

    event.listen(app.engine.sync_engine, "commit", on_commit)
    return commits


async def replies_to(app: App, user: str) -> list[str]:
    async with app.session_factory() as session:
        rows = await session.scalars(
            select(OutboxMessage).where(OutboxMessage.address == user).order_by(OutboxMessage.id)
        )
        return [row.payload["text"] for row in rows]


async def test_a_burst_shares_transactions_and_answers_each_as_if_alone(app: App) -> None:
    await app.pipeline.process(text("alone", "/start"))
    expected = await replies_to(app, "alone")
    commits = count_commits(app)
    users = [f"u{n}" for n in range(20)]
    results = await asyncio.gather(*(app.pipeline.process(text(u, "/start")) for u in users))
    assert results == [True] * 20
    assert commits[0] < 20
    for user in users:
        assert await replies_to(app, user) == expected
    assert await count(app, User) == 21


async def test_one_users_burst_is_handled_in_the_order_sent(app: App) -> None:
    messages = [text("an", "/start"), text("an", "1"), text("binh", "/start")]
    assert await asyncio.gather(*(app.pipeline.process(m) for m in messages)) == [True] * 3
    async with app.session_factory() as session:
        user = (await session.scalars(select(User).order_by(User.id))).first()
        assert user is not None and user.language == "vi"
        conversation = await session.get(Conversation, user.id)
    assert conversation is not None and conversation.step != "language"
    # "1" chose Vietnamese
    assert (await replies_to(app, "an"))[-1] == "Anh/chị tham gia với vai trò nào?"


async def test_a_repeat_within_a_burst_is_dropped(app: App) -> None:
    results = await asyncio.gather(
        app.pipeline.process(text("an", "/start", "m-1")),
        app.pipeline.process(text("an", "/start", "m-1")),
        app.pipeline.process(text("binh", "/start", "m-2")),
    )
    assert sorted(results) == [False, True, True]
    assert await replies_to(app, "an") == await replies_to(app, "binh")


async def test_a_bug_in_one_message_of_a_burst_spares_the_others(
    app: App, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = pipeline_module.dispatch

    async def broken_for_bad(ctx):  # type: ignore[no-untyped-def]
        if ctx.inbound.user_id == "bad":
            raise RuntimeError("bug")
        await real(ctx)

    await app.pipeline.process(text("alone", "/start"))
    expected = await replies_to(app, "alone")
    monkeypatch.setattr("bot.pipeline.dispatch", broken_for_bad)
    users = ["an", "bad", "binh", "chi"]
    results = await asyncio.gather(*(app.pipeline.process(text(u, "/start")) for u in users))
    assert results == [True] * 4
    assert "Xin lỗi, hệ thống gặp sự cố" in (await replies_to(app, "bad"))[-1]
    for user in ("an", "binh", "chi"):
        assert await replies_to(app, user) == expected
    async with app.session_factory() as session:
        names = {i.external_id for i in (await session.scalars(select(Identity))).all()}
    assert names == {"alone", "an", "binh", "chi"}  # the failed one left nothing half-saved


async def test_a_database_outage_fails_every_message_of_a_burst(tmp_path) -> None:  # type: ignore[no-untyped-def]
    app = App(make_settings("postgresql+asyncpg://nobody@127.0.0.1:9/none"))
    outcomes = await asyncio.gather(
        *(app.pipeline.process(text(f"u{n}", "hello")) for n in range(5)), return_exceptions=True
    )
    assert all(isinstance(o, StorageUnavailable) for o in outcomes)
    await app.close()


async def test_batch_size_one_handles_each_message_alone(database_url: str) -> None:
    app = App(make_settings(database_url, batch_size=1))
    await app.prepare()
    try:
        commits = count_commits(app)
        users = [f"u{n}" for n in range(5)]
        results = await asyncio.gather(*(app.pipeline.process(text(u, "/start")) for u in users))
        assert results == [True] * 5
        assert commits[0] == 5
    finally:
        await app.close()


async def test_a_users_two_messengers_in_one_burst_are_handled_one_after_the_other(
    app: App,
) -> None:
    """One person on two messengers (two identities of one user): their messages arriving
    together must not share a batch, or the second would start from a stale state."""
    await app.pipeline.process(text("an", "/start"))
    async with app.session_factory() as session, session.begin():
        user = (await session.scalars(select(User))).one()
        session.add(Identity(user_id=user.id, channel="telegram", external_id="an-tg"))
    on_telegram = Inbound(
        channel="telegram", user_id="an-tg", message_id="t-1", kind=InboundKind.TEXT, text="2"
    )
    results = await asyncio.gather(
        app.pipeline.process(text("an", "1")),  # Vietnamese
        app.pipeline.process(on_telegram),  # then "2": a commune officer
        app.pipeline.process(text("binh", "/start")),
    )
    assert results == [True, True, True]
    # "1" chose Vietnamese
    assert (await replies_to(app, "an"))[-1] == "Anh/chị tham gia với vai trò nào?"
    # and "2" answered that question, so the province is asked next (on Telegram)
    assert "tỉnh/thành phố" in (await replies_to(app, "an-tg"))[-1]
