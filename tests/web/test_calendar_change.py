"""The calendar page's forms (bot/web/calendar.py ``change``) run the chat's own ``/lich``: a
province admin moves their province's lock date ("late reports taken for … days") and puts
their province back on the national deadline; storage, the audit log and the page say so,
and the province's officers read the new dates in their chat's /lich at once (a calendar
change sends nobody a message, in the chat as on the page), while other provinces keep
theirs. A post that names another calendar than the admin's own is refused; a stale or
malformed one (an unknown report, a bad day, month or number of days) says why and changes
nothing, never a server error. On SQLite and PostgreSQL."""

from __future__ import annotations

import html
import re
from datetime import datetime
from zoneinfo import ZoneInfo

from aiohttp.test_utils import TestClient
from sqlalchemy import select

from bot.i18n import Translator
from forms.periods import period_of
from scheduler.calendar import Calendar, load_calendar
from storage.models import AuditEntry, OutboxMessage, ProvinceDeadline
from tests.web.conftest import Web, csrf_of, page
from tests.web.seed import province_named

vi = Translator("vi")
FORM = "commune_report"
VN = ZoneInfo("Asia/Ho_Chi_Minh")
OTHER_CALENDAR = (
    "You can change only your own calendar: your province's, or as a national admin the "
    "national one. Nothing was changed."
)
BAD_DEADLINE = (
    "Please choose the deadline day (a number from 1 to 31; 31 is the last day of the month) "
    "and its month from the list. Nothing was changed."
)


def flashes(text: str) -> list[str]:
    """The messages the page shows after a change (the chat's answers to the admin)."""
    return [html.unescape(m) for m in re.findall(r'<p class="flash"[^>]*>(.*?)</p>', text, re.S)]


async def change(client: TestClient, **fields: str) -> tuple[int, str]:
    """Post one of the calendar page's forms for the commune report, as the browser does
    (``province`` as the page carries it unless given), then follow the 303."""
    _, text = await page(client, "/admin/calendar")
    shown = re.search(r'name="province" value="([^"]*)"', text)
    data = {"csrf": csrf_of(text), "form": FORM, **fields}
    if shown and "province" not in fields:
        data["province"] = shown.group(1)
    done = await client.post("/admin/calendar/change", data=data)
    return done.status, await done.text()


async def calendar(web: Web) -> Calendar:
    async with web.app.session_factory() as session:
        return await load_calendar(session)


def dates_line(cal: Calendar, province: int | None) -> list[str]:
    """The lines of /lich giving the periods open today, as that province reads them."""
    rule = cal.rule(FORM, province)
    assert rule is not None
    today = datetime.now(VN).date()
    periods = rule.open_periods(today) or [period_of(rule.period, today)]
    return [
        vi.t(
            "{period}: due {deadline}; late reports taken until {lock}.",
            period=p.label("vi"),
            deadline=vi.date(rule.deadline(p)),
            lock=vi.date(rule.lock_date(p)),
        )
        for p in periods
    ]


async def audited(web: Web, action: str) -> list[tuple[int | None, dict[str, object]]]:
    async with web.app.session_factory() as session:
        rows = await session.scalars(select(AuditEntry).where(AuditEntry.action == action))
        return [(row.user_id, row.detail) for row in rows]


async def test_a_province_admin_moves_their_lock_date(web: Web) -> None:
    lang_son, ha_noi = (
        await province_named(web.app, "Lạng Sơn"),
        await province_named(web.app, "Hà Nội"),
    )
    before = await calendar(web)
    national = before.rules[FORM].lock_days
    client = await web.signed_in("admin_ls")
    status, text = await change(client, change="lock", lock_days=str(national + 12))
    assert status == 200
    [said] = flashes(text)
    assert said.startswith(vi.t("Saved.")) and vi.t("(Your province's own deadline.)") in said

    after = await calendar(web)
    own = after.province_rule(FORM, lang_son.code)
    assert own is not None and (own.day, own.month, own.lock_days) == (None, None, national + 12)
    assert after.rules[FORM] == before.rules[FORM]  # the national rule did not move
    assert after.rule(FORM, ha_noi.code) == before.rules[FORM]
    assert await audited(web, "calendar_changed") == [
        (
            web.users["admin_ls"].id,
            {"form": FORM, "province": lang_son.code, "changes": {"lock_days": national + 12}},
        )
    ]
    async with web.app.session_factory() as session:
        sent = await session.scalars(
            select(OutboxMessage).where(OutboxMessage.user_id != web.users["admin_ls"].id)
        )
        assert sent.all() == []  # nobody is sent a message (the admin's /web link aside)
    # The page, the officers of Lạng Sơn in their chat, and only they, read the new dates.
    moved, unmoved = dates_line(after, lang_son.code), dates_line(after, ha_noi.code)
    assert moved != unmoved
    for line in moved:
        lock = line.rsplit(" ", 1)[1].rstrip(".")
        assert lock in html.unescape(text)
    officer_reads = await web.chat.say("officer", "/lich")
    assert all(line in officer_reads for line in moved), officer_reads
    hanoi_reads = await web.chat.say("admin_hn", "/lich")
    assert all(line in hanoi_reads for line in unmoved) and moved[0] not in hanoi_reads


async def test_a_province_goes_back_to_the_national_deadline(web: Web) -> None:
    lang_son = await province_named(web.app, "Lạng Sơn")
    # The country takes late reports for 20 days; Lạng Sơn had a deadline and lock of its own.
    national_admin = await web.signed_in("national")
    status, text = await change(national_admin, change="lock", lock_days="20")
    assert status == 200 and flashes(text)[0].startswith(vi.t("Saved."))
    client = await web.signed_in("admin_ls")
    await change(client, change="deadline", day="25", month="last")
    await change(client, change="lock", lock_days="3")
    own = (await calendar(web)).rule(FORM, lang_son.code)
    assert own is not None and (own.deadline_rule.day, own.lock_days) == (25, 3)
    assert vi.t("(Your province's own deadline.)") in await web.chat.say("officer", "/lich")

    status, text = await change(client, change="reset")
    assert status == 200
    [said] = flashes(text)
    assert said.startswith(vi.t("Back to the default.")), said
    assert vi.t("(Your province's own deadline.)") not in said
    after = await calendar(web)
    assert after.province_rule(FORM, lang_son.code) is None
    # Back to the national rule as it is now (20 days), not to the file's (30 days).
    assert after.rule(FORM, lang_son.code) == after.rules[FORM]
    assert after.rules[FORM].lock_days == 20
    async with web.app.session_factory() as session:
        assert (await session.scalars(select(ProvinceDeadline))).all() == []
    assert (web.users["admin_ls"].id, {"form": FORM, "province": lang_son.code}) in await audited(
        web, "calendar_reset"
    )
    officer_reads = await web.chat.say("officer", "/lich")
    assert vi.t("(Your province's own deadline.)") not in officer_reads
    assert all(line in officer_reads for line in dates_line(after, None)), officer_reads
    _, text = await page(client, "/admin/calendar")
    assert vi.t("(Your province's own deadline.)") not in html.unescape(text)


async def test_a_post_for_another_calendar_is_refused(web: Web) -> None:
    lang_son = await province_named(web.app, "Lạng Sơn")
    before = await calendar(web)
    # Hà Nội's admin posts a form naming Lạng Sơn's calendar.
    other = await web.signed_in("admin_hn")
    for fields in (
        {"change": "lock", "lock_days": "1"},
        {"change": "deadline", "day": "2", "month": "last"},
        {"change": "reset"},
    ):
        status, text = await change(other, province=str(lang_son.code), **fields)
        assert status == 200 and flashes(text) == [vi.t(OTHER_CALENDAR)], fields
    # A national admin's stale page from when they were Lạng Sơn's admin: not the country's.
    national = await web.signed_in("national")
    status, text = await change(national, province=str(lang_son.code), change="lock", lock_days="1")
    assert flashes(text) == [vi.t(OTHER_CALENDAR)]
    # A province admin's post naming the national calendar.
    status, text = await change(other, province="", change="lock", lock_days="1")
    assert flashes(text) == [vi.t(OTHER_CALENDAR)]
    after = await calendar(web)
    assert (after.rules, after.provinces) == (before.rules, before.provinces)
    assert await audited(web, "calendar_changed") == []


async def test_a_stale_or_malformed_post_says_why_and_changes_nothing(web: Web) -> None:
    client = await web.signed_in("admin_ls")
    before = await calendar(web)
    lock_refused = vi.t("Please write the number of days, from 0 to 366.")
    for days in ("", "abc", "-1", "367", "5 6", "²"):
        status, text = await change(client, change="lock", lock_days=days)
        assert status == 200 and flashes(text) == [lock_refused], days
    for day, month in (("", "last"), ("", ""), ("32", "last"), ("0", "last"), ("x", "last")):
        status, text = await change(client, change="deadline", day=day, month=month)
        assert status == 200 and flashes(text) == [vi.t(BAD_DEADLINE)], (day, month)
    for month in ("zz", "13", "cuoi khoa"):
        status, text = await change(client, change="deadline", day="20", month=month)
        assert status == 200 and flashes(text) == [vi.t(BAD_DEADLINE)], month
    after = await calendar(web)
    assert (after.rules, after.provinces) == (before.rules, before.provinces)
    # Reset twice (a second tab): the second says the same, nothing to undo, no error.
    for _ in range(2):
        status, text = await change(client, change="reset")
        assert status == 200 and flashes(text)[0].startswith(vi.t("Back to the default."))
    # What no page of the dashboard posts: the page says there is nothing here.
    missing = vi.t("There is nothing here in your area. It may have been removed.")
    for fields in ({"form": "nope", "change": "lock"}, {"change": "remind", "lock_days": "3"}):
        status, text = await change(client, **fields)
        assert status == 404 and missing in html.unescape(text), fields
