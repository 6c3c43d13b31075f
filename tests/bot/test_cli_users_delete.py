"""``ocop-bot users delete ID``: the operator carries out a deletion request (Decree
13/2023/NĐ-CP), asked to confirm unless ``--yes``; the person's reports stay."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from bot.app import App
from bot.cli import cli
from storage.models import AuditEntry, Identity, Role, Submission, User, UserStatus
from storage.submissions import Submissions
from storage.users import Users
from tests.conftest import make_settings

runner = CliRunner()


@pytest.fixture
def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    url = f"sqlite+aiosqlite:///{tmp_path / 'cli.db'}"
    monkeypatch.setenv("OCOP_DATABASE_URL", url)
    monkeypatch.chdir(tmp_path)
    return url


async def officer_with_a_report(url: str) -> int:
    app = App(make_settings(url))
    await app.prepare()
    try:
        async with app.session_factory() as session, session.begin():
            user, _ = await Users(session).create_with_identity("telegram", "5001", language="vi")
            user.role, user.status = Role.OFFICER, UserStatus.ACTIVE
            user.full_name, user.phone = "Lê Thị Mai", "+84912000111"
            await Submissions(session).create(
                form_id="commune_report",
                period="2024-Q2",
                scope_key="commune:1",
                receipt_prefix="BCX",
                user=user,
                answers={"products_registered": "2"},
                now=user.created_at,
            )
            return user.id
    finally:
        await app.close()


async def stored(url: str, user_id: int) -> tuple[User | None, int, int, list[AuditEntry]]:
    app = App(make_settings(url))
    try:
        async with app.session_factory() as session:
            user = await session.get(User, user_id)
            identities = len((await session.scalars(select(Identity))).all())
            reports = len((await session.scalars(select(Submission))).all())
            audit = list(
                (
                    await session.scalars(
                        select(AuditEntry).where(AuditEntry.action == "user_erased")
                    )
                ).all()
            )
            return user, identities, reports, audit
    finally:
        await app.close()


def test_delete_asks_first_then_erases_and_keeps_the_report(env: str) -> None:
    user_id = asyncio.run(officer_with_a_report(env))
    declined = runner.invoke(cli, ["users", "delete", str(user_id)], input="n\n")
    assert declined.exit_code == 1 and "Nothing was deleted." in declined.output
    user, identities, _reports, _audit = asyncio.run(stored(env, user_id))
    assert user is not None and user.full_name == "Lê Thị Mai" and identities == 1

    done = runner.invoke(cli, ["users", "delete", str(user_id)], input="y\n")
    assert done.exit_code == 0, done.output
    assert f"The personal data of user {user_id} were deleted" in done.output
    user, identities, reports, audit = asyncio.run(stored(env, user_id))
    assert user is not None  # the report points at it: an anonymous placeholder
    assert (user.full_name, user.phone, user.status) == (None, None, UserStatus.ERASED)
    assert (identities, reports) == (0, 1)
    assert [(a.user_id, a.detail) for a in audit] == [(None, {"user": user_id, "by": "operator"})]

    again = runner.invoke(cli, ["users", "delete", str(user_id), "--yes"])
    assert again.exit_code == 2 and "no user" in again.output


def test_delete_with_yes_asks_nothing_and_drops_an_unreferenced_row(env: str) -> None:
    async def newcomer() -> int:
        app = App(make_settings(env))
        await app.prepare()
        try:
            async with app.session_factory() as session, session.begin():
                user, _ = await Users(session).create_with_identity("console", "an", language="vi")
                user.full_name, user.status = "Phạm An", UserStatus.ACTIVE
                return user.id
        finally:
            await app.close()

    user_id = asyncio.run(newcomer())
    done = runner.invoke(cli, ["users", "delete", str(user_id), "--yes"])
    assert done.exit_code == 0, done.output
    user, identities, _reports, _audit = asyncio.run(stored(env, user_id))
    assert user is None and identities == 0
