"""A whole quarter, day by day: exactly the expected reminders to exactly the expected people.

Lạng Sơn, 1 April to 20 July 2024, with the shipped calendar (commune report: quarterly, due
the 15th of the quarter's last month, taken late for 30 days; producer report: monthly, due
the 15th, taken late for 10 days; reminders 7, 3, 1 days before, on the day, 1 and 3 days
after, then weekly until the lock date):

- officer An (Cao Lộc) never files;
- officer Bình (Đồng Đăng, English) files Q2 on 13 June, for himself and his colleague
  Cường;
- officer Chi (Cao Lộc) blocked the bot; officer Dung (Hữu Lũng) still waits for approval;
- producer Hoa has a product and files May's report on 14 May only;
- producer Lan has no product; producer Minh has a certificate ending 20 June 2024 and
  files every monthly report in advance;
- Thu is the province admin.

Each day the run goes at 08:00 and again at 14:00 and 20:30 (the hourly re-checks), and is
also tried in quiet hours and before 08:00, which must write nothing.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta

from storage.models import Role, UserStatus
from tests.scheduler.conftest import World, at

START, END = date(2024, 4, 1), date(2024, 7, 20)
D = date


def _keys(user: int, topic: str, period: str, kinds: dict[date, str]) -> dict[date, set[str]]:
    return {day: {f"remind:{user}:{topic}:{period}:{kind}"} for day, kind in kinds.items()}


def _merge(*parts: dict[date, set[str]]) -> dict[date, set[str]]:
    merged: dict[date, set[str]] = defaultdict(set)
    for part in parts:
        for day, keys in part.items():
            merged[day] |= keys
    return dict(merged)


def _days(first: date, last: date) -> list[date]:
    return [first + timedelta(days=n) for n in range((last - first).days + 1)]


async def _populate(world: World) -> dict[str, int]:
    ids = {
        "an": await world.person("an", Role.OFFICER, "Cao Lộc"),
        "binh": await world.person("binh", Role.OFFICER, "Đồng Đăng", language="en"),
        "cuong": await world.person("cuong", Role.OFFICER, "Đồng Đăng"),
        "chi": await world.person("chi", Role.OFFICER, "Cao Lộc", reachable=False),
        "dung": await world.person("dung", Role.OFFICER, "Hữu Lũng", status=UserStatus.PENDING),
        "hoa": await world.person("hoa", Role.PRODUCER, "Cao Lộc"),
        "lan": await world.person("lan", Role.PRODUCER, "Cao Lộc"),
        "minh": await world.person("minh", Role.PRODUCER, "Đồng Đăng"),
        "thu": await world.person("thu", Role.PROVINCE_ADMIN, None),
    }
    await world.product("hoa")
    await world.product("minh", certified_on=D(2021, 6, 20), name="Trà hoa vàng")
    for month in ("2024-04", "2024-05", "2024-06", "2024-07"):
        await world.file("minh", "producer_monthly", month, at(D(2024, 3, 30)))
    return ids


def _expected(ids: dict[str, int]) -> dict[date, set[str]]:
    q1_late = {D(2024, 4, 1): "after-17", D(2024, 4, 8): "after-24"}
    q2_all = {
        D(2024, 6, 8): "before-7",
        D(2024, 6, 12): "before-3",
        D(2024, 6, 14): "before-1",
        D(2024, 6, 15): "due",
        D(2024, 6, 16): "after-1",
        D(2024, 6, 18): "after-3",
        D(2024, 6, 25): "after-10",
        D(2024, 7, 2): "after-17",
        D(2024, 7, 9): "after-24",
    }
    q2_binh = {D(2024, 6, 8): "before-7", D(2024, 6, 12): "before-3"}  # filed on 13 June

    def month(m: int, until: int = 25) -> dict[date, str]:
        days = {8: "before-7", 12: "before-3", 14: "before-1", 15: "due", 16: "after-1"}
        days |= {18: "after-3", 25: "after-10"}
        return {D(2024, m, d): k for d, k in days.items() if d <= until}

    hoa_may = {D(2024, 5, 8): "before-7", D(2024, 5, 12): "before-3", D(2024, 5, 14): "before-1"}
    an, binh, hoa, minh = ids["an"], ids["binh"], ids["hoa"], ids["minh"]
    cert = f"{_product_id}@2024-06-20"
    return _merge(
        _keys(an, "commune_report", "2024-Q1", q1_late),
        _keys(an, "commune_report", "2024-Q2", q2_all),
        _keys(binh, "commune_report", "2024-Q1", q1_late),
        _keys(binh, "commune_report", "2024-Q2", q2_binh),
        # Cường is Bình's colleague: the commune's report, filed by Bình, counts for him too.
        _keys(ids["cuong"], "commune_report", "2024-Q1", q1_late),
        _keys(ids["cuong"], "commune_report", "2024-Q2", q2_binh),
        _keys(hoa, "producer_monthly", "2024-04", month(4)),
        _keys(hoa, "producer_monthly", "2024-05", hoa_may),
        _keys(hoa, "producer_monthly", "2024-06", month(6)),
        _keys(hoa, "producer_monthly", "2024-07", month(7, until=20)),
        # The 180- and 90-day reminders fell on 22 December and 22 March, before the
        # simulation: the latest of them is caught up on 1 April.
        _keys(minh, "certificate", cert, {D(2024, 4, 1): "before-90", D(2024, 5, 21): "before-30"}),
    )


_product_id = 2  # Minh's product: the second one created (ids restart on each database)


def _digest_days() -> set[date]:
    overdue = (
        _days(D(2024, 4, 1), D(2024, 4, 14))  # Q1 unfiled until its lock (14 April)
        + _days(D(2024, 4, 16), D(2024, 4, 25))  # Hoa's April report
        + _days(D(2024, 6, 16), D(2024, 7, 20))  # Q2 to its lock, Hoa's June and July reports
    )
    certificate_days = [D(2024, 5, 21)]  # Minh's certificate: 30 days before its end
    return set(overdue) | set(certificate_days)


async def test_a_quarter_day_by_day(world: World) -> None:
    ids = await _populate(world)
    job = world.job()
    expected = _expected(ids)
    for day in _days(START, END):
        assert (await job.run(at(day, 6, 30))).skipped  # quiet hours
        assert (await job.run(at(day, 7, 59))).skipped  # before the reminder time
        before = await world.keys()
        await job.run(at(day, 8, 0))
        if day == D(2024, 5, 14):
            await world.file("hoa", "producer_monthly", "2024-05", at(day, 10))
        if day == D(2024, 6, 13):
            await world.file("binh", "commune_report", "2024-Q2", at(day, 10))
        assert (await job.run(at(day, 14, 0))).written == 0  # re-checks add nothing
        assert (await job.run(at(day, 20, 30))).written == 0
        assert (await job.run(at(day, 21, 0))).skipped  # quiet hours again
        assert (await job.run(at(day, 23, 59))).skipped
        new = await world.keys() - before
        reminders = {k for k in new if k.startswith("remind:")}
        assert reminders == expected.get(day, set()), day
        digests = {k for k in new if k.startswith("digest:")}
        wanted = {f"digest:{ids['thu']}:{day.isoformat()}"} if day in _digest_days() else set()
        assert digests == wanted, day

    rows = await world.outbox()
    never = {ids["chi"], ids["dung"], ids["lan"]}
    assert not [r for r in rows if r.user_id in never]
    assert len(rows) == len({r.dedupe_key for r in rows})


async def test_reminder_texts(world: World) -> None:
    ids = await _populate(world)
    job = world.job()
    await job.run(at(D(2024, 6, 12)))
    rows = {r.user_id: r for r in await world.outbox() if r.dedupe_key.startswith("remind:")}

    an = rows[ids["an"]].payload
    assert an["text"] == (
        "Nhắc hạn: Báo cáo OCOP định kỳ của xã — quý 2/2024.\nHạn nộp: 15/06/2024 (còn 3 ngày)."
    )
    assert an["buttons"] == [[{"label": "Làm báo cáo", "payload": "@form:commune_report"}]]
    binh = rows[ids["binh"]].payload
    assert binh["text"].startswith("Reminder: Commune periodic OCOP report — Q2 2024.")
    assert "(3 days left)" in binh["text"]
    assert rows[ids["an"]].channel == "console" and rows[ids["an"]].address == "an"

    await world.file("binh", "commune_report", "2024-Q2", at(D(2024, 6, 13), 10))
    await job.run(at(D(2024, 6, 18)))
    late = [
        r.payload["text"]
        for r in await world.outbox()
        if r.dedupe_key == f"remind:{ids['an']}:commune_report:2024-Q2:after-3"
    ]
    assert late == [
        "Quá hạn: Báo cáo OCOP định kỳ của xã — quý 2/2024.\nHạn nộp là 15/06/2024 "
        "(trễ 3 ngày). Anh/chị vui lòng gửi sớm nhất có thể."
    ]
    digest = next(r for r in await world.outbox() if r.dedupe_key.startswith("digest:"))
    assert digest.user_id == ids["thu"]
    text = digest.payload["text"]
    assert text.startswith("Tổng hợp OCOP hằng ngày — Lạng Sơn, 18/06/2024")
    assert "Báo cáo OCOP định kỳ của xã — quý 2/2024 (hạn 15/06/2024, trễ 3 ngày)" in text
    communes = next(line for line in text.splitlines() if "xã chưa gửi" in line)
    assert "Xã Cao Lộc" in communes and "Xã Đồng Đăng" not in communes  # Bình's commune filed
    assert "Báo cáo sản xuất hằng tháng — tháng 6/2024" in text and "Hoa" in text
    assert "“Trà hoa vàng” (Minh, Xã Đồng Đăng): 20/06/2024 (còn 2 ngày)" in text
