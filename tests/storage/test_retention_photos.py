"""Orphan photos: a kept photo no answer names (sent outside a photo question, or as a new
person's very first message, with no owner yet) is dropped by the retention purge once the
grace period has passed; photos held by a report, an earlier revision or a draft in progress
are kept, and so are recent ones."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta

import pytest
from sqlalchemy import func, select, update

from bot.app import App
from bot.files.fetch import Download
from bot.files.photos import PhotoKeeper
from bot.messages import FileRef, Inbound, InboundKind
from storage.files import FileKind, StoredFiles, file_ref, ref_id, split
from storage.models import (
    Conversation,
    FileChunk,
    StoredFile,
    Submission,
    SubmissionRevision,
    utcnow,
)
from storage.retention import purge
from storage.users import Users
from tests.conftest import make_settings

JPEG = b"\xff\xd8\xff\xe0" + b"photo" * 100


@pytest.fixture
async def app(database_url: str) -> AsyncIterator[App]:
    app = App(make_settings(database_url))
    await app.prepare()
    yield app
    await app.close()


async def user(app: App, external_id: str) -> int:
    async with app.session_factory() as session, session.begin():
        created, _ = await Users(session).create_with_identity(
            "telegram", external_id, language="vi"
        )
        return created.id


async def photo(app: App, owner: int | None, *, age_days: float = 3) -> int:
    async with app.session_factory() as session, session.begin():
        info = await StoredFiles(session).add(
            kind=FileKind.PHOTO,
            filename="p.jpg",
            content_type="image/jpeg",
            chunks=split(JPEG),
            owner_id=owner,
        )
        await session.execute(
            update(StoredFile)
            .where(StoredFile.id == info.id)
            .values(created_at=utcnow() - timedelta(days=age_days))
        )
        return info.id


async def remaining(app: App) -> set[int]:
    async with app.session_factory() as session:
        return set(await session.scalars(select(StoredFile.id)))


async def chunks_of(app: App, file_id: int) -> int:
    async with app.session_factory() as session:
        count = await session.scalar(
            select(func.count()).select_from(FileChunk).where(FileChunk.file_id == file_id)
        )
        return int(count or 0)


async def run_purge(app: App) -> int:
    async with app.session_factory() as session, session.begin():
        return (await purge(session, days=30)).photos


async def test_unreferenced_photos_go_after_the_grace_period(app: App) -> None:
    hoa = await user(app, "hoa")
    answered = await photo(app, hoa)
    revised = await photo(app, hoa)
    in_list = await photo(app, hoa)
    in_draft = await photo(app, hoa)
    stray = await photo(app, hoa)  # sent outside a photo question
    ownerless = await photo(app, None)  # a new person's very first message
    recent = await photo(app, hoa, age_days=0.5)  # the message may still be being handled
    recent_ownerless = await photo(app, None, age_days=0.5)
    async with app.session_factory() as session, session.begin():
        submission = Submission(
            form_id="product_idea",
            period="",
            scope_key=f"user:{hoa}",
            user_id=hoa,
            receipt="R-1",
            answers={"name": "Mật ong", "photo": file_ref(answered), "extra": [file_ref(in_list)]},
        )
        session.add(submission)
        await session.flush()
        session.add(
            SubmissionRevision(
                submission_id=submission.id,
                revision=1,
                answers={"photo": file_ref(revised)},
                user_id=hoa,
            )
        )
        session.add(
            Conversation(
                user_id=hoa,
                flow="form",
                step="q:photo2",
                data={"form": "product_idea", "answers": {"photo2": file_ref(in_draft)}},
            )
        )

    assert await run_purge(app) == 2
    assert await remaining(app) == {answered, revised, in_list, in_draft, recent, recent_ownerless}
    assert await chunks_of(app, stray) == 0 and await chunks_of(app, ownerless) == 0
    assert await chunks_of(app, answered) > 0
    assert await run_purge(app) == 0  # nothing more to do: the next night changes nothing


async def test_a_photo_as_first_message_is_kept_without_owner_then_purged(app: App) -> None:
    async def source(file: FileRef) -> Download:
        return Download(content=JPEG, content_type="image/jpeg", extension="jpg")

    keeper = PhotoKeeper(app.session_factory, source)
    kept = await keeper.keep(
        Inbound(
            channel="telegram",
            user_id="stranger",
            message_id="m1",
            kind=InboundKind.PHOTO,
            file=FileRef(file_id="AgAC-telegram-id"),
        )
    )
    assert kept.file is not None
    stored = ref_id(kept.file.file_id)
    assert stored is not None
    async with app.session_factory() as session:
        info = await StoredFiles(session).info(stored)
    assert info is not None and info.owner_id is None
    assert await run_purge(app) == 0  # just arrived: within the grace period
    assert stored in await remaining(app)
    async with app.session_factory() as session, session.begin():
        await session.execute(
            update(StoredFile)
            .where(StoredFile.id == stored)
            .values(created_at=utcnow() - timedelta(days=3))
        )
    assert await run_purge(app) == 1
    assert stored not in await remaining(app)
