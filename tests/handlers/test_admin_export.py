"""/xuat sends an Excel file an office can open, holding only the admin's province."""

from __future__ import annotations

import io

import openpyxl

from storage.models import Role, User, UserStatus
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
