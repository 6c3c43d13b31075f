"""Two webhook workers on one port, started as an operator starts them: ``python -m bot``
with ``OCOP_WEBHOOK_WORKERS=2``, on PostgreSQL, against the fake Bot API on 127.0.0.1.

A burst of officers is answered, each once; only one worker registers the webhook; SIGTERM
stops both workers cleanly; and a worker that dies takes the others down with an error code,
for the service manager to restart the whole.
"""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from tests.bot.channels.test_telegram_helpers import TOKEN, ScriptedUser, bounded, free_port
from tests.conftest import _empty_postgres
from tests.fakes.telegram_api import FakeTelegramServer

pytestmark = [
    pytest.mark.skipif(sys.platform != "linux", reason="SO_REUSEPORT and /proc"),
    pytest.mark.postgres,
]


@pytest.fixture
async def postgres_url(postgres_ready: str) -> str:
    await _empty_postgres(postgres_ready)
    return postgres_ready


@pytest.fixture
async def server() -> AsyncIterator[FakeTelegramServer]:
    async with FakeTelegramServer(token=TOKEN) as fake:
        yield fake


def workers_of(pid: int) -> list[int]:
    """The worker processes ``pid`` started (not multiprocessing's resource tracker)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            command = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode()
        except OSError:
            continue
        # "pid (name) state ppid ...": the name may hold spaces, so split after its ")".
        if int(stat.rsplit(")", 1)[1].split()[1]) == pid and "spawn_main" in command:
            found.append(int(entry.name))
    return found


class Workers:
    """``python -m bot`` in webhook mode with two workers."""

    def __init__(self, folder: Path, server: FakeTelegramServer, url: str) -> None:
        self.port = free_port()
        self.out = folder / "out.txt"
        self.env = {k: v for k, v in os.environ.items() if not k.startswith("OCOP_")}
        self.env.update(
            OCOP_TELEGRAM_TOKEN=TOKEN,
            OCOP_TELEGRAM_API_BASE=server.base_url,
            OCOP_DATABASE_URL=url,
            OCOP_TELEGRAM_MODE="webhook",
            OCOP_WEBHOOK_URL=f"http://127.0.0.1:{self.port}/telegram/hook",
            OCOP_WEBHOOK_PORT=str(self.port),
            OCOP_WEBHOOK_SECRET="workers-test-secret",
            OCOP_WEBHOOK_WORKERS="2",
            OCOP_SCHEDULER="false",
            PYTHONUNBUFFERED="1",
        )
        self.folder = folder
        self.process: asyncio.subprocess.Process | None = None

    async def start(self) -> None:
        with self.out.open("wb") as out:
            self.process = await asyncio.create_subprocess_exec(
                sys.executable, "-m", "bot", cwd=self.folder, env=self.env,
                stdin=asyncio.subprocess.DEVNULL, stdout=out, stderr=asyncio.subprocess.STDOUT,
            )  # fmt: skip
        # Two new processes import aiogram (seconds each) on a machine shared with the
        # suite's other workers: up to 90 s, still bounded.
        for _ in range(900):
            text = self.output()
            if "worker 1 of 2" in text and "worker 2 of 2" in text:
                return
            if self.process.returncode is not None:
                break
            await asyncio.sleep(0.1)
        raise AssertionError(f"the workers did not start:\n{self.output()}")

    def output(self) -> str:
        return self.out.read_text(errors="replace")

    async def ended(self) -> int:
        assert self.process is not None
        return await asyncio.wait_for(self.process.wait(), 30)

    def kill_all(self) -> None:
        if self.process is not None and self.process.returncode is None:
            for child in workers_of(self.process.pid):
                os.kill(child, signal.SIGKILL)
            self.process.kill()


@pytest.fixture
async def bot(
    tmp_path: Path, server: FakeTelegramServer, postgres_url: str
) -> AsyncIterator[Workers]:
    """Two workers, started and serving; whatever is left of them is killed afterwards."""
    workers = Workers(tmp_path, server, postgres_url)
    try:
        await workers.start()
        assert workers.process is not None
        assert len(workers_of(workers.process.pid)) == 2
        yield workers
    finally:
        workers.kill_all()


@bounded(120)
async def test_two_workers_share_a_burst_and_stop_together(
    bot: Workers, server: FakeTelegramServer
) -> None:
    assert bot.process is not None
    assert [r.method for r in server.requests].count("setWebhook") == 1  # the first worker
    people = [ScriptedUser(server, 7100 + n) for n in range(30)]
    updates = [person.command("start") for person in people]
    statuses = await asyncio.gather(*(server.deliver_webhook(u) for u in updates))
    assert statuses == [200] * 30
    for person in people:
        await person.expect("Chào mừng", "Anh/chị vui lòng chọn ngôn ngữ")
    await asyncio.sleep(0.5)
    assert all(len(person.messages()) == 2 for person in people)  # each answered once

    bot.process.send_signal(signal.SIGTERM)
    assert await bot.ended() == 0, bot.output()
    assert workers_of(bot.process.pid) == []
    assert "Traceback" not in bot.output()


@bounded(90)
async def test_a_dead_worker_stops_the_others_with_an_error(bot: Workers) -> None:
    assert bot.process is not None
    _, second = sorted(workers_of(bot.process.pid))
    os.kill(second, signal.SIGKILL)
    assert await bot.ended() == 1
    assert workers_of(bot.process.pid) == []
    assert "ended (exit code" in bot.output()
