"""One reminder run: read the calendar and the database, plan the day, write the outbox.

Safe to run at any time, any number of times, from any number of processes: a run only
writes between the reminder time (08:00) and the start of quiet hours (21:00), and every row
carries a dedupe key, so a second run, a restart half-way or a second worker adds nothing
already written. Rows are written in small batches, each its own transaction, so the chat
is never held up behind one long write (SQLite has a single writer); a run that stops
half-way leaves the rest to the next run.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from scheduler.agenda import plan
from scheduler.calendar import install_calendar, load_calendar
from scheduler.planner import Planned, Titles, load_snapshot
from scheduler.routing import UNREACHABLE, ReminderRouter
from storage.calendar import ReminderOutbox
from storage.models import OutboxMessage, OutboxStatus, utcnow
from storage.offers import OfferChanges, Offers
from storage.outbox import Outbox

log = logging.getLogger(__name__)


def parse_clock_time(text: str) -> time:
    """ "08:00" → 08:00; raises ValueError for anything else."""
    hours, sep, minutes = text.strip().partition(":")
    if not sep or not hours.isdigit() or not minutes.isdigit() or len(minutes) != 2:
        raise ValueError(f"'{text}' is not a time like 08:00")
    return time(int(hours), int(minutes))


@dataclass(frozen=True)
class SendWindow:
    """When reminders may be written: from the reminder time, outside quiet hours."""

    reminder_time: time = time(8, 0)
    quiet_start: time = time(21, 0)
    quiet_end: time = time(7, 0)

    @classmethod
    def parse(cls, reminder_time: str, quiet_hours: str) -> SendWindow:
        start, sep, end = quiet_hours.partition("-")
        if not sep:
            raise ValueError(f"'{quiet_hours}' is not a range like 21:00-07:00")
        window = cls(
            parse_clock_time(reminder_time), parse_clock_time(start), parse_clock_time(end)
        )
        if window.quiet(window.reminder_time):
            raise ValueError(f"the reminder time {reminder_time} falls in the quiet hours")
        return window

    def quiet(self, moment: time) -> bool:
        if self.quiet_start == self.quiet_end:
            return False
        if self.quiet_start > self.quiet_end:  # over midnight, the usual case
            return moment >= self.quiet_start or moment < self.quiet_end
        return self.quiet_start <= moment < self.quiet_end

    def allows(self, moment: time) -> bool:
        return moment >= self.reminder_time and not self.quiet(moment)

    def run_hours(self) -> list[int]:
        """The hours at which the day's run is (re)tried: the reminder time, then hourly
        while quiet hours have not begun."""
        minute = self.reminder_time.minute
        return [h for h in range(self.reminder_time.hour, 24) if self.allows(time(h, minute))]


@dataclass(frozen=True)
class RunResult:
    day: date
    planned: int = 0
    written: int = 0
    skipped: bool = False  # outside the send window: nothing planned or written


class ReminderJob:
    def __init__(
        self,
        session_factory: async_sessionmaker[AsyncSession],
        *,
        zone: ZoneInfo,
        titles: Titles,
        window: SendWindow | None = None,
        clock: Callable[[], datetime] = utcnow,
        batch_size: int = 200,
        on_written: Callable[[], None] | None = None,
        after_batch: Callable[[int], Awaitable[None]] | None = None,
    ) -> None:
        self.session_factory = session_factory
        self.zone = zone
        self.titles = titles
        self.window = window or SendWindow()
        self.clock = clock
        self.batch_size = batch_size
        self.on_written = on_written
        self.after_batch = after_batch  # tests inject a crash between batches here
        # Reroutes reminders of Zalo OA users outside the window (scheduler/routing.py).
        self.router: ReminderRouter | None = None

    def local_now(self, now: datetime | None = None) -> datetime:
        return (now or self.clock()).astimezone(self.zone)

    async def run(self, now: datetime | None = None) -> RunResult:
        """Plan today and write what is not written yet; nothing in quiet hours."""
        local = self.local_now(now)
        if not self.window.allows(local.time()):
            log.info("reminder run at %s skipped: outside the send window", local)
            return RunResult(local.date(), skipped=True)
        planned = await self.plan(local.date())
        written = await self.write(planned)
        log.info("reminder run %s: %s planned, %s written", local.date(), len(planned), written)
        return RunResult(local.date(), planned=len(planned), written=written)

    async def plan(self, today: date) -> list[Planned]:
        async with self.session_factory() as session:
            calendar = await load_calendar(session, zone=self.zone)
            snapshot = await load_snapshot(session, calendar, today)
        install_calendar(calendar)  # keeps this process's calendar (lock checks) current
        return plan(calendar, snapshot, today, self.titles)

    async def already_written(self, planned: Sequence[Planned]) -> set[str]:
        async with self.session_factory() as session:
            return await ReminderOutbox(session).existing_keys(p.dedupe_key for p in planned)

    async def write(self, planned: Sequence[Planned]) -> int:
        existing = await self.already_written(planned)
        todo = [p for p in planned if p.dedupe_key not in existing]
        if self.router is not None and todo:
            todo, unreachable = await self.router.route(todo)
            await self._write_unreachable(unreachable)
        written = 0
        for start in range(0, len(todo), self.batch_size):
            async with self.session_factory() as session, session.begin():
                outbox = Outbox(session)
                # A reminder's button ("Send the report") is its recipient's latest notice:
                # on a messenger without buttons, typing its number opens the form.
                offers = OfferChanges()
                for item in todo[start : start + self.batch_size]:
                    assert item.person.channel is not None and item.person.address is not None
                    if await outbox.enqueue(
                        channel=item.person.channel,
                        address=item.person.address,
                        message=item.message,
                        user_id=item.person.user_id,
                        dedupe_key=item.dedupe_key,
                    ):
                        written += 1
                        offers.notified(item.person.user_id, item.message)
                await Offers(session).save_all(offers)
            if self.after_batch is not None:
                await self.after_batch(written)
        if written and self.on_written is not None:
            self.on_written()
        return written

    async def _write_unreachable(self, unreachable: Sequence[Planned]) -> None:
        """Reminders nobody can carry: a failed row each (counted, never planned again)."""
        if not unreachable:
            return
        async with self.session_factory() as session, session.begin():
            outbox = Outbox(session)
            for item in unreachable:
                assert item.person.channel is not None and item.person.address is not None
                if await outbox.enqueue(
                    channel=item.person.channel,
                    address=item.person.address,
                    message=item.message,
                    user_id=item.person.user_id,
                    dedupe_key=item.dedupe_key,
                ):
                    await session.execute(
                        update(OutboxMessage)
                        .where(OutboxMessage.dedupe_key == item.dedupe_key)
                        .values(status=OutboxStatus.FAILED, error=UNREACHABLE)
                    )
        log.warning("%s reminders unreachable (Zalo OA window closed)", len(unreachable))

    async def withdraw(self) -> int:
        """At the start of quiet hours: take back reminders no sender has picked up."""
        async with self.session_factory() as session, session.begin():
            count = await ReminderOutbox(session).withdraw_unsent()
        if count:
            log.info("%s unsent reminders withdrawn for the quiet hours", count)
        return count
