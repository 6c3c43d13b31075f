"""Exports on Zalo arrive as signed download links, end to end over HTTP: an admin writes
``/xuat`` on the fake Zalo, receives a link under OCOP_PUBLIC_URL, downloads the workbook
from the bot's own HTTP server (127.0.0.1) and opens it with openpyxl. The outbox never
holds the workbook. An expired link, a forged one and one whose file was purged are
refused with a page in Vietnamese and English."""

from __future__ import annotations

import io
import re
import time
from collections.abc import AsyncIterator
from datetime import timedelta

import aiohttp
import openpyxl
import pytest
from sqlalchemy import select, update

from bot.app import App
from bot.files.signing import Claim
from storage.models import OutboxMessage, Role, StoredFile, User, UserStatus, utcnow
from storage.places import Places
from storage.retention import purge_now
from storage.submissions import Submissions
from storage.users import Users
from tests.bot.channels.test_telegram_helpers import bounded, free_port
from tests.bot.channels.test_zalo_helpers import make_app, running, settled
from tests.fakes.zalo_api import FakeZaloServer

LINK = re.compile(r"http://127\.0\.0\.1:\d+/files/\S+")


@pytest.fixture
async def zalo() -> AsyncIterator[FakeZaloServer]:
    async with FakeZaloServer() as fake:
        yield fake


@pytest.fixture
async def app(database_url: str, zalo: FakeZaloServer) -> AsyncIterator[App]:
    port = free_port()
    app = await make_app(
        database_url, zalo, public_url=f"http://127.0.0.1:{port}", webhook_port=port
    )
    yield app
    await app.close()


async def admin_and_a_report(app: App, zalo_id: str) -> int:
    """A national admin who uses Zalo, and one commune report to export."""
    async with app.session_factory() as session, session.begin():
        users = Users(session)
        admin, _ = await users.create_with_identity("zalo", zalo_id, language="vi")
        admin.role, admin.status, admin.full_name = (
            Role.NATIONAL_ADMIN,
            UserStatus.ACTIVE,
            "Quản trị viên",
        )
        officer, _ = await users.create_with_identity("console", "officer", language="vi")
        places = Places(session)
        province = (await places.search_provinces("lang son"))[0]
        commune = (await places.search_communes(province.code, "cao loc"))[0]
        officer.role, officer.status, officer.full_name = (
            Role.OFFICER,
            UserStatus.ACTIVE,
            "Cán bộ Cao Lộc",
        )
        officer.province_code, officer.commune_code = province.code, commune.code
        await session.flush()
        await Submissions(session).create(
            form_id="commune_report",
            period="2024-Q2",
            scope_key=f"commune:{commune.code}",
            receipt_prefix="BCX",
            user=officer,
            answers={"products_registered": "7"},
            now=utcnow(),
        )
        return admin.id


async def get(url: str) -> tuple[int, str, bytes]:
    async with aiohttp.ClientSession() as client, client.get(url, timeout=10) as answer:
        return answer.status, answer.headers.get("Content-Type", ""), await answer.read()


@bounded(90)
async def test_an_admin_on_zalo_downloads_the_export_from_the_link(
    app: App, zalo: FakeZaloServer
) -> None:
    admin_id = await admin_and_a_report(app, "ad01ad01")
    admin = zalo.user("ad01ad01", "Quản trị viên")
    async with running(app, zalo):
        admin.says("/xuat")
        await admin.expect("Xuất báo cáo nào?")
        admin.says("1")  # the commune report
        await admin.expect("Kỳ nào?")
        admin.says("2024-Q2")
        await admin.expect("Khu vực nào?")
        admin.says("1")  # the whole country
        await admin.expect("Đang chuẩn bị tệp")
        [text] = await admin.expect("tải tệp ocop_commune_report_2024-Q2.xlsx tại đây")
        assert "24 giờ" in text and "không chuyển tiếp" in text
        match = LINK.search(text)
        assert match is not None, text
        status, content_type, body = await get(match.group(0))
        assert status == 200, body[:300]
        assert content_type.startswith("application/vnd.openxmlformats")
        book = openpyxl.load_workbook(io.BytesIO(body), read_only=True)
        cells = {
            str(cell)
            for sheet in book.worksheets
            for row in sheet.iter_rows(values_only=True)
            for cell in row
            if cell is not None
        }
        assert {"Xã Cao Lộc", "BCX-000001"} <= cells
        await settled(app, zalo)

        # The workbook went to the files table, never into the outbox.
        async with app.session_factory() as session:
            payloads = (await session.scalars(select(OutboxMessage.payload))).all()
            [stored] = (await session.scalars(select(StoredFile))).all()
        assert not any(payload.get("document") for payload in payloads)
        assert (stored.kind, stored.owner_id, stored.size) == ("export", admin_id, len(body))

        # A forged signature, another user's id under the same signature, an expired link.
        assert app.links is not None
        token = match.group(0).rsplit("/", 1)[1]
        file_id, user_id, expires, signature = token.split(".")
        base = match.group(0).rsplit("/", 1)[0]
        forged = signature[:-1] + ("A" if signature[-1] != "A" else "B")
        for bad in (
            f"{file_id}.{user_id}.{expires}.{forged}",
            f"{file_id}.{int(user_id) + 1}.{expires}.{signature}",
            "not-a-token",
        ):
            status, content_type, body = await get(f"{base}/{bad}")
            assert status == 403 and content_type.startswith("text/html")
            assert "Liên kết tải tệp này không hợp lệ." in body.decode()
            assert "This download link is not valid." in body.decode()
        expired = app.links.signer.token(Claim(int(file_id), admin_id, int(time.time()) - 60))
        status, _, body = await get(f"{base}/{expired}")
        assert status == 410
        assert "đã hết hạn" in body.decode() and "has expired" in body.decode()

        # Past its time the file itself is purged (start-up and nightly), and its link is gone.
        async with app.session_factory() as session, session.begin():
            await session.execute(
                update(StoredFile).values(expires_at=utcnow() - timedelta(minutes=1))
            )
        purged = await purge_now(app.session_factory, days=30)
        assert purged.files == 1
        status, _, body = await get(match.group(0))
        assert status == 410 and "Traceback" not in body.decode()


@bounded(60)
async def test_without_a_public_url_zalo_says_where_else_to_get_the_file(
    database_url: str, zalo: FakeZaloServer
) -> None:
    app = await make_app(database_url, zalo)
    try:
        await admin_and_a_report(app, "ad02ad02")
        admin = zalo.user("ad02ad02", "Quản trị viên")
        async with running(app, zalo):
            admin.says("/xuat")
            await admin.expect("Xuất báo cáo nào?")
            admin.says("1")
            await admin.expect("Kỳ nào?")
            admin.says("2024-Q2")
            await admin.expect("Khu vực nào?")
            admin.says("1")
            await admin.expect("Đang chuẩn bị tệp", "Zalo không gửi được tệp")
            await settled(app, zalo)
        async with app.session_factory() as session:
            assert (await session.scalars(select(StoredFile))).all() == []
            assert (await session.scalars(select(User))).all()
    finally:
        await app.close()
