"""``ocop-bot users delete ID`` deletes the photos the person sent (the bot keeps them:
storage/files.py), while their product idea, a public record, stays."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from sqlalchemy import func, select
from typer.testing import CliRunner

from bot.app import App
from bot.cli import cli
from storage.files import FileKind, StoredFiles, file_ref, split
from storage.models import FileChunk, Role, StoredFile, Submission, UserStatus
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


async def producer_with_photos(url: str) -> int:
    app = App(make_settings(url))
    await app.prepare()
    try:
        async with app.session_factory() as session, session.begin():
            user, _ = await Users(session).create_with_identity("zalo", "a0b1c2", language="vi")
            user.role, user.status = Role.PRODUCER, UserStatus.ACTIVE
            user.full_name, user.phone = "Nguyễn Thị Hoa", "+84912345678"
            files = StoredFiles(session)
            photos = [
                await files.add(
                    kind=FileKind.PHOTO,
                    owner_id=user.id,
                    filename=f"zalo-{n}.jpg",
                    content_type="image/jpeg",
                    chunks=split(b"\xff\xd8\xff\xe0 photo"),
                )
                for n in range(2)
            ]
            await Submissions(session).create(
                form_id="product_idea",
                period="",
                scope_key="idea:1",
                receipt_prefix="YT",
                user=user,
                answers={"product_name": "Mật ong", "photos": [file_ref(p.id) for p in photos]},
                now=user.created_at,
            )
            return user.id
    finally:
        await app.close()


async def counted(url: str) -> tuple[int, int, int]:
    """Stored files, their chunks, and product ideas."""
    app = App(make_settings(url))
    try:
        async with app.session_factory() as session:
            return tuple(  # type: ignore[return-value]
                [
                    int(await session.scalar(select(func.count()).select_from(model)) or 0)
                    for model in (StoredFile, FileChunk, Submission)
                ]
            )
    finally:
        await app.close()


def test_deleting_a_person_deletes_their_photos_and_keeps_their_idea(env: str) -> None:
    user_id = asyncio.run(producer_with_photos(env))
    assert asyncio.run(counted(env)) == (2, 2, 1)
    done = runner.invoke(cli, ["users", "delete", str(user_id), "--yes"])
    assert done.exit_code == 0, done.output
    assert asyncio.run(counted(env)) == (0, 0, 1)
