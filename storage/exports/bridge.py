"""The hand-over between the export's event loop and the thread that writes the workbook.

rustpy-xlsxwriter writes a whole workbook in one synchronous call that pulls each sheet's
rows from a generator, while our rows come from the database asynchronously. The call runs
in a thread of its own; its generators take rows from one bounded queue that the event loop
fills a chunk at a time. The queue's bound keeps memory constant whatever the export's size,
and the event loop never blocks on a full queue or on the writer: it looks again after a
short sleep (no thread from the shared default pool, which DNS look-ups and other work need,
is held for it), so the bot keeps answering messages meanwhile, however many exports run.

Either side may fail. A writer that fails is noticed at the next chunk handed over and its
exception raised there; a producer that fails calls :meth:`RowBridge.abort`, which makes
the writer's generator raise, so the write call ends without saving anything. Neither side
can wait forever for the other: every wait wakes up regularly to look.
"""

from __future__ import annotations

import asyncio
import queue
import threading
from collections.abc import Callable, Iterator
from typing import Any

Row = dict[str, Any]
Chunk = list[Row]

END = object()  # marks the end of one sheet's rows in the queue
_ABORT = object()  # tells the writer to stop: the producer gave up
POLL_SECONDS = 0.2  # how often the waiting writer looks whether the producer stopped
LOOK_AGAIN_SECONDS = 0.005  # how soon the event loop looks again at a full queue
MAX_CHUNKS = 4  # chunks (one database batch each) queued at most


class WriterStopped(RuntimeError):
    """The writer thread ended before it took every chunk: a bug, or a failed write."""


class ExportAborted(Exception):
    """Raised inside the writer thread when the producer gave up, to end the write."""


class RowBridge:
    """One producer (the event loop) and one consumer (the writer thread), one queue."""

    def __init__(self, *, max_chunks: int = MAX_CHUNKS) -> None:
        self._queue: queue.Queue[object] = queue.Queue(max_chunks)
        self._aborted = threading.Event()
        self._thread: threading.Thread | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._ended = asyncio.Event()  # set (on the loop) when the writer thread ends
        self.error: BaseException | None = None

    # -- the writer thread ------------------------------------------------------------

    def start(self, write: Callable[[], object]) -> None:
        """Run ``write`` (the blocking call that pulls from :meth:`rows`) in a thread.

        A daemon thread: should the process exit half-way, it does not wait for it.
        """
        try:
            self._loop = asyncio.get_running_loop()
        except RuntimeError:  # started outside a loop: the end is then waited for by join
            self._loop = None
        self._thread = threading.Thread(
            target=self._run, args=(write,), name="xlsx-writer", daemon=True
        )
        self._thread.start()

    def _run(self, write: Callable[[], object]) -> None:
        try:
            write()
        except BaseException as exc:  # kept for the producer to raise; a thread cannot
            self.error = exc
        finally:
            loop = self._loop
            if loop is not None and not loop.is_closed():
                loop.call_soon_threadsafe(self._ended.set)

    def rows(self, blank: Row) -> Iterator[Row]:
        """One sheet's rows, chunk after chunk until its :data:`END`.

        rustpy takes a sheet's header from the keys of its first row and writes no header
        at all for a sheet without rows, so an empty sheet gets one ``blank`` row (all
        cells empty) to keep its header.
        """
        empty = True
        while True:
            item = self._take()
            if item is END:
                if empty:
                    yield blank
                return
            empty = False
            yield from item  # type: ignore[misc]

    def _take(self) -> object:
        while True:
            try:
                item = self._queue.get(timeout=POLL_SECONDS)
            except queue.Empty:
                if self._aborted.is_set():
                    raise ExportAborted("the export was stopped") from None
                continue
            if item is _ABORT:
                raise ExportAborted("the export was stopped")
            return item

    # -- the event loop ---------------------------------------------------------------

    async def put(self, item: Chunk | object) -> None:
        """Hand over a chunk (or :data:`END`); while the queue is full, looks again after a
        short sleep. Raises the writer's own exception if it failed."""
        while True:
            self._check_writer()
            if self._aborted.is_set():
                raise ExportAborted("the export was stopped")
            try:
                self._queue.put_nowait(item)
                return
            except queue.Full:
                await asyncio.sleep(LOOK_AGAIN_SECONDS)

    def _check_writer(self) -> None:
        if self.error is not None:
            raise self.error
        if self._thread is not None and not self._thread.is_alive():
            raise WriterStopped("the xlsx writer ended before it took every row")

    async def finish(self) -> None:
        """Wait for the writer to save the file; raises what it raised."""
        await self._writer_ended()
        if self.error is not None:
            raise self.error
        if not self._queue.empty():
            raise WriterStopped("the xlsx writer ended before it took every row")

    async def _writer_ended(self) -> None:
        if self._thread is None:
            return
        if self._loop is asyncio.get_running_loop():
            await self._ended.wait()
            # Set in the thread's last lines: what is left of it takes no time to finish.
            self._thread.join(timeout=1.0)
        else:
            await asyncio.to_thread(self._thread.join)

    async def abort(self) -> None:
        """Stop the writer without a complete file, and wait until it has stopped."""
        self._aborted.set()
        while True:  # make room, then leave the writer the word to stop
            try:
                while True:
                    self._queue.get_nowait()
            except queue.Empty:
                pass
            try:
                self._queue.put_nowait(_ABORT)
                break
            except queue.Full:  # a waiting put of the producer's got in first
                continue
        await self._writer_ended()
