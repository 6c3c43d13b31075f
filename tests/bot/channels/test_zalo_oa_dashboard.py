"""The province page of the dashboard counts the reminders of the last day that reached
nobody because the Zalo OA's window was closed (issue 17)."""

from __future__ import annotations

from sqlalchemy import select

from bot.messages import Outbound
from scheduler.routing import UNREACHABLE
from storage.models import OutboxMessage, OutboxStatus
from storage.outbox import Outbox
from tests.web.conftest import Web, page, web  # noqa: F401  (the fixture)
from tests.web.seed import province_named


async def test_the_province_page_shows_unreached_reminders(web: Web) -> None:  # noqa: F811
    lang_son = await province_named(web.app, "Lạng Sơn")
    producer = web.users["producer"]
    async with web.app.session_factory() as session, session.begin():
        await Outbox(session).enqueue(
            channel="zalo_oa",
            address="oa-1",
            message=Outbound(text="Nhắc nhở"),
            user_id=producer.id,
            dedupe_key="remind:test",
        )
        row = await session.scalar(
            select(OutboxMessage).where(OutboxMessage.dedupe_key == "remind:test")
        )
        assert row is not None
        row.status, row.error = OutboxStatus.FAILED, UNREACHABLE
    client = await web.signed_in("national")
    query = "form=commune_report&period=2024-Q2"
    status, text = await page(client, f"/admin/completeness/{lang_son.code}?{query}")
    assert status == 200
    assert "1 lời nhắc của ngày qua không đến được ai" in text
