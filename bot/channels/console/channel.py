"""The console chat's delivery side: replies written to the terminal.

Buttons are shown as numbered options (type the number or the text); a "share my phone"
request becomes a hint to type the number; a document is written to the working folder.
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

    def __init__(self, output: TextIO | None = None, files_dir: Path | None = None) -> None:
        self.output = output or sys.stdout
        self.files_dir = files_dir or Path.cwd()

    async def send(self, address: str, message: Outbound) -> None:
        text = numbered_text(message)
        if message.request_contact:
            text += "\n  (" + message.request_contact + ": gõ số / type the number)"
        if message.document is not None:
            path = self.files_dir / message.document.filename
            path.write_bytes(message.document.content)
            text += f"\n  [{path}]"
        self.output.write(
            "\n"
            + "\n".join(
                "bot> " + line if i == 0 else "     " + line
                for i, line in enumerate(text.split("\n"))
            )
            + "\n"
        )
        self.output.flush()


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
    (outbox, scheduler) keeps running while the user thinks."""
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
