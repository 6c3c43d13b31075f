"""/xuat sends an Excel file an office can open, holding only the admin's province."""

from __future__ import annotations

import io

import openpyxl
from sqlalchemy import select

from storage.jobs import Jobs
from storage.models import BackgroundJob, JobStatus, Role, User, UserStatus
from storage.submissions import Submissions
from tests.handlers.scene import Chat, person


async def test_export_in_chat_is_a_workbook_of_the_admins_province(world) -> None:  # type: ignore[no-untyped-def]
    app, _users = world
    hanoi = await person(app, "officer_hn", Role.OFFICER, UserStatus.ACTIVE, "ha noi", "hoan kiem")
    async with app.session_factory() as session, session.begin():
        officer = await session.get(User, hanoi.id)
        assert officer is not None
        await Submissions(session).create(
            form_id="commune_report",
            period="2024-Q2",
            scope_key=f"commune:{officer.commune_code}",
            receipt_prefix="BCX",
            user=officer,
            answers={"products_registered": "9"},
            now=officer.created_at,
        )
    chat = Chat(app)
    assert "Xuất báo cáo nào?" in await chat.say("admin_ls", "/xuat")
    await chat.say("admin_ls", "1")
    await chat.say("admin_ls", "2024-Q2")
    replies = await chat.messages("admin_ls", "1")  # the whole province
    documents = [r.document for r in replies if r.document is not None]
    assert len(documents) == 1
    book = openpyxl.load_workbook(io.BytesIO(documents[0].content), read_only=True)
    cells = [
        str(c)
        for sheet in book.worksheets
        for row in sheet.iter_rows(values_only=True)
        for c in row
        if c is not None
    ]
    assert "Xã Cao Lộc" in cells and "BCX-000001" in cells
    assert "Phường Hoàn Kiếm" not in cells and "BCX-000002" not in cells
    assert "Tình hình báo cáo" in book.sheetnames


async def test_an_export_that_fails_tells_the_admin_why(world, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """Observed: a failed export was only a line in the log; the admin waited for ever."""
    app, _users = world

    async def broken(*args, **kwargs):  # type: ignore[no-untyped-def]
        raise RuntimeError("disk full")

    monkeypatch.setattr("bot.export_job.export", broken)
    chat = Chat(app)
    await chat.say("admin_ls", "/xuat")
    await chat.say("admin_ls", "1")
    await chat.say("admin_ls", "2024-Q2")
    answer = await chat.say("admin_ls", "1")
    assert "Xin lỗi, chưa thực hiện được yêu cầu của anh/chị" in answer
    async with app.session_factory() as session:
        job = (await session.scalars(select(BackgroundJob))).one()
    assert (job.status, job.error) == (JobStatus.FAILED, "RuntimeError: disk full")


async def test_an_export_left_by_a_killed_process_is_done_after_the_restart(world) -> None:  # type: ignore[no-untyped-def]
    """Observed: an export asked for just before a restart never came. The job is a row; the
    restarted process takes it up (its first holder stopped beating)."""
    app, _users = world
    async with app.session_factory() as session, session.begin():
        admin = (await session.scalars(select(User).where(User.full_name == "admin_ls"))).one()
        job_id = await Jobs(session).add(
            kind="export",
            params={"report": "commune_report", "period": "2024-Q2"},
            user_id=admin.id,
            channel="console",
            address="admin_ls",
            language="vi",
        )
        claimed = await Jobs(session).claim(job_id, "gone-host:123:dead")  # ...then killed
        assert claimed is not None
    chat = Chat(app)
    assert await app.pipeline.jobs.resume() == 1
    await app.pipeline.idle()
    await chat.sender.drain()
    documents = [m.document for m in chat.channel.inbox.pop("admin_ls", []) if m.document]
    assert len(documents) == 1
    assert await app.pipeline.jobs.resume() == 0  # done once, not again
