"""The operator's command line: migrations, invite codes, approving an officer."""

from __future__ import annotations

import asyncio
import re
from pathlib import Path

import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from bot.app import App
from bot.cli import cli
from storage.models import OutboxMessage, Role, User, UserStatus
from storage.places import Places
from storage.users import Users
from tests.conftest import make_settings

runner = CliRunner()


@pytest.fixture
def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    url = f"sqlite+aiosqlite:///{tmp_path / 'cli.db'}"
    monkeypatch.setenv("OCOP_DATABASE_URL", url)
    monkeypatch.chdir(tmp_path)
    return url


def test_db_upgrade_on_a_new_file(env: str) -> None:
    result = runner.invoke(cli, ["db", "upgrade"])
    assert result.exit_code == 0, result.output
    assert "Database is up to date." in result.output


def test_invite_create_and_wrong_commune(env: str) -> None:
    result = runner.invoke(
        cli, ["invite", "create", "--province", "lang son", "--commune", "cao loc"]
    )
    assert result.exit_code == 0, result.output
    assert re.search(r"In the chat: /start [A-Z2-9]{8}", result.output)
    bad = runner.invoke(
        cli, ["invite", "create", "--province", "lang son", "--commune", "atlantis"]
    )
    assert bad.exit_code == 2
    assert "no commune 'atlantis' in Lạng Sơn" in bad.output


def test_invite_create_with_a_province_name_from_before_the_merger(env: str) -> None:
    """Operators copy names from older lists: "quang nam" is part of TP Đà Nẵng now."""
    result = runner.invoke(cli, ["invite", "create", "--province", "quang nam"])
    assert result.exit_code == 0, result.output
    assert "Đà Nẵng" in result.output


def test_approve_a_pending_officer_tells_them(env: str) -> None:
    async def pending_officer() -> int:
        app = App(make_settings(env))
        await app.prepare()
        async with app.session_factory() as session, session.begin():
            user, _ = await Users(session).create_with_identity("console", "an", language="vi")
            user.role, user.status, user.full_name = Role.OFFICER, UserStatus.PENDING, "lê an"
            user.phone = "+84912345678"
            commune = await Places(session).commune(6193)
            assert commune is not None
            user.commune_code, user.province_code = commune.code, commune.province_code
            user_id = user.id
        await app.close()
        return user_id

    user_id = asyncio.run(pending_officer())
    listing = runner.invoke(cli, ["users", "list", "--pending"])
    # As the chat shows them: the name capitalised, the phone as read, the commune by name.
    assert "Lê An  0912 345 678  Xã Cao Lộc, Lạng Sơn" in listing.output, listing.output
    result = runner.invoke(cli, ["users", "approve", str(user_id)])
    assert result.exit_code == 0 and "Approved: Lê An" in result.output
    again = runner.invoke(cli, ["users", "approve", str(user_id)])
    assert again.exit_code == 2 and "is not waiting for approval" in again.output

    async def check() -> tuple[str, list[str]]:
        app = App(make_settings(env))
        async with app.session_factory() as session:
            user = await session.get(User, user_id)
            rows = (await session.scalars(select(OutboxMessage))).all()
            status = user.status if user else "?"
        await app.close()
        return status, [row.payload["text"] for row in rows]

    status, texts = asyncio.run(check())
    assert status == UserStatus.ACTIVE
    assert any("Quản trị viên đã duyệt đăng ký cán bộ xã của anh/chị." in t for t in texts)
