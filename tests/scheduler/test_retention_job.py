"""The nightly retention purge is one of the leader's cron jobs, and runs with the
configured retention period (OCOP_OUTBOX_RETENTION_DAYS) on the scheduler's clock."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import select, update

from bot.messages import Outbound
from scheduler.leader import leader_lock_for
from scheduler.runner import PURGE_AT, SchedulerRunner
from storage.models import OutboxMessage, OutboxStatus
from storage.outbox import Outbox
from tests.scheduler.conftest import ZONE, World, at


async def sent_row(world: World, days_ago: int) -> int:
    async with world.session_factory() as session, session.begin():
        await Outbox(session).enqueue(
            channel="console", address="an", message=Outbound(text="Cảm ơn"), user_id=None
        )
        row_id = await session.scalar(select(OutboxMessage.id).order_by(OutboxMessage.id.desc()))
        when = world.clock.now - timedelta(days=days_ago)
        await session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.id == row_id)
            .values(status=OutboxStatus.SENT, created_at=when, sent_at=when)
        )
        assert row_id is not None
        return row_id


async def test_the_leader_purges_nightly_with_the_configured_period(world: World) -> None:
    world.clock.now = at(date(2024, 6, 10), 2, 30)
    eight_days, three_days = await sent_row(world, 8), await sent_row(world, 3)
    runner = SchedulerRunner(
        world.session_factory,
        leader_lock_for(world.app.engine),
        world.job(),
        zone=ZONE,
        clock=world.clock,
        retention_days=7,
    )
    try:
        await runner.tick()
        assert runner.is_leader
        job = runner._scheduler.get_job("retention")  # type: ignore[union-attr]
        assert job is not None
        assert f"hour='{PURGE_AT[0]}', minute='{PURGE_AT[1]}'" in str(job.trigger)
        await runner.purge()
    finally:
        await runner.step_down()
    left = {row.id for row in await world.outbox()}
    assert eight_days not in left and three_days in left
