"""The bot as a new operator starts it: ``python -m bot`` with only the token and the Bot API
base URL set, in an empty folder (so the default SQLite database is created there).

A scripted Telegram user completes onboarding; SIGTERM (how systemd or Docker stop a service)
ends the process with exit code 0 and no traceback; a second start on the same folder
remembers the user, and Ctrl-C (SIGINT) ends it just as cleanly.
"""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from tests.bot.channels.test_telegram_helpers import (
    TOKEN,
    ScriptedUser,
    bounded,
    onboard_in_vietnamese,
)
from tests.fakes.telegram_api import FakeTelegramServer

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals")


@pytest.fixture
async def server() -> AsyncIterator[FakeTelegramServer]:
    async with FakeTelegramServer(token=TOKEN) as fake:
        yield fake


def operator_env(server: FakeTelegramServer) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if not key.startswith("OCOP_")}
    env["OCOP_TELEGRAM_TOKEN"] = TOKEN
    env["OCOP_TELEGRAM_API_BASE"] = server.base_url
    env["PYTHONUNBUFFERED"] = "1"
    return env


class BotProcess:
    def __init__(self, folder: Path, server: FakeTelegramServer, run: int) -> None:
        self.folder, self.server, self.run = folder, server, run
        self.stdout = folder / f"stdout-{run}.txt"
        self.stderr = folder / f"stderr-{run}.txt"
        self.process: asyncio.subprocess.Process | None = None

    async def start(self) -> None:
        with self.stdout.open("wb") as out, self.stderr.open("wb") as err:
            self.process = await asyncio.create_subprocess_exec(
                sys.executable,
                "-m",
                "bot",
                cwd=self.folder,
                env=operator_env(self.server),
                stdin=asyncio.subprocess.DEVNULL,
                stdout=out,
                stderr=err,
            )
        try:
            await self.server.wait_for(
                lambda: self.server.active_polls or self.process.returncode is not None,  # type: ignore[union-attr]
                # A new process imports aiogram (seconds) on a machine shared with the
                # suite's other workers: generous, still bounded.
                60,
                description="the bot to start polling",
            )
        except TimeoutError:
            await self.stop(signal.SIGKILL)
            raise
        assert self.process.returncode is None, self.output()

    async def stop(self, sig: signal.Signals) -> int:
        assert self.process is not None
        if self.process.returncode is None:
            self.process.send_signal(sig)
        try:
            return await asyncio.wait_for(self.process.wait(), 15)
        except TimeoutError:
            self.process.kill()
            await self.process.wait()
            raise AssertionError(f"the bot did not stop on {sig.name}\n{self.output()}") from None

    def output(self) -> str:
        return (
            f"--- stdout\n{self.stdout.read_text(errors='replace')}"
            f"--- stderr\n{self.stderr.read_text(errors='replace')}"
        )


@bounded(180)
async def test_start_onboard_stop_restart_as_an_operator_would(
    tmp_path: Path, server: FakeTelegramServer
) -> None:
    first = BotProcess(tmp_path, server, 1)
    await first.start()
    try:
        hoa = ScriptedUser(server, 9001)
        await onboard_in_vietnamese(hoa)
    finally:
        code = await first.stop(signal.SIGTERM)
    assert code == 0, first.output()
    assert "Traceback" not in first.output()
    assert "running (long polling)" in first.stdout.read_text()
    assert (tmp_path / "ocop.db").exists()

    server.clear_records()
    second = BotProcess(tmp_path, server, 2)
    await second.start()
    try:
        hoa = ScriptedUser(server, 9001)
        hoa.command("start")
        await hoa.expect("Xin chào Nguyễn Thị Hoa!")
    finally:
        code = await second.stop(signal.SIGINT)
    assert code == 0, second.output()
    assert "Traceback" not in second.output()
