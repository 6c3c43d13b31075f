"""The console chat's delivery side: replies written to the terminal.

Buttons are shown as numbered options with a short "Trả lời 1 hoặc 2" (type the number or
the text, :func:`bot.render.numbered_text`, as on Zalo); there is no "share my phone"
button, so the conversations ask to type the number (``Context.display``); a document is
written to the working folder.
"""

from __future__ import annotations

import asyncio
import sys
import threading
import uuid
from pathlib import Path
from typing import TextIO

from bot.channels.base import Capabilities
from bot.messages import Inbound, InboundKind, Outbound
from bot.render import numbered_text

CHANNEL = "console"


class ConsoleChannel:
    name = CHANNEL
    capabilities = Capabilities(
        buttons=False, request_contact=False, documents=True, max_text=100_000
    )

    def __init__(
        self,
        output: TextIO | None = None,
        files_dir: Path | None = None,
        *,
        language: str | None = None,
    ) -> None:
        self._output = output
        self.files_dir = files_dir or Path.cwd()
        self.language = language  # for a message that does not say its own

    @property
    def output(self) -> TextIO:
        """``sys.stdout`` as it is now, unless a stream was given: while the live chat runs
        it is prompt_toolkit's proxy, which prints above the input line."""
        return self._output or sys.stdout

    async def send(self, address: str, message: Outbound) -> None:
        text = numbered_text(message, self.language)
        if message.document is not None:
            path = self.files_dir / message.document.filename
            path.write_bytes(message.document.content)
            text += f"\n  [{path}]"
        output = self.output
        output.write(
            "\n"
            + "\n".join(
                "bot> " + line if i == 0 else "     " + line
                for i, line in enumerate(text.split("\n"))
            )
            + "\n"
        )
        output.flush()


def inbound_from_line(user: str, line: str) -> Inbound:
    return Inbound(
        channel=CHANNEL, user_id=user, message_id=uuid.uuid4().hex, kind=InboundKind.TEXT, text=line
    )


def session_opened(user: str) -> Inbound:
    return Inbound(
        channel=CHANNEL, user_id=user, message_id=uuid.uuid4().hex, kind=InboundKind.SESSION
    )


def read_lines(stream: TextIO) -> asyncio.Queue[str | None]:
    """Lines typed by the user (None at end of input), read in a thread so the event loop
    (outbox, scheduler) keeps running while the user thinks. For input that is not a
    terminal (a pipe, a file); a terminal gets the live input line (``live.py``)."""
    queue: asyncio.Queue[str | None] = asyncio.Queue()
    loop = asyncio.get_running_loop()

    def reader() -> None:
        while True:
            line = stream.readline()
            if not line:
                loop.call_soon_threadsafe(queue.put_nowait, None)
                return
            loop.call_soon_threadsafe(queue.put_nowait, line.rstrip("\r\n"))

    threading.Thread(target=reader, name="console-input", daemon=True).start()
    return queue
