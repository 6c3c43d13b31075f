"""``ocop-bot users approve`` tells the officer like the chat's "Approve" button does: on a
messenger that can carry it now, else kept as a failed row counted as unreachable
(storage/reach.py), never skipped. Through the command itself, on SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from bot.app import App
from bot.cli import cli
from storage.models import OutboxMessage, OutboxStatus, Role, User, UserStatus, utcnow
from storage.reach import NOTICE_UNREACHABLE
from storage.zalo_oa import unreached_by_province
from tests.conftest import make_settings
from tests.people import add_identities

runner = CliRunner()


async def pending_officer(
    url: str, name: str, identities: list[tuple[str, timedelta, bool]]
) -> int:
    """A pending officer with these identities: (channel, last seen how long ago, reachable)."""
    app = App(make_settings(url))
    await app.prepare()
    try:
        async with app.session_factory() as session, session.begin():
            user = User(role=Role.OFFICER, status=UserStatus.PENDING, full_name=name, language="vi")
            session.add(user)
            await session.flush()
            add_identities(session, user.id, identities)
            return user.id
    finally:
        await app.close()


async def outbox_of(url: str, user_id: int) -> list[tuple[str, str, str, str]]:
    app = App(make_settings(url))
    try:
        async with app.session_factory() as session:
            rows = (
                await session.scalars(
                    select(OutboxMessage)
                    .where(OutboxMessage.user_id == user_id)
                    .order_by(OutboxMessage.id)
                )
            ).all()
            return [(r.channel, r.address, r.status, r.error or "") for r in rows]
    finally:
        await app.close()


async def unreached(url: str) -> dict[int | None, int]:
    app = App(make_settings(url))
    try:
        async with app.session_factory() as session:
            return await unreached_by_province(session, utcnow() - timedelta(days=1))
    finally:
        await app.close()


@pytest.fixture
def operator(database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    """The operator's shell: OCOP_DATABASE_URL set, no .env file in the directory."""
    monkeypatch.setenv("OCOP_DATABASE_URL", database_url)
    monkeypatch.chdir(tmp_path)
    return database_url


async def approve(user_id: int) -> None:
    # The command runs its own event loop (asyncio.run): in a thread of its own here.
    result = await asyncio.to_thread(runner.invoke, cli, ["users", "approve", str(user_id)])
    assert result.exit_code == 0, result.output
    assert "Approved:" in result.output


async def test_approving_someone_no_messenger_can_reach_keeps_the_notice_as_unreachable(
    operator: str,
) -> None:
    # Only the Zalo OA, last written to three days ago: its 48-hour window is closed.
    oa_closed = await pending_officer(
        operator, "Trần Thị Cúc", [("zalo_oa", timedelta(days=3), True)]
    )
    # Only Telegram, and they blocked the bot.
    blocked = await pending_officer(
        operator, "Lê Văn Tư", [("telegram", timedelta(hours=1), False)]
    )
    # The OA window closed, but Telegram is linked: the notice goes there.
    linked = await pending_officer(
        operator,
        "Nguyễn Văn Lâm",
        [("zalo_oa", timedelta(days=3), True), ("telegram", timedelta(days=20), True)],
    )

    for who in (oa_closed, blocked, linked):
        await approve(who)

    assert await outbox_of(operator, oa_closed) == [
        ("zalo_oa", f"zalo_oa-{oa_closed}", OutboxStatus.FAILED, NOTICE_UNREACHABLE)
    ]
    assert await outbox_of(operator, blocked) == [
        ("telegram", f"telegram-{blocked}", OutboxStatus.FAILED, NOTICE_UNREACHABLE)
    ]
    assert await outbox_of(operator, linked) == [
        ("telegram", f"telegram-{linked}", OutboxStatus.PENDING, "")
    ]
    # Counted in the admin digest and the dashboard like any notice nobody could carry.
    assert await unreached(operator) == {None: 2}
