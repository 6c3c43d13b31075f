"""The Zalo channel's manners with the platform (issue 14), measured on the fake Zalo Bot
API's recorded call times: replies to one chat go at the default per-chat pace, and a poll
answered 429 or 5xx pauses with a growing delay, then goes on, and the user's message waiting
meanwhile is handled once. Real runtime and channel over HTTP on 127.0.0.1, on SQLite and
PostgreSQL.

Only lower bounds are asserted (a pause at least this long): the machines that run the tests
are shared, and an upper bound would fail on a busy one without any bug.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from itertools import pairwise

import pytest

from bot.channels.zalo.channel import PER_CHAT_BURST
from bot.runtime import run_services
from bot.settings import Settings
from tests.bot.channels.test_telegram_helpers import bounded
from tests.bot.channels.test_zalo_helpers import make_app, quick_service, running, settled, stored
from tests.fakes.zalo_api import FakeZaloServer

DEFAULT_RATE_GLOBAL = float(Settings.model_fields["zalo_rate_global"].default)
DEFAULT_RATE_PER_CHAT = float(Settings.model_fields["zalo_rate_per_chat"].default)
# The fake records a call when it answers it; the next call of a chat is recorded when it
# arrives. A late answer to the earlier one (a busy machine) shortens the gap it sees.
LATENESS = 0.25


@pytest.fixture
async def zalo() -> AsyncIterator[FakeZaloServer]:
    async with FakeZaloServer() as fake:
        yield fake


@bounded(60)
async def test_replies_to_one_chat_keep_the_default_pace(
    database_url: str, zalo: FakeZaloServer
) -> None:
    assert DEFAULT_RATE_PER_CHAT <= 1.0  # the conservative default of the issue
    app = await make_app(
        database_url,
        zalo,
        zalo_rate_global=DEFAULT_RATE_GLOBAL,
        zalo_rate_per_chat=DEFAULT_RATE_PER_CHAT,
    )
    interval = 1.0 / DEFAULT_RATE_PER_CHAT
    hoa = zalo.user("6ede9afa", "Hoa")
    try:
        async with running(app, zalo):
            for _ in range(3):  # two replies each: the welcome, then the languages
                hoa.says("/start")
            await hoa.expect(*["Chào mừng", "ngôn ngữ"] * 3, within=30)
            await settled(app, zalo)
    finally:
        await app.close()

    times = [c.at for c in zalo.calls_of("sendMessage") if c.chat_id == hoa.id and c.ok]
    assert len(times) == 6
    # A burst of PER_CHAT_BURST at once, then one call per interval: any PER_CHAT_BURST + 1
    # calls in a row span at least one interval, and all of them (n - burst) intervals.
    span = PER_CHAT_BURST
    gaps = [later - earlier for earlier, later in zip(times, times[span:], strict=False)]
    assert all(gap >= interval - LATENESS for gap in gaps), gaps
    assert times[-1] - times[0] >= (len(times) - span) * interval - LATENESS, times


@bounded(60)
async def test_polling_backs_off_after_429_and_5xx_and_loses_nothing(
    database_url: str, zalo: FakeZaloServer, caplog: pytest.LogCaptureFixture
) -> None:
    app = await make_app(database_url, zalo)
    an = zalo.user("a11ce", "An")
    an.says("/start")  # waiting at Zalo while the polls fail
    zalo.fail_next(2, status=429, description="Quota exceeded", methods={"getUpdates"})
    zalo.fail_next(1, status=502, description="Bad Gateway", methods={"getUpdates"})
    stop = asyncio.Event()
    # The service's own poller, with its default pauses (1 s, doubled after each failure).
    task = asyncio.create_task(run_services(app, [quick_service(app)], stop=stop))
    try:
        await an.expect("Chào mừng", "ngôn ngữ", within=30)
        await settled(app, zalo)
        an.says("1")  # polling goes on as usual afterwards
        await an.expect("Anh/chị tham gia với vai trò nào?")
        await settled(app, zalo)
    finally:
        stop.set()
        await asyncio.wait_for(task, 15)
    try:
        polls = zalo.calls_of("getUpdates")
        assert [c.status for c in polls[:4]] == [429, 429, 502, 200], polls
        pauses = [later.at - earlier.at for earlier, later in pairwise(polls[:4])]
        # Each pause at least as long as the poller's delay: 1 s, then 2 s, then 4 s.
        for pause, delay in zip(pauses, (1.0, 2.0, 4.0), strict=True):
            assert pause >= delay * 0.98, pauses
        # The message that waited is handled once: one welcome, one question of language.
        assert len(an.messages()) == 3
        assert (await stored(app))["seen"] == 2
        # What the operator reads, once per failure (it said "failed (Zalo ... failed (429)").
        assert [r.getMessage() for r in caplog.records if r.name.endswith(".polling")] == [
            "Zalo getUpdates failed (429): Quota exceeded; polling again in 1.0s",
            "Zalo getUpdates failed (429): Quota exceeded; polling again in 2.0s",
            "Zalo getUpdates failed (502): Bad Gateway; polling again in 4.0s",
        ]
    finally:
        await app.close()
