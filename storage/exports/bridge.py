"""The hand-over between the export's event loop and the thread that writes the workbook.

rustpy-xlsxwriter writes a whole workbook in one synchronous call that pulls each sheet's
rows from a generator, while our rows come from the database asynchronously. The call runs
in a thread of its own; its generators take rows from one bounded queue that the event loop
fills a chunk at a time. The queue's bound keeps memory constant whatever the export's size,
and the event loop never waits on a full queue itself (it hands the wait to a worker
thread), so the bot keeps answering messages meanwhile.

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
POLL_SECONDS = 0.2  # how often a waiting side looks whether the other one stopped
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
        self.error: BaseException | None = None

    # -- the writer thread ------------------------------------------------------------

    def start(self, write: Callable[[], object]) -> None:
        """Run ``write`` (the blocking call that pulls from :meth:`rows`) in a thread.

        A daemon thread: should the process exit half-way, it does not wait for it.
        """
        self._thread = threading.Thread(
            target=self._run, args=(write,), name="xlsx-writer", daemon=True
        )
        self._thread.start()

    def _run(self, write: Callable[[], object]) -> None:
        try:
            write()
        except BaseException as exc:  # kept for the producer to raise; a thread cannot
            self.error = exc

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
        """Hand over a chunk (or :data:`END`); waits, off the event loop, while the queue
        is full. Raises the writer's own exception if it failed."""
        self._check_writer()
        try:
            self._queue.put_nowait(item)
        except queue.Full:
            await asyncio.to_thread(self._put_waiting, item)

    def _put_waiting(self, item: object) -> None:
        while True:
            self._check_writer()
            if self._aborted.is_set():
                raise ExportAborted("the export was stopped")
            try:
                self._queue.put(item, timeout=POLL_SECONDS)
                return
            except queue.Full:
                continue

    def _check_writer(self) -> None:
        if self.error is not None:
            raise self.error
        if self._thread is not None and not self._thread.is_alive():
            raise WriterStopped("the xlsx writer ended before it took every row")

    async def finish(self) -> None:
        """Wait for the writer to save the file; raises what it raised."""
        if self._thread is not None:
            await asyncio.to_thread(self._thread.join)
        if self.error is not None:
            raise self.error

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
        if self._thread is not None:
            await asyncio.to_thread(self._thread.join)
