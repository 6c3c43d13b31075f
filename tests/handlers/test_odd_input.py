"""Odd but harmless input gets a message about the input: never the internal-error apology,
never a traceback, never a retry (observed: ``/khoa ²``, a malformed ``@`` action, periods
like ``0000`` or ``9999-Q4``)."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator

import pytest
from sqlalchemy import select

from bot.app import App
from bot.messages import Inbound, InboundKind
from storage.models import OutboxMessage, Role, UserStatus
from tests.conftest import make_settings
from tests.handlers.scene import person

APOLOGY = "Xin lỗi, hệ thống gặp sự cố"

ODD = [
    ("text", "/khoa ²"),
    ("text", "/khoa 84912345678"),
    ("text", "/capquyen 99999999999"),
    ("text", "@"),
    ("text", "@review:ok:²"),
    ("button", "@"),
    ("button", "@review:"),
    ("button", "@approve:99999999999"),
    ("button", "@@@"),
    ("button", "@form:x:y:z"),
    ("button", "@fix:²"),
    ("button", "p:²"),
    ("text", "/tiendo commune_report 0000"),
    ("text", "/tiendo commune_report 9999-Q4"),
    ("text", "/lich commune_report han 99999999999"),
    ("text", "/lich commune_report khoa ²"),
    ("text", "/lich commune_report nhac 7,²"),
]


@pytest.fixture
async def app(database_url: str) -> AsyncIterator[App]:
    app = App(make_settings(database_url))
    await app.prepare()
    await person(app, "admin", Role.NATIONAL_ADMIN, UserStatus.ACTIVE, None)
    yield app
    await app.close()


@pytest.mark.parametrize(("kind", "body"), ODD, ids=[body for _, body in ODD])
async def test_odd_input_is_answered_about_the_input(app: App, kind: str, body: str) -> None:
    inbound = Inbound(
        channel="console",
        user_id="admin",
        message_id=uuid.uuid4().hex,
        kind=InboundKind.BUTTON if kind == "button" else InboundKind.TEXT,
        text=body if kind == "text" else None,
        payload=body if kind == "button" else None,
    )
    assert await app.pipeline.process(inbound) is True
    async with app.session_factory() as session:
        replies = (await session.scalars(select(OutboxMessage))).all()
    texts = [str(row.payload.get("text")) for row in replies]
    assert texts, "no answer at all"
    assert not any(APOLOGY in text for text in texts), texts
