"""PostgreSQL restarted while officers are answering: the bot recovers by itself within
seconds, no acknowledged answer is lost, and a message that arrived during the outage is
processed once the database is back (Telegram keeps it until the bot confirms it).

The server restarted is one of the test's own (tests/faults/private_postgres.py), started
with the machine's PostgreSQL binaries, so the tests running beside it keep their server.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Iterator

import pytest
from sqlalchemy import func, select

from bot.app import App
from storage.models import Conversation, Identity, OutboxMessage, OutboxStatus
from tests.bot.channels.test_telegram_helpers import bounded, make_app, running
from tests.conftest import REQUIRE_PG, _prepare, make_settings
from tests.fakes.telegram_api import FakeTelegramServer
from tests.faults.private_postgres import PrivateServer, private_server, usable
from tests.faults.seed import seed_officers_sync

QUESTION = re.compile(r"Câu (\d+)/\d+")


def asked(server: FakeTelegramServer, chat: int) -> list[int]:
    return [
        int(m.group(1))
        for c in server.calls("sendMessage", chat)
        if (m := QUESTION.search(c.text or ""))
    ]


async def settled(app: App, within: float = 30.0) -> None:
    """Until no outbox row waits to be sent or marked sent."""
    deadline = asyncio.get_running_loop().time() + within
    while True:
        async with app.session_factory() as session:
            waiting = await session.scalar(
                select(func.count())
                .select_from(OutboxMessage)
                .where(OutboxMessage.status == OutboxStatus.PENDING)
            )
        if not waiting:
            return
        assert asyncio.get_running_loop().time() < deadline, f"{waiting} replies still pending"
        await asyncio.sleep(0.05)


async def answers_of(url: str) -> dict[int, int]:
    app = App(make_settings(url))
    async with app.session_factory() as session:
        rows = (
            await session.execute(
                select(Identity.external_id, Conversation.data).join(
                    Conversation, Conversation.user_id == Identity.user_id
                )
            )
        ).all()
    await app.close()
    return {int(external): len(data.get("answers", {})) for external, data in rows}


@pytest.fixture
def private_postgres() -> Iterator[PrivateServer]:
    if not usable():
        if REQUIRE_PG:
            pytest.fail("CI must be able to run a PostgreSQL server (initdb, pg_ctl)")
        pytest.skip("a PostgreSQL server of the test's own needs initdb and pg_ctl")
    with private_server() as server:
        asyncio.run(_prepare(server.url))
        yield server


@pytest.mark.postgres
@bounded(150)
async def test_postgresql_restart_while_officers_answer(
    private_postgres: PrivateServer, server: FakeTelegramServer
) -> None:
    database_url = private_postgres.url
    chats = await seed_officers_sync(database_url, 10)
    app = await make_app(database_url, server)
    try:
        async with running(app, server):
            for chat in chats:
                server.user_sends_command(chat, "baocao")
            for n, answer in enumerate(["4", "2"], 1):
                for chat in chats:
                    await server.wait_for(lambda chat=chat, n=n: len(asked(server, chat)) >= n, 30)
                    server.user_sends_text(chat, answer)
            for chat in chats:
                await server.wait_for(lambda chat=chat: len(asked(server, chat)) >= 3, 30)
            # A reply Telegram took but whose "sent" mark the outage swallowed goes again
            # after it (at least once: the Bot API has no idempotency key). This test is
            # about the answers that arrive during the outage: it waits until every
            # question sent so far is marked sent, so that a repeat would be a real bug.
            await settled(app)

            # The database goes away and comes back while the third answers arrive.
            restart = asyncio.create_task(private_postgres.restart())
            for chat in chats:
                server.user_sends_text(chat, "0")
                await asyncio.sleep(0.05)
            await restart
            for chat in chats:  # each third answer is processed after recovery
                await server.wait_for(lambda chat=chat: len(asked(server, chat)) >= 4, 60)
    finally:
        await app.close()
    stored = await answers_of(database_url)
    for chat in chats:
        assert stored[chat] == 3, (chat, stored[chat])
        questions = asked(server, chat)
        assert questions == sorted(set(questions)), (chat, questions)  # none twice
