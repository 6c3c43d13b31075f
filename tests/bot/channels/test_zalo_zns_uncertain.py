"""A ZNS reminder is paid: one whose call got no answer may have gone, so it is not sent
again (Zalo would charge twice, and the officer would read it twice). One that never reached
Zalo is tried again and costs nothing. Against the fake OA over HTTP."""

from __future__ import annotations

import json
import socket
from collections.abc import AsyncIterator

import pytest

from bot.app import App
from bot.channels.base import PermanentFailure, RetryLater
from bot.channels.zalo_oa.service import ZaloOaService
from bot.channels.zalo_oa.zns import spent
from bot.messages import Outbound
from tests.bot.channels.test_telegram_helpers import bounded
from tests.bot.channels.test_zalo_oa_end_to_end import make_app
from tests.fakes.zalo_oa_api import FakeOaServer

REMINDER = Outbound(
    text=json.dumps(
        {
            "template_id": "231456",
            "template_data": {"report_name": "Báo cáo quý", "period": "Quý 3/2026"},
            "key": "reminder-1",
        }
    )
)


@pytest.fixture
async def oa() -> AsyncIterator[FakeOaServer]:
    async with FakeOaServer() as fake:
        yield fake


async def service(app: App) -> ZaloOaService:
    oa_service = ZaloOaService(app)
    await oa_service.tokens.prepare()
    return oa_service


@bounded(40)
async def test_a_reminder_without_an_answer_is_not_sent_again(
    database_url: str, oa: FakeOaServer
) -> None:
    app = await make_app(database_url, oa, zalo_oa_timeout=1.0, zalo_zns_unit_cost=300)
    zalo = await service(app)
    try:
        await zalo.tokens.current()
        oa.zns_stall = 3.0
        with pytest.raises(PermanentFailure, match="uncertain"):
            await zalo.zns.send("84912345678", REMINDER)
        assert len(oa.zns) == 1  # Zalo took it
        # Its place and cost stay counted: it may have been charged.
        assert await spent(app.session_factory, zalo.zns.today()) == (1, 300)
    finally:
        await zalo.api.close()
        await app.close()


@bounded(40)
async def test_a_reminder_that_never_reached_zalo_is_tried_again_free(
    database_url: str, oa: FakeOaServer
) -> None:
    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))
        nobody = f"http://127.0.0.1:{closed.getsockname()[1]}"
    app = await make_app(database_url, oa, zalo_zns_base=nobody, zalo_zns_unit_cost=300)
    zalo = await service(app)
    try:
        with pytest.raises(RetryLater):
            await zalo.zns.send("84912345678", REMINDER)
        assert await spent(app.session_factory, zalo.zns.today()) == (0, 0)
    finally:
        await zalo.api.close()
        await app.close()
