"""The outbox sender: delivers committed rows through their channel, and decides what a
failure means (retry later, the user blocked us, give up).

Rows for one address are sent in order, one at a time; different addresses go concurrently
(the channel adapter applies its platform's rate limits). A row is marked sent right after
the platform confirms it, so after a crash only a row in flight at that instant can repeat.
"""

from __future__ import annotations

import asyncio
import contextlib
import inspect
import logging
from collections import defaultdict
from collections.abc import Awaitable, Callable, Mapping
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.channels.base import Channel, PermanentFailure, RecipientBlocked, RetryLater
from bot.errors import describe_error, redact
from bot.messages import Outbound
from storage.leases import BEAT_EVERY, Leases, this_process
from storage.models import OutboxMessage, utcnow
from storage.outbox import Outbox
from storage.retention import without_document
from storage.users import Users

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 12
MAX_AGE = timedelta(days=2)  # a reply still not delivered after this is given up
MAX_ROWS_PER_ADDRESS = 5
BLOCKED = object()  # the user blocked the bot: nothing more goes to this chat
BACKOFF_CAP = timedelta(minutes=30)


def _takes_parts(channel: Channel) -> bool:
    """Does this channel keep count of a long reply's pieces in the row (``parts=``)?"""
    cached = _TAKES_PARTS.get(type(channel))
    if cached is None:
        cached = "parts" in inspect.signature(channel.send).parameters
        _TAKES_PARTS[type(channel)] = cached
    return cached


_TAKES_PARTS: dict[type, bool] = {}


class RowParts:
    """The pieces of a long reply already confirmed, kept in the outbox row itself: after a
    crash the retry goes on from the next piece, never sending one twice."""

    def __init__(self, session_factory: async_sessionmaker[AsyncSession], row: OutboxMessage):
        self.session_factory = session_factory
        self.row = row

    async def done(self) -> int:
        return self.row.parts_sent or 0

    async def record(self, parts: int) -> None:
        async with self.session_factory() as session, session.begin():
            await Outbox(session).record_parts(self.row.id, parts)
        self.row.parts_sent = parts

    async def clear(self) -> None:
        if self.row.parts_sent:
            await self.record(0)


def backoff(attempts: int) -> timedelta:
    """2, 4, 8 ... seconds, capped: a platform outage is waited out, not hammered."""
    return min(timedelta(seconds=2**attempts), BACKOFF_CAP)


class OutboxSender:
    def __init__(
        self,
        session_factory: async_sessionmaker[AsyncSession],
        channels: Mapping[str, Channel],
        *,
        address: str | None = None,
        batch: int = 100,
        concurrency: int = 32,
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        self.session_factory = session_factory
        self.channels = dict(channels)
        self.address = address  # the console delivers only its own user's rows
        self.batch = batch
        self.concurrency = concurrency
        self.clock = clock
        self.holder = this_process()  # the process's senders share its heartbeat
        self._last_beat: datetime | None = None
        self._wake = asyncio.Event()
        # One round at a time: the console drains after each turn while its loop runs, and
        # a drain that waits for the loop's round prints the replies before the next prompt.
        self._round = asyncio.Lock()
        # Work to do after a round that delivered something (e.g. broadcast summaries).
        self.after_round: list[Callable[[], Awaitable[object]]] = []

    def wake(self) -> None:
        self._wake.set()

    async def run_once(self) -> int:
        """Claim and deliver one batch of due rows; returns how many were attempted."""
        async with self._round:
            return await self._round_once()

    async def _round_once(self) -> int:
        await self.beat()
        async with self.session_factory() as session, session.begin():
            rows = await Outbox(session).claim_due(
                list(self.channels),
                limit=self.batch,
                now=self.clock(),
                address=self.address,
                holder=self.holder,
                per_chat=MAX_ROWS_PER_ADDRESS,
            )
        if not rows:
            return 0
        by_address: dict[tuple[str, str], list[OutboxMessage]] = defaultdict(list)
        for row in rows:
            by_address[(row.channel, row.address)].append(row)
        limit = asyncio.Semaphore(self.concurrency)

        async def deliver_all(group: list[OutboxMessage]) -> None:
            # A chat gets a few rows per round: at ~1 message/s per chat, a long queue for one
            # chat would otherwise outlast the lease (another worker would send it again) and
            # hold live replies behind bulk reminders. The rest goes back, due now, in order.
            now_rows, later = group[:MAX_ROWS_PER_ADDRESS], group[MAX_ROWS_PER_ADDRESS:]
            async with limit:
                for index, row in enumerate(now_rows):
                    outcome = await self._deliver(row)
                    if outcome is BLOCKED:
                        return  # the chat's other rows were marked blocked with it
                    if outcome is not None:
                        await self._postpone(now_rows[index + 1 :] + later, outcome)
                        return
                await self._postpone(later, self.clock())

        await asyncio.gather(*(deliver_all(group) for group in by_address.values()))
        for follow_up in self.after_round:
            try:
                await follow_up()
            except Exception:
                log.exception("after-round work failed")
        return len(rows)

    async def drain(self, *, max_rounds: int = 1000) -> None:
        """Deliver everything that is due now (used by the console and tests)."""
        for _ in range(max_rounds):
            if await self.run_once() == 0:
                return

    async def beat(self, *, force: bool = False) -> None:
        """Say this sender is alive (every couple of seconds at most), and free the leases of
        senders that stopped saying so: a killed worker's rows go out within seconds."""
        now = self.clock()
        if not force and self._last_beat is not None and now - self._last_beat < BEAT_EVERY:
            return
        async with self.session_factory() as session, session.begin():
            leases = Leases(session)
            await leases.beat(self.holder, now)
            freed = await leases.free_dead(now)
        self._last_beat = now
        if freed:
            log.info("freed %d outbox rows leased by senders that are gone", freed)
            self.wake()

    async def _beat_forever(self, stop: asyncio.Event) -> None:
        """Heartbeats go on while a long round delivers, so no one takes this sender for
        dead and sends its rows a second time."""
        while not stop.is_set():
            try:
                await self.beat(force=True)
            except Exception as exc:  # the database may be restarting
                log.warning("outbox heartbeat failed: %s", exc)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), BEAT_EVERY.total_seconds())

    async def leave(self) -> None:
        """A clean stop: this sender's leases are due now for whoever comes next."""
        try:
            async with self.session_factory() as session, session.begin():
                await Leases(session).leave(self.holder, self.clock(), list(self.channels))
        except Exception as exc:
            log.warning("could not hand back the outbox leases on stop: %s", exc)

    async def run_forever(self, stop: asyncio.Event, *, idle: float = 1.0) -> None:
        heart = asyncio.create_task(self._beat_forever(stop), name="outbox-heartbeat")
        try:
            await self._run_rounds(stop, idle=idle)
        finally:
            heart.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await heart
            await self.leave()

    async def _run_rounds(self, stop: asyncio.Event, *, idle: float) -> None:
        while not stop.is_set():
            try:
                sent = await self.run_once()
            except Exception:  # the database may be restarting: keep the loop alive
                log.exception("outbox sender round failed")
                sent = 0
            if sent:
                continue
            self._wake.clear()
            waiter = asyncio.ensure_future(self._wake.wait())
            stopper = asyncio.ensure_future(stop.wait())
            await asyncio.wait({waiter, stopper}, timeout=idle, return_when="FIRST_COMPLETED")
            waiter.cancel()
            stopper.cancel()

    async def _deliver(self, row: OutboxMessage) -> datetime | object | None:
        """Send one row and record the outcome: None when the chat may go on, the time its
        later rows may go when they must wait, or BLOCKED."""
        channel = self.channels[row.channel]
        message = Outbound.model_validate(row.payload)
        try:
            if _takes_parts(channel):
                await channel.send(row.address, message, parts=RowParts(self.session_factory, row))  # type: ignore[call-arg]
            else:
                await channel.send(row.address, message)
        except RetryLater as exc:
            if exc.retry_after:
                # The platform's own flood control: waiting is what it asks, not a failure,
                # so it does not use up the row's attempts (only its age can end it).
                return await self._record_retry(
                    row, timedelta(seconds=exc.retry_after), str(exc), counts=False
                )
            return await self._record_retry(row, backoff(row.attempts), str(exc))
        except RecipientBlocked as exc:
            async with self.session_factory() as session, session.begin():
                await Outbox(session).mark_blocked(row.channel, row.address, redact(str(exc)))
                await Users(session).mark_unreachable(row.channel, row.address)
            log.info("%s user %s blocked the bot", row.channel, row.address)
            return BLOCKED
        except PermanentFailure as exc:
            log.warning("outbox %s refused by %s: %s", row.id, row.channel, redact(str(exc)))
            async with self.session_factory() as session, session.begin():
                await Outbox(session).mark_failed(row.id, redact(str(exc)))
            return None
        except Exception as exc:  # network trouble, time-outs: retry with backoff
            log.warning("outbox %s to %s failed: %s", row.id, row.channel, describe_error(exc))
            return await self._record_retry(row, backoff(row.attempts), describe_error(exc))
        async with self.session_factory() as session, session.begin():
            await Outbox(session).mark_sent(row.id, payload=without_document(row.payload))
        return None

    async def _record_retry(
        self, row: OutboxMessage, delay: timedelta, error: str, *, counts: bool = True
    ) -> datetime | None:
        when = self.clock() + delay
        error = redact(error)
        too_old = row.created_at is not None and self.clock() - row.created_at > MAX_AGE
        async with self.session_factory() as session, session.begin():
            outbox = Outbox(session)
            if (counts and row.attempts >= MAX_ATTEMPTS) or too_old:
                log.warning("outbox %s gave up after %s attempts: %s", row.id, row.attempts, error)
                await outbox.mark_failed(row.id, error)
                return None
            await outbox.retry_at(row.id, when, error)
            if not counts:
                await outbox.release(row.id, attempts=row.attempts - 1, when=when)
        return when

    async def _postpone(self, rest: list[OutboxMessage], when: datetime) -> None:
        """Keep a chat's order: later rows wait for the one that failed, not for the lease."""
        if not rest:
            return
        async with self.session_factory() as session, session.begin():
            outbox = Outbox(session)
            for row in rest:
                await outbox.release(row.id, attempts=row.attempts - 1, when=when)
