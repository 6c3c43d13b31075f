"""The one transactional path: repeats dropped, bugs answered, nothing half-saved."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import func, select

from bot.app import App
from bot.messages import Inbound, InboundKind
from bot.pipeline import StorageUnavailable
from storage.models import Conversation, OutboxMessage, SeenMessage, User
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
