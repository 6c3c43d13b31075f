"""Reminders to Zalo OA users outside the 48-hour window (issue 17): by ZNS (once, under the
daily cap), else by their other messenger, else counted as unreachable; over HTTP against
the fake OA, on SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from datetime import date, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from bot.app import App
from bot.channels.zalo_oa.service import ZaloOaService
from bot.channels.zalo_oa.zns import spent
from bot.i18n import Translator
from bot.sender import OutboxSender
from scheduler import texts
from scheduler.calendar import current_calendar
from scheduler.job import ReminderJob
from scheduler.planner import Planned, load_snapshot, reminder_key
from scheduler.routing import UNREACHABLE, OaRouting, ReminderRouter, parse_templates
from storage.calendar import Person, ReminderQueries
from storage.models import Identity, OutboxMessage, OutboxStatus, User, UserStatus, utcnow
from storage.zalo_oa import unreached_by_province
from tests.bot.channels.test_telegram_helpers import bounded
from tests.bot.channels.test_zalo_oa_end_to_end import make_app
from tests.conftest import make_settings
from tests.fakes.zalo_oa_api import FakeOaServer

TEMPLATES = json.dumps(
    {"after-3": {"template_id": "231456", "data": {"report_name": "subject", "period": "period"}}}
)
ZONE = ZoneInfo("Asia/Ho_Chi_Minh")


@pytest.fixture
async def oa() -> AsyncIterator[FakeOaServer]:
    async with FakeOaServer() as fake:
        yield fake


@pytest.fixture
async def app(database_url: str, oa: FakeOaServer) -> AsyncIterator[App]:
    app = await make_app(database_url, oa, zalo_zns_templates=TEMPLATES, zalo_zns_daily_cap=1)
    yield app
    await app.close()


async def person(
    app: App, name: str, *, oa_seen: timedelta, phone: str | None = None, other: str | None = None
) -> Person:
    """An active producer on the OA who last wrote ``oa_seen`` ago."""
    now = utcnow()
    async with app.session_factory() as session, session.begin():
        user = User(
            role="producer", status=UserStatus.ACTIVE, full_name=name, phone=phone, language="vi"
        )
        session.add(user)
        await session.flush()
        session.add(
            Identity(
                user_id=user.id,
                channel="zalo_oa",
                external_id=f"oa-{user.id}",
                last_seen_at=now - oa_seen,
            )
        )
        if other:
            session.add(
                Identity(
                    user_id=user.id,
                    channel="telegram",
                    external_id=other,
                    last_seen_at=now - timedelta(days=10),
                )
            )
        user_id = user.id
    return Person(
        user_id=user_id,
        name=name,
        role="producer",
        language="vi",
        province_code=None,
        province_name="Lạng Sơn",
        commune_code=None,
        commune_name="Cao Lộc",
        has_product=False,
        channel="zalo_oa",
        address=f"oa-{user_id}",
    )


def overdue(who: Person) -> Planned:
    tr = Translator("vi")
    return Planned(
        person=who,
        topic="producer_quarterly",
        subject="Báo cáo quý",
        period="Quý 3/2026",
        kind="after-3",
        dedupe_key=reminder_key(who.user_id, "producer_quarterly", "2026-Q3", "after-3"),
        message=texts.report_reminder(
            tr,
            report="Báo cáo quý",
            period="Quý 3/2026",
            deadline=date(2026, 10, 15),
            today=date(2026, 10, 18),
            form_id="producer_quarterly",
        ),
    )


def job(app: App) -> ReminderJob:
    reminders = ReminderJob(app.session_factory, zone=ZONE, titles=lambda form, lang: form)
    reminders.router = ReminderRouter(
        app.session_factory,
        OaRouting(window=timedelta(hours=48), templates=parse_templates(TEMPLATES)),
    )
    return reminders


async def rows(app: App) -> dict[int, tuple[str, str, str]]:
    async with app.session_factory() as session:
        found = (await session.scalars(select(OutboxMessage))).all()
    return {row.user_id or 0: (row.channel, row.status, row.error or "") for row in found}


@bounded(60)
async def test_a_reminder_after_three_days_goes_by_zns_exactly_once(
    app: App, oa: FakeOaServer
) -> None:
    by_zns = await person(app, "Hoa", oa_seen=timedelta(days=3), phone="0912 345 678")
    over_cap = await person(app, "Mai", oa_seen=timedelta(days=3), phone="0987654321")
    linked = await person(app, "Lan", oa_seen=timedelta(days=3), other="4242")
    nowhere = await person(app, "Cúc", oa_seen=timedelta(days=4))
    recent = await person(app, "Đào", oa_seen=timedelta(hours=2))
    planned = [overdue(p) for p in (by_zns, over_cap, linked, nowhere, recent)]
    reminders = job(app)
    assert await reminders.write(planned) == 4  # the unreachable one is a failed row
    assert await reminders.write(planned) == 0  # a second run writes nothing

    service = ZaloOaService(app)
    await service.tokens.prepare()
    sender = OutboxSender(app.session_factory, {"zalo_zns": service.zns})
    await sender.drain()
    await sender.drain()
    await service.close()

    # The cap (1 a day) lets one of the two through; which one is the sender's order.
    assert len(oa.zns) == 1
    phones = {"84912345678": by_zns, "84987654321": over_cap}
    sent = phones[oa.zns[0]["phone"]]
    capped = over_cap if sent is by_zns else by_zns
    assert oa.zns[0]["template_id"] == "231456"
    assert oa.zns[0]["template_data"] == {"report_name": "Báo cáo quý", "period": "Quý 3/2026"}
    written = await rows(app)
    assert written[sent.user_id][:2] == ("zalo_zns", OutboxStatus.SENT)
    assert written[capped.user_id][:2] == ("zalo_zns", OutboxStatus.FAILED)
    assert "cap" in written[capped.user_id][2]
    assert written[linked.user_id][0] == "telegram"
    assert written[nowhere.user_id] == ("zalo_oa", OutboxStatus.FAILED, UNREACHABLE)
    assert written[recent.user_id][:2] == ("zalo_oa", OutboxStatus.PENDING)
    today = utcnow().astimezone(ZONE).date()
    assert await spent(app.session_factory, today) == (1, app.settings.zalo_zns_unit_cost)
    async with app.session_factory() as session:
        unreached = await unreached_by_province(session, utcnow() - timedelta(days=1))
    assert unreached == {None: 2}  # counted in the province admins' digest
    # Tomorrow's digest says what ZNS cost today.
    async with app.session_factory() as session:
        snapshot = await load_snapshot(session, current_calendar(), today + timedelta(days=1))
    assert snapshot.zns_yesterday == (1, app.settings.zalo_zns_unit_cost)


async def unfollow(app: App, who: Person) -> None:
    async with app.session_factory() as session, session.begin():
        identity = await session.scalar(select(Identity).where(Identity.user_id == who.user_id))
        assert identity is not None
        identity.reachable = False


@bounded(60)
async def test_zns_first_and_those_who_unfollowed_are_not_dropped(app: App) -> None:
    """Outside the window a configured ZNS template goes first, even for someone with
    another messenger (the province pays to keep its people on its Zalo page). Someone who
    unfollowed the OA and has no other messenger is still planned for: by ZNS to their
    phone, else kept as unreachable and counted, never dropped unseen."""
    both = await person(app, "Hồng", oa_seen=timedelta(days=3), phone="0912000001", other="77")
    gone_phone = await person(app, "Sen", oa_seen=timedelta(days=1), phone="0912000002")
    gone = await person(app, "Huệ", oa_seen=timedelta(days=1))
    for who in (gone_phone, gone):
        await unfollow(app, who)
    async with app.session_factory() as session:
        people = {p.user_id: p for p in await ReminderQueries(session).people()}
    # The planner sees them, on the OA they left: the router decides.
    assert people[gone.user_id].channel == "zalo_oa" and people[gone.user_id].reachable
    assert people[gone_phone.user_id].channel == "zalo_oa"
    planned = [overdue(people[p.user_id]) for p in (both, gone_phone, gone)]
    assert await job(app).write(planned) == 2  # and one failed row: the unreachable
    written = await rows(app)
    assert written[both.user_id][:2] == ("zalo_zns", OutboxStatus.PENDING)
    assert written[gone_phone.user_id][:2] == ("zalo_zns", OutboxStatus.PENDING)
    assert written[gone.user_id] == ("zalo_oa", OutboxStatus.FAILED, UNREACHABLE)
    async with app.session_factory() as session:
        unreached = await unreached_by_province(session, utcnow() - timedelta(days=1))
    assert unreached == {None: 1}


def test_the_digest_counts_reminders_that_reached_nobody() -> None:
    digest = texts.admin_digest(
        Translator("en"),
        province="Lạng Sơn",
        today=date(2026, 10, 18),
        overdue=[],
        expiring=[],
        unreached=2,
    )
    assert "2 reminders of the last day reached nobody" in digest.text
    quiet = texts.admin_digest(
        Translator("en"), province="Lạng Sơn", today=date(2026, 10, 18), overdue=[], expiring=[]
    )
    assert "reached nobody" not in quiet.text and "ZNS" not in quiet.text
    # What ZNS cost yesterday is in the digest too: it is paid.
    paid = texts.admin_digest(
        Translator("vi"),
        province="Lạng Sơn",
        today=date(2026, 10, 18),
        overdue=[],
        expiring=[],
        zns=(12, 3600),
    )
    assert "Hôm qua đã gửi 12 tin nhắc qua ZNS (có tính phí): 3.600 đồng." in paid.text


def test_templates_setting_is_checked() -> None:
    with pytest.raises(ValueError, match="template_id"):
        parse_templates('{"due": {"data": {}}}')
    with pytest.raises(ValueError, match="data values"):
        parse_templates('{"due": {"template_id": "1", "data": {"x": "password"}}}')
    assert parse_templates(TEMPLATES)["after-3"].template_id == "231456"


def test_the_spend_is_shown_by_the_cli(sqlite_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    from typer.testing import CliRunner

    from bot.cli import cli
    from storage.zalo_oa import ZnsSpendRows

    monkeypatch.setenv("OCOP_DATABASE_URL", sqlite_url)
    runner = CliRunner()
    empty = runner.invoke(cli, ["zalo-oa", "spend"])
    assert empty.exit_code == 0 and "No ZNS message" in empty.output

    async def spend_twice() -> None:
        app = App(make_settings(sqlite_url))
        await app.prepare()
        today = utcnow().astimezone(ZONE).date()
        async with app.session_factory() as session, session.begin():
            assert await ZnsSpendRows(session).take(today, 5, 300)
            assert await ZnsSpendRows(session).take(today, 5, 300)
        await app.close()

    asyncio.run(spend_twice())
    shown = runner.invoke(cli, ["zalo-oa", "spend", "--days", "3"])
    assert shown.exit_code == 0
    assert "2 messages" in shown.output and "600 đồng" in shown.output
