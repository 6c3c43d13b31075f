"""PostgreSQL restarted while officers are answering: the bot recovers by itself within
seconds, no acknowledged answer is lost, and a message that arrived during the outage is
processed once the database is back (Telegram keeps it until the bot confirms it).

Needs the local server and the right to restart it (root, ``pg_ctlcluster``); CI has both.
The server is left running.
"""

from __future__ import annotations

import asyncio
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from sqlalchemy import select

from bot.app import App
from storage.models import Conversation, Identity
from tests.bot.channels.test_telegram_helpers import bounded, make_app, running
from tests.conftest import REQUIRE_PG, make_settings
from tests.fakes.telegram_api import FakeTelegramServer
from tests.faults.seed import seed_officers_sync

QUESTION = re.compile(r"Câu (\d+)/\d+")


def restart_command() -> list[str] | None:
    tool = shutil.which("pg_ctlcluster")
    versions = sorted(Path("/etc/postgresql").glob("*")) if Path("/etc/postgresql").is_dir() else []
    if tool is None or not versions or os.geteuid() != 0:
        return None
    return [tool, "--skip-systemctl-redirect", versions[-1].name, "main", "restart"]


def asked(server: FakeTelegramServer, chat: int) -> list[int]:
    return [
        int(m.group(1))
        for c in server.calls("sendMessage", chat)
        if (m := QUESTION.search(c.text or ""))
    ]


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


@pytest.mark.postgres
@bounded(150)
async def test_postgresql_restart_while_officers_answer(
    postgres_url: str, server: FakeTelegramServer
) -> None:
    database_url = postgres_url
    command = restart_command()
    if command is None:
        if REQUIRE_PG:
            pytest.fail("CI must be able to restart PostgreSQL (root and pg_ctlcluster)")
        pytest.skip("restarting PostgreSQL needs root and pg_ctlcluster")
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

            # The database goes away and comes back while the third answers arrive.
            restart = asyncio.create_task(
                asyncio.to_thread(
                    subprocess.run, command, check=True, capture_output=True, timeout=60
                )
            )
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
