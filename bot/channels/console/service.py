"""The console chat as a running channel: one local user types, the bot answers in the
same terminal, and messages from others (an approval, a notice, an export) appear as they
arrive, above the input line (``live.py``).

The runtime's outbox sender for this channel delivers this user's rows continuously (woken
when this process queues a row, and every second for rows another process queued, e.g. an
admin in a second terminal); ``deliver_now`` after each turn shows the replies at once.
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
    session_opened,
)
from bot.channels.console.live import (
    Lines,
    PromptLines,
    StreamLines,
    live_output,
    on_terminal,
)
from bot.http import HttpServer
from bot.i18n import Translator
from bot.messages import Inbound
from bot.pipeline import StorageUnavailable


class ConsoleService:
    name = CHANNEL
    receives = "terminal"

    def __init__(
        self,
        app: App,
        *,
        user: str,
        stdin: TextIO | None = None,
        stdout: TextIO | None = None,
        live: bool | None = None,
    ) -> None:
        self.app = app
        self.user = user
        self.sender_address: str | None = user  # the console delivers only its user's rows
        self._stdin = stdin
        self._stdout = stdout
        # The live input line on a terminal; given streams (tests, pipes) are read as lines.
        self.live = on_terminal(stdin, stdout) if live is None else live
        language = app.settings.default_language
        self.channel = ConsoleChannel(output=stdout, language=language)
        self.tr = Translator(language)

    @property
    def stdout(self) -> TextIO:
        """As :attr:`ConsoleChannel.output`: the live chat's proxy while it runs."""
        return self._stdout or sys.stdout

    async def start(self, http: HttpServer) -> None:
        """Nothing to check or mount: the terminal is already there."""

    def describe(self) -> str:
        return f"Console chat is running in this terminal (user {self.user})."

    async def serve(self, stop: asyncio.Event, deliver_now: Callable[[], Awaitable[None]]) -> None:
        """Chat until end of input or ``stop``; every answer is saved at once."""
        with live_output(self.live):
            self._say(
                self.tr.t(
                    "OCOP console chat. Type /help for help, Ctrl-C to quit; your "
                    "answers are saved as you go."
                )
            )
            await self._turn(session_opened(self.user), deliver_now)
            lines: Lines = (
                PromptLines() if self.live else StreamLines(self._stdin or sys.stdin, self.stdout)
            )
            while not stop.is_set():
                line = await lines.next(stop)
                if line is None:
                    return
                await self._turn(inbound_from_line(self.user, line), deliver_now)

    async def _turn(self, inbound: Inbound, deliver_now: Callable[[], Awaitable[None]]) -> None:
        try:
            await self.app.pipeline.process(inbound)
        except StorageUnavailable:
            self._say(
                self.tr.t(
                    "The database is not reachable right now. Please send your "
                    "message again in a moment."
                )
            )
            return
        await deliver_now()

    def _say(self, text: str) -> None:
        self.stdout.write(text + "\n")
        self.stdout.flush()

    async def close(self) -> None:
        """The input thread is a daemon: it ends with the process."""
