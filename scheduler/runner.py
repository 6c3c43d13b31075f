"""The scheduler in a running bot: leader election, the cron triggers and catch-up.

Every process runs :func:`run_scheduler`. Each ``retry`` seconds a process that does not
lead tries to (see :mod:`scheduler.leader`), the leader checks it still holds its lock, and
both refresh their copy of the calendar (for the lock check of forms). On becoming the
leader a process copies the calendar file into the database, runs the day's reminders at once (the catch-up:
whatever is still due and not yet written after downtime or a change of leader) and starts
APScheduler with cron triggers in the configured zone:

- the reminder run at the reminder time (08:00), re-run hourly until quiet hours, so a run
  that failed, or an officer approved at 14:00, is still served that day (the dedupe keys
  make the re-runs cheap no-ops otherwise);
- at the start of quiet hours, unsent reminders are withdrawn (see
  :meth:`scheduler.job.ReminderJob.withdraw`);
- every night, the retention purge (storage/retention.py): delivered messages older than
  the retention period, placeholders of erased people.

A leader that loses its lock (its database connection dropped) stops its triggers and goes
back to trying. No reminder lives only in memory: everything a trigger decides is an outbox
row with a unique key.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Callable
from datetime import datetime
from zoneinfo import ZoneInfo

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.cron import CronTrigger
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from forms.registry import FORMS
from scheduler.calendar import install_calendar, load_calendar, sync_calendar_file
from scheduler.config import active_path, calendar_file, check_against_forms, use_calendar_file
from scheduler.job import ReminderJob, RunResult, SendWindow
from scheduler.leader import LeaderLock, leader_lock_for
from scheduler.titles import form_title
from storage.models import utcnow
from storage.retention import DEFAULT_DAYS, purge_now

log = logging.getLogger(__name__)

STOP_GRACE = 10.0  # seconds a reminder run in progress may take to finish on stop
PURGE_AT = (2, 30)  # local time of the nightly retention purge: a quiet hour


class SchedulerRunner:
    def __init__(
        self,
        session_factory: async_sessionmaker[AsyncSession],
        lock: LeaderLock,
        job: ReminderJob,
        *,
        zone: ZoneInfo,
        retry: float = 30.0,
        clock: Callable[[], datetime] = utcnow,
        retention_days: int = DEFAULT_DAYS,
    ) -> None:
        self.session_factory = session_factory
        self.retention_days = retention_days
        self.lock = lock
        self.job = job
        self.zone = zone
        self.retry = retry
        self.clock = clock
        self.leading = asyncio.Event()  # set while this process leads
        self.caught_up = asyncio.Event()  # set once the catch-up run after election finished
        self.last_result: RunResult | None = None
        self._scheduler: AsyncIOScheduler | None = None
        self._run_lock = asyncio.Lock()

    @classmethod
    def create(
        cls,
        session_factory: async_sessionmaker[AsyncSession],
        engine: AsyncEngine,
        *,
        zone: ZoneInfo,
        calendar_path: str | None,
        reminder_time: str,
        quiet_hours: str,
        retry: float,
        on_written: Callable[[], None],
        clock: Callable[[], datetime] = utcnow,
        retention_days: int = DEFAULT_DAYS,
    ) -> SchedulerRunner:
        """Wire a runner (the composition root passes the settings). Checks the calendar
        file against the forms now, so a broken file stops start-up
        (:class:`~scheduler.config.CalendarError`)."""
        file = use_calendar_file(calendar_path)
        if FORMS:
            check_against_forms(file, dict(FORMS), active_path())
        job = ReminderJob(
            session_factory,
            zone=zone,
            titles=form_title,
            window=SendWindow.parse(reminder_time, quiet_hours),
            clock=clock,
            on_written=on_written,
        )
        return cls(
            session_factory,
            leader_lock_for(engine),
            job,
            zone=zone,
            retry=retry,
            clock=clock,
            retention_days=retention_days,
        )

    @property
    def is_leader(self) -> bool:
        return self._scheduler is not None

    async def run(self, stop: asyncio.Event) -> None:
        """Lead or wait to lead until ``stop`` is set; never raises for a database outage."""
        try:
            while not stop.is_set():
                try:
                    await self.tick()
                except Exception:  # the database may be restarting: try again later
                    log.exception("scheduler round failed")
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(stop.wait(), timeout=self.retry)
        finally:
            await self.step_down()

    async def tick(self) -> None:
        """One round: try to lead, or check that we still do; either way refresh this
        process's calendar (admins may have changed it through another worker)."""
        if self._scheduler is None:
            if await self.lock.try_acquire():
                await self._lead()
            else:
                await self.refresh_calendar()
        elif not await self.lock.held():
            log.warning("scheduler lost its leadership; stopping its triggers")
            await self.step_down()
        else:
            await self.refresh_calendar()

    async def _lead(self) -> None:
        log.info("this process now runs the reminder scheduler")
        async with self.session_factory() as session, session.begin():
            await sync_calendar_file(session, calendar_file())
        await self.refresh_calendar()
        scheduler = AsyncIOScheduler(timezone=self.zone)
        window = self.job.window
        scheduler.add_job(
            self.run_reminders,
            CronTrigger(
                hour=",".join(str(h) for h in window.run_hours()),
                minute=window.reminder_time.minute,
                timezone=self.zone,
            ),
            id="reminders",
            coalesce=True,
            max_instances=1,
            misfire_grace_time=1800,
        )
        scheduler.add_job(
            self.withdraw,
            CronTrigger(
                hour=window.quiet_start.hour, minute=window.quiet_start.minute, timezone=self.zone
            ),
            id="quiet-hours",
            coalesce=True,
            max_instances=1,
            misfire_grace_time=1800,
        )
        scheduler.add_job(
            self.purge,
            CronTrigger(hour=PURGE_AT[0], minute=PURGE_AT[1], timezone=self.zone),
            id="retention",
            coalesce=True,
            max_instances=1,
            misfire_grace_time=6 * 3600,
        )
        scheduler.start()
        self._scheduler = scheduler
        self.leading.set()
        await self.run_reminders()  # catch up on what downtime (or a dead leader) missed
        self.caught_up.set()

    async def step_down(self) -> None:
        scheduler, self._scheduler = self._scheduler, None
        if scheduler is not None and scheduler.running:
            scheduler.shutdown(wait=False)
        self.leading.clear()
        self.caught_up.clear()
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(STOP_GRACE), self._run_lock:
                pass  # let a run in progress finish its batch
        try:
            await self.lock.release()
        except Exception:  # pragma: no cover - the connection is already gone
            log.debug("releasing the scheduler lock failed", exc_info=True)

    async def run_reminders(self) -> RunResult | None:
        """The trigger: one reminder run (never two at once in this process)."""
        async with self._run_lock:
            try:
                self.last_result = await self.job.run(self.clock())
            except Exception:
                log.exception("reminder run failed; the next run catches up")
                return None
            return self.last_result

    async def withdraw(self) -> None:
        async with self._run_lock:
            try:
                await self.job.withdraw()
            except Exception:
                log.exception("withdrawing unsent reminders failed")

    async def purge(self) -> None:
        """The nightly retention purge; a failure waits for the next night (or a restart)."""
        try:
            await purge_now(self.session_factory, days=self.retention_days, now=self.clock())
        except Exception:
            log.exception("the retention purge failed; it runs again tomorrow")

    async def refresh_calendar(self) -> None:
        """Keep this process's calendar (the lock check) in step with admins' changes."""
        async with self.session_factory() as session:
            install_calendar(await load_calendar(session, zone=self.zone))


@contextlib.asynccontextmanager
async def scheduler_running(
    runner: SchedulerRunner | None,
) -> AsyncIterator[SchedulerRunner | None]:
    """``async with scheduler_running(runner):`` runs the scheduler beside the bot, and stops
    it (letting a run in progress finish its batch) when the block ends. ``None`` (this
    process does not schedule) runs nothing."""
    if runner is None:
        yield None
        return
    stop = asyncio.Event()
    task = asyncio.create_task(runner.run(stop), name="reminder-scheduler")
    try:
        yield runner
    finally:
        stop.set()
        done, _ = await asyncio.wait({task}, timeout=STOP_GRACE + 5)
        if not done:
            task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
