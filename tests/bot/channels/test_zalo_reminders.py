"""A reminder reaching an officer on the Zalo Bot Platform (issue 14): the reminder job runs
on a day a deadline is near, the running bot's outbox sender sends it to the fake Zalo Bot
API as numbered text, and the officer, who had written nothing, types its number and the
report opens. Real runtime, job, pipeline and channel over HTTP on 127.0.0.1, on SQLite and
PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

import pytest

from bot.app import App
from scheduler.calendar import install_calendar
from scheduler.config import use_calendar_file
from scheduler.job import ReminderJob
from scheduler.titles import form_title
from storage.models import Role
from tests.bot.channels.test_telegram_helpers import bounded
from tests.bot.channels.test_zalo_helpers import (
    app,
    read_by_then_answers,
    running,
    settled,
    zalo,
    zalo_person,
)
from tests.fakes.zalo_api import FakeZaloServer

ZONE = ZoneInfo("Asia/Ho_Chi_Minh")
# 12 June 2024, 08:00 in Vietnam: the commune report of the second quarter is due soon.
REMINDER_DAY = datetime.combine(date(2024, 6, 12), time(8, 0), tzinfo=ZONE)

__all__ = ["app", "zalo"]  # fixtures


@pytest.fixture(autouse=True)
def fresh_calendar() -> Iterator[None]:
    """The shipped calendar, before and after (the job installs the one it reads)."""
    use_calendar_file(None)
    install_calendar(None)
    yield
    use_calendar_file(None)
    install_calendar(None)


@bounded(60)
async def test_a_reminder_reaches_a_zalo_officer_and_its_number_opens_the_report(
    app: App, zalo: FakeZaloServer
) -> None:
    an = zalo.user("0ff1ce", "Lê Văn An")
    await zalo_person(app, an, Role.OFFICER, "Lạng Sơn", "Cao Lộc")
    app.pipeline.clock = lambda: REMINDER_DAY  # the bot lives on the reminder's day
    job = ReminderJob(app.session_factory, zone=ZONE, titles=form_title, clock=lambda: REMINDER_DAY)
    async with running(app, zalo):
        assert (await job.run(REMINDER_DAY)).written == 1
        # The running bot sends it, without the officer writing anything.
        (reminder,) = await an.expect("quý 2/2024")
        assert reminder.endswith("1. Làm báo cáo\nTrả lời 1."), reminder
        assert not zalo.calls_of("sendMessage")[0].params.get("reply_markup")  # text only

        await read_by_then_answers(app, zalo, an, "1")
        await an.expect("quý 2/2024: 15 câu hỏi", "Câu 1/15")
        assert (await job.run(REMINDER_DAY)).written == 0  # a second run adds nothing
        await settled(app, zalo)
    assert len(an.messages()) == an.seen
