"""The calendar in the database: the file copied in, admins' changes winning, provinces' own
deadlines, campaigns, and which period a report started on a given day belongs to."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from forms.periods import PeriodKind
from scheduler.calendar import load_calendar, schedule_values, sync_calendar_file
from scheduler.config import calendar_file, use_calendar_file
from scheduler.filing import filing_period
from storage.calendar import CalendarRows
from storage.models import Role
from storage.submissions import Submissions
from tests.scheduler.conftest import World, at

D = date


async def _sync(world: World) -> None:
    async with world.session_factory() as session, session.begin():
        await sync_calendar_file(session)


async def test_admin_changes_win_over_the_file_and_the_rest_follows_it(
    world: World, tmp_path: Path
) -> None:
    await _sync(world)
    async with world.session_factory() as session, session.begin():
        rows = CalendarRows(session)
        file_rule = calendar_file().rules()["commune_report"]
        await rows.set_schedule(
            "commune_report",
            schedule_values(file_rule),
            {"deadline_day": 20},
            user_id=None,
            now=at(D(2024, 5, 1)),
        )
    # A new file moves the deadline to the 10th and the lock to 20 days: the admin's day
    # (20) stays, the lock (not changed by an admin) follows the file.
    text = calendar_file().model_dump_json()
    assert text  # the shipped file parses
    own = tmp_path / "calendar.yaml"
    own.write_text(
        "reports:\n"
        "  commune_report: {period: quarter, deadline: {day: 10}, lock_days: 20,"
        " audience: commune_officers}\n"
        "  producer_monthly: {period: month, deadline: {day: 15}, audience: producers_with_product}\n"
        "campaigns:\n"
        "  - {key: dot-1, title: {vi: Đánh giá đợt 1}, deadline: 2024-05-15}\n",
        encoding="utf-8",
    )
    use_calendar_file(own)
    await _sync(world)
    async with world.session_factory() as session:
        calendar = await load_calendar(session)
    rule = calendar.rule("commune_report")
    assert rule is not None
    assert rule.deadline_rule.day == 20 and rule.lock_days == 20
    assert [c.key for c in calendar.campaigns] == ["dot-1"]

    # Back to the file's values for everything.
    async with world.session_factory() as session, session.begin():
        rows = CalendarRows(session)
        file_rule = calendar_file().rules()["commune_report"]
        await rows.reset_schedule(
            "commune_report", schedule_values(file_rule), user_id=None, now=at(D(2024, 5, 2))
        )
    async with world.session_factory() as session:
        calendar = await load_calendar(session)
    assert calendar.deadline("commune_report", "2024-Q2") == D(2024, 6, 10)

    # A campaign removed from the file is cancelled; one an admin added stays.
    own.write_text(
        "reports:\n"
        "  commune_report: {period: quarter, deadline: {day: 10}, audience: commune_officers}\n",
        encoding="utf-8",
    )
    use_calendar_file(own)
    async with world.session_factory() as session, session.begin():
        await CalendarRows(session).add_campaign(
            created_by=None,
            now=at(D(2024, 5, 2)),
            title_vi="Hội chợ",
            title_en=None,
            deadline=D(2024, 9, 1),
            opens=None,
            audience="producers",
            province_code=None,
            form_id=None,
            remind_before=[7, 0],
        )
    await _sync(world)
    async with world.session_factory() as session:
        calendar = await load_calendar(session)
    assert [c.key for c in calendar.campaigns] == ["dot-2"]  # dot-1 was the file's
    assert "producer_monthly" not in calendar.rules  # gone from the file, gone


async def test_a_late_report_belongs_to_the_period_still_open(world: World) -> None:
    an = await world.person("an", Role.OFFICER, "Cao Lộc")

    async def period_on(day: date) -> str:
        async with world.session_factory() as session:
            period = await filing_period(
                Submissions(session),
                "commune_report",
                PeriodKind.QUARTER,
                day,
                province_code=None,
                scope_key="commune:" + str(await _commune(world, an)),
            )
            return period.key

    assert await period_on(D(2024, 6, 10)) == "2024-Q2"
    assert await period_on(D(2024, 7, 5)) == "2024-Q2"  # Q2 unfiled, not locked until 15/07
    assert await period_on(D(2024, 7, 16)) == "2024-Q3"  # Q2 locked
    await world.file("an", "commune_report", "2024-Q2", at(D(2024, 7, 4)))
    assert await period_on(D(2024, 7, 5)) == "2024-Q3"  # Q2 is in: the new quarter's report
    assert await period_on(D(2024, 6, 20)) == "2024-Q2"  # only Q2 open: offered to correct it


async def _commune(world: World, user_id: int) -> int:
    from storage.users import Users

    async with world.session_factory() as session:
        user = await Users(session).get(user_id)
        assert user is not None and user.commune_code is not None
        return user.commune_code


async def test_a_province_deadline_moves_its_reminders_only(world: World) -> None:
    an = await world.person("an", Role.OFFICER, "Cao Lộc")  # Lạng Sơn
    hai = await world.person("hai", Role.OFFICER, "Hoàn Kiếm", province="Hà Nội")
    async with world.session_factory() as session, session.begin():
        from storage.users import Users

        user = await Users(session).get(an)
        assert user is not None and user.province_code is not None
        await CalendarRows(session).set_province_deadline(
            "commune_report",
            user.province_code,
            {"deadline_day": 25},
            user_id=None,
            now=at(D(2024, 5, 1)),
        )
    await world.job().run(at(D(2024, 6, 12)))
    assert await world.keys() == {f"remind:{hai}:commune_report:2024-Q2:before-3"}
    await world.job().run(at(D(2024, 6, 18)))
    assert f"remind:{an}:commune_report:2024-Q2:before-7" in await world.keys()
    texts = [r.payload["text"] for r in await world.outbox() if r.user_id == an]
    assert "25/06/2024 (còn 7 ngày)" in texts[0]


async def test_campaign_reminders_stop_for_those_who_filed(world: World, tmp_path: Path) -> None:
    own = tmp_path / "calendar.yaml"
    own.write_text(
        "campaigns:\n"
        "  - key: y-tuong-2025\n"
        "    title: {vi: Đăng ký ý tưởng sản phẩm năm 2025, en: Product ideas for 2025}\n"
        "    deadline: 2025-03-26\n"
        "    opens: 2025-03-01\n"
        "    audience: producers\n"
        "    form: product_idea\n",
        encoding="utf-8",
    )
    use_calendar_file(own)
    hoa = await world.person("hoa", Role.PRODUCER, "Cao Lộc")
    lan = await world.person("lan", Role.PRODUCER, "Cao Lộc", language="en")
    await world.person("an", Role.OFFICER, "Cao Lộc")
    await world.job().run(at(D(2025, 3, 19)))
    rows = await world.outbox()
    assert {r.dedupe_key for r in rows} == {
        f"remind:{hoa}:campaign:y-tuong-2025:before-7",
        f"remind:{lan}:campaign:y-tuong-2025:before-7",
    }
    english = next(r for r in rows if r.user_id == lan).payload
    assert (
        english["text"]
        == "Reminder: Product ideas for 2025.\nDeadline: Mar 26, 2025 (7 days left)."
    )
    assert english["buttons"][0][0]["payload"] == "@form:product_idea"
    await world.file("hoa", "product_idea", "", at(D(2025, 3, 20)))
    await world.job().run(at(D(2025, 3, 23)))
    assert f"remind:{hoa}:campaign:y-tuong-2025:before-3" not in await world.keys()
    assert f"remind:{lan}:campaign:y-tuong-2025:before-3" in await world.keys()
