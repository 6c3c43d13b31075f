"""Where the console chat's lines come from: a live input line on a terminal, or a pipe.

On a terminal the chat is live: prompt_toolkit keeps the input line at the bottom, and what
is printed meanwhile (a reply, an approval or a "needs fixing" from another user, an export,
a reminder: the outbox sender delivers them as they arrive) appears above it, without
garbling what the user is typing (``patch_stdout``). When the input or the output is not a
terminal (tests, ``ocop-bot < answers.txt``) lines are read from the stream as they come.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import sys
from collections.abc import Iterator
from typing import Protocol, TextIO, TypeVar

from prompt_toolkit import PromptSession
from prompt_toolkit.patch_stdout import patch_stdout

from bot.channels.console.channel import read_lines

PROMPT = "> "
T = TypeVar("T")


class _Interrupted:
    """Ctrl-C at the input line."""


class Lines(Protocol):
    async def next(self, stop: asyncio.Event) -> str | None:
        """The next line typed; None at the end of input or once ``stop`` is set."""
        ...


def on_terminal(stdin: TextIO | None, stdout: TextIO | None) -> bool:
    """Whether the chat runs in a terminal: the process's own streams, both terminals."""
    if stdin is not None or stdout is not None:
        return False
    try:
        return sys.stdin.isatty() and sys.stdout.isatty()
    except (AttributeError, ValueError):  # closed or replaced streams
        return False


@contextlib.contextmanager
def live_output(live: bool) -> Iterator[None]:
    """While the chat runs live, ``sys.stdout`` (and stderr: log lines) print above the
    input line; the console channel writes to ``sys.stdout`` as it is at that moment."""
    if not live:
        yield
        return
    with patch_stdout(raw=True):
        yield


async def _first(work: asyncio.Future[T], stop: asyncio.Event) -> T | None:
    """``work``'s result, or None (and ``work`` cancelled) if ``stop`` comes first."""
    stopping = asyncio.ensure_future(stop.wait())
    try:
        await asyncio.wait({work, stopping}, return_when=asyncio.FIRST_COMPLETED)
    finally:
        stopping.cancel()
    if not work.done():
        work.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await work
        return None
    return work.result()


class PromptLines:
    """The live input line (prompt_toolkit). Ctrl-D ends the chat as the end of a pipe does;
    Ctrl-C stops the bot as it does elsewhere (the terminal is in raw mode while the line
    is edited, so the key arrives as a key, and is turned back into the signal)."""

    def __init__(self) -> None:
        # One input line needs no cursor position reports (they size menus below it); a
        # terminal that does not answer them would only get a warning printed.
        os.environ.setdefault("PROMPT_TOOLKIT_NO_CPR", "1")
        self.session: PromptSession[str] = PromptSession()

    async def next(self, stop: asyncio.Event) -> str | None:
        line = await _first(asyncio.ensure_future(self._prompt()), stop)
        if isinstance(line, _Interrupted):
            signal.raise_signal(signal.SIGINT)  # the runtime stops, and says the answers are kept
            return None
        return line

    async def _prompt(self) -> str | _Interrupted | None:
        """One line. Ctrl-C is caught here, inside the task: a KeyboardInterrupt leaving an
        asyncio task would tear the event loop down instead of stopping the bot cleanly."""
        try:
            # The runtime keeps SIGINT and SIGTERM (a clean stop); prompt_toolkit would take
            # SIGINT over while the line is edited and leave it unhandled afterwards.
            return await self.session.prompt_async(PROMPT, handle_sigint=False)
        except EOFError:
            return None
        except KeyboardInterrupt:
            return _Interrupted()


class StreamLines:
    """Lines of a stream that is not a terminal, read in a thread; a prompt before each."""

    def __init__(self, stdin: TextIO, stdout: TextIO) -> None:
        self.lines = read_lines(stdin)
        self.stdout = stdout

    async def next(self, stop: asyncio.Event) -> str | None:
        self.stdout.write("\n" + PROMPT)
        self.stdout.flush()
        line = await _first(asyncio.ensure_future(self.lines.get()), stop)
        if line is None and not stop.is_set():
            self.stdout.write("\n")
        return line
