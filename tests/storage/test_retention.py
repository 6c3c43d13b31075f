"""Retention of the outbox: delivered messages go after the retention period (keyed ones are
reduced to their key), an export's file never stays once delivered, pending rows are never
touched; the purge runs at start-up."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta

import pytest
from sqlalchemy import select, update

from bot.app import App
from bot.messages import Document, Outbound
from storage.models import OutboxMessage, OutboxStatus, utcnow
from storage.outbox import Outbox
from storage.retention import purge, without_document
from tests.conftest import make_settings

FILE = Document(filename="bao_cao.xlsx", content=b"PK\x03\x04 reports", mime_type="x")


@pytest.fixture
async def app(database_url: str) -> AsyncIterator[App]:
    app = App(make_settings(database_url))
    await app.prepare()
    yield app
    await app.close()


async def add(
    app: App,
    text: str,
    *,
    status: str = OutboxStatus.SENT,
    age_days: int = 0,
    key: str | None = None,
    document: Document | None = None,
) -> int:
    async with app.session_factory() as session, session.begin():
        await Outbox(session).enqueue(
            channel="console",
            address="an",
            message=Outbound(text=text, document=document),
            user_id=None,
            dedupe_key=key,
        )
        row = (
            await session.scalars(select(OutboxMessage).order_by(OutboxMessage.id.desc()))
        ).first()
        assert row is not None
        when = utcnow() - timedelta(days=age_days)
        await session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.id == row.id)
            .values(
                status=status,
                created_at=when,
                sent_at=when if status == OutboxStatus.SENT else None,
                error="HTTP 400" if status == OutboxStatus.FAILED else None,
            )
        )
        return row.id


async def rows(app: App) -> dict[int, OutboxMessage]:
    async with app.session_factory() as session:
        return {r.id: r for r in (await session.scalars(select(OutboxMessage))).all()}


async def test_delivered_rows_go_after_the_retention_period(app: App) -> None:
    old_sent = await add(app, "Cảm ơn Nguyễn Thị Hoa", age_days=31)
    old_failed = await add(app, "0912 345 678", status=OutboxStatus.FAILED, age_days=40)
    old_reminder = await add(app, "Nhắc: báo cáo quý", age_days=31, key="remind:1:x:2024-Q2:d3")
    old_pending = await add(app, "vẫn chờ", status=OutboxStatus.PENDING, age_days=90)
    recent = await add(app, "hôm qua", age_days=1)
    async with app.session_factory() as session, session.begin():
        purged = await purge(session, days=30)
    assert (purged.deleted, purged.reduced) == (2, 1)
    kept = await rows(app)
    assert old_sent not in kept and old_failed not in kept
    reminder = kept[old_reminder]
    # The key still says "sent" (a re-run never sends it twice); nothing else is left.
    assert (reminder.dedupe_key, reminder.payload, reminder.address, reminder.error) == (
        "remind:1:x:2024-Q2:d3",
        {"text": ""},
        "",
        None,
    )
    assert kept[old_pending].payload["text"] == "vẫn chờ"
    assert kept[recent].payload["text"] == "hôm qua"
    async with app.session_factory() as session, session.begin():
        again = await purge(session, days=30)
    assert (again.deleted, again.reduced) == (0, 0)


async def test_an_export_file_leaves_the_outbox_once_delivered(app: App) -> None:
    delivered = await add(app, "Đây là tệp xuất", document=FILE)
    waiting = await add(app, "Sắp gửi", status=OutboxStatus.PENDING, document=FILE)
    async with app.session_factory() as session, session.begin():
        purged = await purge(session, days=30)
    assert purged.documents == 1
    kept = await rows(app)
    assert kept[delivered].payload["document"] is None
    assert kept[delivered].payload["text"] == "Đây là tệp xuất"
    assert kept[waiting].payload["document"]["filename"] == "bao_cao.xlsx"


async def test_the_sender_drops_the_file_the_moment_it_is_delivered(app: App) -> None:
    from tests.transcript import RecordingChannel

    row_id = await add(app, "Đây là tệp xuất", status=OutboxStatus.PENDING, document=FILE)
    channel = RecordingChannel()
    await app.sender({"console": channel}).run_once()
    assert channel.inbox["an"][0].document == FILE  # delivered with its file...
    stored = (await rows(app))[row_id]
    assert stored.status == OutboxStatus.SENT
    assert stored.payload["document"] is None  # ...and not kept


def test_without_document_is_what_mark_sent_stores() -> None:
    payload = Outbound(text="x", document=FILE).model_dump(mode="json")
    assert without_document(payload) == {**payload, "document": None}
    assert without_document(Outbound(text="x").model_dump(mode="json")) is None


async def test_the_purge_runs_at_start_up(database_url: str) -> None:
    first = App(make_settings(database_url))
    await first.prepare()
    gone = await add(first, "Cảm ơn Nguyễn Thị Hoa", age_days=45)
    await first.close()
    second = App(make_settings(database_url))
    try:
        assert second.retention_days == 30  # OCOP_OUTBOX_RETENTION_DAYS, or its default
        await second.prepare()
        assert gone not in await rows(second)
    finally:
        await second.close()


async def test_set_aside_messages_and_finished_jobs_go_with_the_same_period(app: App) -> None:
    from sqlalchemy import func, select

    from storage.models import BackgroundJob, JobStatus, SetAsideMessage, utcnow

    old, recent = utcnow() - timedelta(days=40), utcnow() - timedelta(days=2)
    async with app.session_factory() as session, session.begin():
        for when in (old, recent):
            session.add(
                SetAsideMessage(
                    channel="zalo",
                    message_id=f"m{when:%j}",
                    address="a1",
                    kind="text",
                    text="Nguyễn Thị Hoa",
                    attempts=5,
                    error="x",
                    created_at=when,
                )
            )
            for status in (JobStatus.DONE, JobStatus.PENDING):
                session.add(
                    BackgroundJob(
                        kind="export",
                        params={},
                        channel="zalo",
                        address="a1",
                        language="vi",
                        status=status,
                        attempts=1,
                        created_at=when,
                    )
                )
    async with app.session_factory() as session, session.begin():
        await purge(session, days=30)
    async with app.session_factory() as session:
        kept = await session.scalar(select(func.count()).select_from(SetAsideMessage))
        jobs = (await session.scalars(select(BackgroundJob))).all()
    assert kept == 1
    assert sorted((job.status, job.created_at < recent) for job in jobs) == [
        (JobStatus.DONE, False),
        (JobStatus.PENDING, False),
        (JobStatus.PENDING, True),  # an old job not yet done is not thrown away
    ]
