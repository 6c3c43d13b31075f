"""Several scheduler processes: one leads (PostgreSQL advisory lock), each reminder is written
once, and when the leader goes another takes over and catches up without doubling.

Each "process" has its own engine (its own connections), as separate workers would. Waits
are on events the runner sets, bounded so a bug fails the test instead of hanging it."""

from __future__ import annotations

import asyncio
from datetime import date
from pathlib import Path

import pytest

from bot.app import App
from scheduler.config import CalendarError
from scheduler.leader import AdvisoryLock, SingleProcessLock, leader_lock_for
from scheduler.runner import SchedulerRunner, scheduler_running
from storage.db import create_engine, create_session_factory
from storage.models import Role
from tests.conftest import make_settings
from tests.scheduler.conftest import ZONE, World, at

BOUND = 30.0  # seconds: only a bound against hanging, never an expectation


class Worker:
    def __init__(self, world: World, url: str) -> None:
        self.engine = create_engine(url)
        factory = create_session_factory(self.engine)
        job = world.job()
        job.session_factory = factory
        self.runner = SchedulerRunner(
            factory, leader_lock_for(self.engine), job, zone=ZONE, retry=0.05, clock=world.clock
        )
        self.stop = asyncio.Event()
        self.task = asyncio.create_task(self.runner.run(self.stop))

    async def halt(self) -> None:
        self.stop.set()
        await asyncio.wait_for(self.task, BOUND)
        await self.engine.dispose()


async def _first(*events: asyncio.Event) -> None:
    waiters = [asyncio.ensure_future(e.wait()) for e in events]
    done, pending = await asyncio.wait(waiters, timeout=BOUND, return_when="FIRST_COMPLETED")
    for waiter in pending:
        waiter.cancel()
    assert done, "no scheduler became the leader"


async def _rounds(runner: SchedulerRunner, count: int) -> None:
    """Let a runner go through ``count`` more rounds (each waits ``retry``)."""
    for _ in range(count * 10):
        await asyncio.sleep(runner.retry / 5)


async def test_two_workers_one_leader_each_reminder_once(world: World, database_url: str) -> None:
    for n, commune in enumerate(["Cao Lộc", "Đồng Đăng", "Hữu Lũng"]):
        await world.person(f"o{n}", Role.OFFICER, commune)
    world.clock.now = at(date(2024, 6, 12), 9)
    expected = {p.dedupe_key for p in await world.job().plan(date(2024, 6, 12))}
    assert len(expected) == 3
    postgres = world.app.engine.dialect.name == "postgresql"

    first, second = Worker(world, database_url), Worker(world, database_url)
    try:
        await _first(first.runner.caught_up, second.runner.caught_up)
        if not postgres:
            # SQLite serves one process, which always leads; even two write each row once.
            assert isinstance(first.runner.lock, SingleProcessLock)
            await asyncio.wait_for(first.runner.caught_up.wait(), BOUND)
            await asyncio.wait_for(second.runner.caught_up.wait(), BOUND)
            written = [w.runner.last_result.written for w in (first, second)]  # type: ignore[union-attr]
            assert sum(written) == 3
            assert await world.keys() == expected
            return
        leader, other = (first, second) if first.runner.is_leader else (second, first)
        assert isinstance(leader.runner.lock, AdvisoryLock)
        await _rounds(other.runner, 3)
        assert not other.runner.is_leader  # the lock keeps the second one waiting
        assert not other.runner.caught_up.is_set()
        assert await world.keys() == expected

        # The leader stops (or dies): the other takes over and its catch-up adds nothing.
        await leader.halt()
        await asyncio.wait_for(other.runner.caught_up.wait(), BOUND)
        assert other.runner.is_leader
        assert other.runner.last_result is not None and other.runner.last_result.written == 0
        rows = await world.outbox()
        assert len(rows) == 3 == len({r.dedupe_key for r in rows})
    finally:
        for worker in (first, second):
            if not worker.task.done():
                await worker.halt()


async def test_the_leader_that_loses_its_connection_steps_down(
    world: World, database_url: str
) -> None:
    worker = Worker(world, database_url)
    try:
        await asyncio.wait_for(worker.runner.caught_up.wait(), BOUND)
        lock = worker.runner.lock
        if isinstance(lock, AdvisoryLock):
            assert lock._connection is not None
            await lock._connection.invalidate()  # the database session is gone
            for _ in range(200):
                if not worker.runner.is_leader:
                    break
                await asyncio.sleep(0.01)
            # It stepped down, then (the lock being free again) won it back.
            await asyncio.wait_for(worker.runner.caught_up.wait(), BOUND)
        assert worker.runner.is_leader
    finally:
        await worker.halt()


async def test_the_app_runs_the_scheduler_beside_the_bot(world: World) -> None:
    async with scheduler_running(world.app.reminder_scheduler()) as runner:
        assert runner is not None
        await asyncio.wait_for(runner.caught_up.wait(), BOUND)
        assert runner.is_leader
    assert not runner.is_leader  # stopped with the block


async def test_a_broken_calendar_file_stops_start_up(database_url: str, tmp_path: Path) -> None:
    path = tmp_path / "calendar.yaml"
    path.write_text(
        "reports:\n  commune_report: {period: month, deadline: {day: 20}, audience: commune_officers}\n",
        encoding="utf-8",
    )
    app = App(make_settings(database_url, calendar_file=str(path)))
    await app.prepare()
    try:
        with pytest.raises(CalendarError, match="the form's period is quarter"):
            async with scheduler_running(app.reminder_scheduler()):
                pass
    finally:
        await app.close()
