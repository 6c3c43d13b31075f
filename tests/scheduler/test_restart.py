"""Crashes, re-runs and downtime: nothing lost, nothing doubled, nothing stale."""

from __future__ import annotations

from datetime import date

import pytest

from storage.models import Role
from tests.scheduler.conftest import World, at

D = date


async def _officers(world: World, count: int) -> list[int]:
    communes = ["Cao Lộc", "Đồng Đăng", "Hữu Lũng", "Chi Lăng", "Lộc Bình", "Tràng Định"]
    return [
        await world.person(f"officer{n}", Role.OFFICER, communes[n % len(communes)])
        for n in range(count)
    ]


class Crash(Exception):
    pass


async def test_a_run_that_dies_half_way_is_completed_by_the_next(world: World) -> None:
    await _officers(world, 6)
    clean = world.job()
    expected = {p.dedupe_key for p in await clean.plan(D(2024, 6, 12))}
    assert len(expected) == 6

    async def die_after_first_batch(written: int) -> None:
        raise Crash(f"killed after {written} rows")

    crashing = world.job(batch_size=2, after_batch=die_after_first_batch)
    with pytest.raises(Crash):
        await crashing.run(at(D(2024, 6, 12)))
    assert len(await world.keys()) == 2  # the first batch was committed, the rest was not

    result = await world.job().run(at(D(2024, 6, 12), 9))  # the restart's catch-up run
    assert result.written == 4
    assert await world.keys() == expected
    assert (await world.job().run(at(D(2024, 6, 12), 10))).written == 0  # and once more
    rows = await world.outbox()
    assert len(rows) == len(expected)


async def test_a_crash_inside_a_batch_writes_none_of_it(world: World) -> None:
    await _officers(world, 3)
    job = world.job(batch_size=10)
    planned = await job.plan(D(2024, 6, 12))
    broken = [*planned[:2], planned[2].__class__(**{**planned[2].__dict__, "person": None})]
    with pytest.raises(AttributeError):
        await job.write(broken)  # type: ignore[arg-type]
    assert await world.keys() == set()  # the batch's transaction was rolled back whole
    assert await job.write(planned) == 3


async def test_two_runs_at_once_write_each_reminder_once(world: World) -> None:
    import asyncio

    await _officers(world, 6)
    jobs = [world.job(batch_size=1), world.job(batch_size=1)]
    results = await asyncio.gather(*(job.run(at(D(2024, 6, 12))) for job in jobs))
    assert sum(r.written for r in results) == 6
    rows = await world.outbox()
    assert len(rows) == 6 == len({r.dedupe_key for r in rows})


async def test_after_downtime_the_current_reminder_is_sent_and_stale_ones_dropped(
    world: World,
) -> None:
    an = await world.person("an", Role.OFFICER, "Cao Lộc")
    job = world.job()
    # Down from 1 June to 10 June: the "7 days left" (8 June) is still the latest, so it is
    # sent on 10 June, counting the days from then.
    await job.run(at(D(2024, 6, 10), 15))
    rows = await world.outbox()
    assert [r.dedupe_key for r in rows] == [f"remind:{an}:commune_report:2024-Q2:before-7"]
    assert "(còn 5 ngày)" in rows[0].payload["text"]
    # Down again until 14 June: the "3 days left" (12 June) was missed and is superseded by
    # the "1 day left" one; it is never sent late.
    await job.run(at(D(2024, 6, 14)))
    keys = await world.keys()
    assert f"remind:{an}:commune_report:2024-Q2:before-1" in keys
    assert f"remind:{an}:commune_report:2024-Q2:before-3" not in keys
    assert len(keys) == 2


async def test_a_reminder_never_picked_up_is_withdrawn_for_the_night(world: World) -> None:
    await _officers(world, 2)
    job = world.job()
    await job.run(at(D(2024, 6, 12)))
    rows = await world.outbox()
    assert len(rows) == 2
    # One was claimed by a sender (it may be on its way): it stays.
    async with world.session_factory() as session, session.begin():
        from storage.outbox import Outbox

        claimed = await Outbox(session).claim_due(["console"], limit=1)
    assert len(claimed) == 1
    assert await job.withdraw() == 1
    assert {r.id for r in await world.outbox()} == {claimed[0].id}
    # The next morning the one withdrawn is written afresh, counting from that day.
    await job.run(at(D(2024, 6, 13)))
    texts = [r.payload["text"] for r in await world.outbox()]
    assert len(texts) == 2 and "(còn 2 ngày)" in texts[1]
