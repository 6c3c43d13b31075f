"""The bot process killed with SIGKILL while 50 officers are in the middle of their reports.

Run as an operator runs it (``python -m bot`` on Telegram by long polling, against the fake
Bot API on 127.0.0.1, SQLite in a folder). After the restart: every answer the bot had
acknowledged (its next question reached the officer) is stored, every conversation resumes
at the right question, and no question goes out twice — except the one a chat had in flight
at the instant of the kill: Telegram took it, but the dead process never recorded that, so
it is sent again (delivery is at-least-once; Telegram offers no idempotency key). The test
holds that exception to exactly those messages, once each.
"""

from __future__ import annotations

import asyncio
import os
import random
import re
import signal
import sys
from pathlib import Path

import pytest
from sqlalchemy import select

from bot.app import App
from storage.models import Conversation, Identity
from storage.outbox import Outbox
from tests.bot.channels.test_telegram_helpers import TOKEN, bounded
from tests.conftest import make_settings
from tests.fakes.telegram_api import FakeTelegramServer
from tests.faults.seed import seed_officers_sync

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals")

OFFICERS = 50
# Consistent answers: 3★+4★+5★ (1+1+0, or 1+1+1 when the restart lands there) never
# exceed the 3 products evaluated, so the form's blocking check never stops an officer.
ANSWERS = ["4", "2", "3", "1", "1", "0", "1", "2", "1", "5", "1", "2", "3"]
QUESTION = re.compile(r"Câu (\d+)/\d+")


def bot_env(server: FakeTelegramServer, folder: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("OCOP_")}
    env.update(
        OCOP_TELEGRAM_TOKEN=TOKEN,
        OCOP_TELEGRAM_API_BASE=server.base_url,
        OCOP_DATABASE_URL=f"sqlite+aiosqlite:///{folder / 'ocop.db'}",
        OCOP_SCHEDULER="false",
        OCOP_TELEGRAM_RATE_PER_CHAT="5",
        OCOP_TELEGRAM_RATE_GLOBAL="30",
        PYTHONUNBUFFERED="1",
    )
    return env


async def start_bot(
    server: FakeTelegramServer, folder: Path, run: int
) -> asyncio.subprocess.Process:
    with (folder / f"out-{run}.txt").open("wb") as out:
        process = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "bot",
            cwd=folder,
            env=bot_env(server, folder),
            stdin=asyncio.subprocess.DEVNULL,
            stdout=out,
            stderr=asyncio.subprocess.STDOUT,
        )
    # A new process on a machine shared with the suite's other workers: generous, bounded.
    await server.wait_for(lambda: server.active_polls or process.returncode is not None, 90)
    assert process.returncode is None, (folder / f"out-{run}.txt").read_text()
    return process


def questions_to(server: FakeTelegramServer, chat: int) -> list[int]:
    """The question numbers the officer has been asked, in order."""
    return [
        int(m.group(1))
        for call in server.calls("sendMessage", chat)
        if (m := QUESTION.search(call.text or ""))
    ]


async def stored_answers(url: str) -> dict[int, dict[str, object]]:
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
    return {int(external): data.get("answers", {}) for external, data in rows}


@bounded(270)
async def test_sigkill_in_the_middle_of_fifty_reports(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'ocop.db'}"
    chats = await seed_officers_sync(url, OFFICERS)
    rng = random.Random(7)
    async with FakeTelegramServer(token=TOKEN) as server:
        process = await start_bot(server, tmp_path, 1)
        acknowledged: dict[int, int] = dict.fromkeys(chats, 0)  # answers whose next question came

        async def officer(chat: int, stop_after: int) -> None:
            server.user_sends_command(chat, "baocao")
            await server.wait_for(lambda: questions_to(server, chat)[-1:] == [1], 30)
            for n, answer in enumerate(ANSWERS[:stop_after], 1):
                server.user_sends_text(chat, answer)
                await server.wait_for(lambda n=n: len(questions_to(server, chat)) > n, 30)
                acknowledged[chat] = n

        # Everyone answers a random part of the report; some are still typing when it dies.
        tasks = [asyncio.create_task(officer(c, rng.randint(2, len(ANSWERS)))) for c in chats]
        await server.wait_for(lambda: sum(acknowledged.values()) >= 150, 60)
        process.kill()  # SIGKILL: no clean-up of any kind
        await process.wait()
        sent_before_kill = {chat: len(questions_to(server, chat)) for chat in chats}
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        at_kill = dict(acknowledged)

        restarted = await start_bot(server, tmp_path, 2)
        try:
            # Updates the dead process took but had not confirmed are delivered again.
            await asyncio.sleep(0)
            await server.wait_for(lambda: not server.pending_updates, 30)
            await server.wait_for(lambda: server.active_polls, 30)
            stored = await _settled_answers(url, at_kill)
            await _outbox_drained(url)
            for chat in chats:
                assert len(stored.get(chat, {})) >= at_kill[chat], (
                    chat,
                    at_kill[chat],
                    stored.get(chat),
                )
            # Each officer goes on from where the bot says they are.
            for chat in chats:
                asked = questions_to(server, chat)
                server.user_sends_text(chat, "1")
                await server.wait_for(
                    lambda chat=chat, asked=asked: len(questions_to(server, chat)) > len(asked), 30
                )
                after = questions_to(server, chat)
                assert after[-1] == asked[-1] + 1 or asked[-1] >= 11, (chat, asked, after)
                for question in {q for q in after if after.count(q) > 1}:
                    first = after.index(question)
                    assert after.count(question) == 2, (chat, after)
                    # Only the last message the dead process had sent may come again.
                    assert first == sent_before_kill[chat] - 1, (
                        chat,
                        after,
                        sent_before_kill[chat],
                    )
        finally:
            restarted.send_signal(signal.SIGTERM)
            await asyncio.wait_for(restarted.wait(), 20)


async def _settled_answers(url: str, at_kill: dict[int, int]) -> dict[int, dict[str, object]]:
    """Stored answers once the restarted bot has caught up with redelivered updates."""
    for _ in range(100):
        stored = await stored_answers(url)
        if all(len(stored.get(chat, {})) >= n for chat, n in at_kill.items()):
            return stored
        await asyncio.sleep(0.1)
    return await stored_answers(url)


async def _outbox_drained(url: str) -> None:
    """Wait until the restarted bot has delivered everything it owes (so that what each
    officer sees is settled before they answer)."""
    app = App(make_settings(url))
    try:
        for _ in range(200):
            async with app.session_factory() as session:
                if await Outbox(session).pending_count() == 0:
                    return
            await asyncio.sleep(0.1)
    finally:
        await app.close()
