"""The console chat as a running channel: one local user types, the bot answers in the
same terminal, and messages from others (an approval, a notice) appear as they arrive.

End of input ends the bot (the user is done); Ctrl-C stops it through the runtime.
"""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Awaitable, Callable
from typing import TextIO

from bot.app import App
from bot.channels.console.channel import (
    CHANNEL,
    ConsoleChannel,
    inbound_from_line,
    read_lines,
    session_opened,
)
from bot.http import HttpServer
from bot.i18n import Translator
from bot.messages import Inbound
from bot.pipeline import StorageUnavailable


class ConsoleService:
    name = CHANNEL
    receives = "terminal"

    def __init__(
        self, app: App, *, user: str, stdin: TextIO | None = None, stdout: TextIO | None = None
    ) -> None:
        self.app = app
        self.user = user
        self.sender_address: str | None = user  # the console delivers only its user's rows
        self.stdin = stdin or sys.stdin
        self.stdout = stdout or sys.stdout
        self.channel = ConsoleChannel(output=self.stdout)
        self.tr = Translator(app.settings.default_language)

    async def start(self, http: HttpServer) -> None:
        """Nothing to check or mount: the terminal is already there."""

    def describe(self) -> str:
        return f"Console chat is running in this terminal (user {self.user})."

    async def serve(self, stop: asyncio.Event, deliver_now: Callable[[], Awaitable[None]]) -> None:
        """Chat until end of input or ``stop``; every answer is saved at once."""
        self.stdout.write(
            self.tr.t(
                "OCOP console chat. Type /help for help, Ctrl-C to quit; your "
                "answers are saved as you go."
            )
            + "\n"
        )
        await self._turn(session_opened(self.user), deliver_now)
        lines = read_lines(self.stdin)
        stopping = asyncio.ensure_future(stop.wait())
        try:
            while not stop.is_set():
                self.stdout.write("\n> ")
                self.stdout.flush()
                line_task = asyncio.ensure_future(lines.get())
                await asyncio.wait({line_task, stopping}, return_when=asyncio.FIRST_COMPLETED)
                if not line_task.done():
                    line_task.cancel()
                    return
                line = line_task.result()
                if line is None:
                    self.stdout.write("\n")
                    return
                await self._turn(inbound_from_line(self.user, line), deliver_now)
        finally:
            stopping.cancel()

    async def _turn(self, inbound: Inbound, deliver_now: Callable[[], Awaitable[None]]) -> None:
        try:
            await self.app.pipeline.process(inbound)
        except StorageUnavailable:
            self.stdout.write(
                self.tr.t(
                    "The database is not reachable right now. Please send your "
                    "message again in a moment."
                )
                + "\n"
            )
            return
        await deliver_now()

    async def close(self) -> None:
        """The input thread is a daemon: it ends with the process."""
