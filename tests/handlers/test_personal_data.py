"""Personal data under Decree 13/2023/NĐ-CP, checked in the database: a declined consent
leaves no name or phone anywhere; a deletion (by the person, or by an admin of their area)
leaves reports and nothing personal; rights are read again when the admin confirms."""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import select, update

from bot.app import App
from bot.messages import Outbound
from storage.files import FileKind, StoredFiles, split
from storage.models import (
    AuditEntry,
    Base,
    Conversation,
    FileChunk,
    Identity,
    OutboxMessage,
    OutboxStatus,
    StoredFile,
    Submission,
    User,
    UserStatus,
)
from storage.outbox import Outbox
from storage.retention import purge
from tests.handlers.scene import Chat

NAME = "Nguyễn Thị Hoa"
PHONES = ("0912 345 678", "0912345678", "+84912345678")
SKIP_TABLES = {"provinces", "communes", "alembic_version"}


async def everything(app: App) -> str:
    """Every row of every table but the administrative units, as one text to search."""
    lines: list[str] = []
    async with app.session_factory() as session:
        for table in Base.metadata.sorted_tables:
            if table.name in SKIP_TABLES:
                continue
            for row in (await session.execute(select(table))).all():
                values = [json.dumps(v, ensure_ascii=False, default=str) for v in row]
                lines.append(f"{table.name}: {' '.join(values)}")
    return "\n".join(lines)


def personal(text: str, name: str = NAME) -> list[str]:
    return [needle for needle in (name, *PHONES) if needle in text]


async def register_until_consent(chat: Chat, who: str) -> str:
    for said in ("/start", "1", "1", "lang son", "xa cao loc", NAME):
        await chat.say(who, said)
    return await chat.say(who, PHONES[0])


async def test_declining_consent_leaves_no_name_or_phone_anywhere(world) -> None:  # type: ignore[no-untyped-def]
    """Observed: the summary shown above the consent question (name, phone) stayed in the
    outbox after "I do not agree"."""
    app, _users = world
    chat = Chat(app)
    question = await register_until_consent(chat, "hoa")
    assert NAME in question and PHONES[0] in question  # shown to them, and delivered
    assert personal(await everything(app))  # kept while they decide
    answer = await chat.say("hoa", "2")
    assert "chưa lưu gì" in answer
    assert personal(await everything(app)) == []
    async with app.session_factory() as session:
        user = (
            await session.scalars(select(User).join(Identity).where(Identity.external_id == "hoa"))
        ).one()
        assert (user.full_name, user.phone, user.status) == (None, None, UserStatus.NEW)
        assert await session.get(Conversation, user.id) is None


async def test_a_person_deletes_their_data_and_their_report_stays(world) -> None:  # type: ignore[no-untyped-def]
    app, users = world
    chat = Chat(app)
    officer = users["officer"]
    async with app.session_factory() as session, session.begin():
        row = await session.get(User, officer.id)
        assert row is not None
        row.full_name, row.phone = NAME, PHONES[2]
        # A reminder waiting to go to them, and an admin's message that names them.
        outbox = Outbox(session)
        await outbox.enqueue(  # on a messenger no sender serves here: it stays pending
            channel="telegram",
            address="5001",
            message=Outbound(text="Nhắc: báo cáo quý"),
            user_id=officer.id,
            dedupe_key="remind:test",
        )
        await outbox.enqueue(
            channel="console",
            address="admin_ls",
            message=Outbound(text=f"Cán bộ mới: {NAME}, {PHONES[0]}"),
            user_id=users["admin_ls"].id,
        )
    assert "rút lại sự đồng ý" in await chat.say("officer", "/xoadulieu")
    goodbye = await chat.say("officer", "1")
    assert "đã được xóa" in goodbye
    chat.channel.inbox.clear()
    assert personal(await everything(app)) == []
    async with app.session_factory() as session:
        placeholder = await session.get(User, officer.id)
        assert placeholder is not None and placeholder.status == UserStatus.ERASED
        assert (placeholder.role, placeholder.commune_code, placeholder.consent_at) == (
            None,
            None,
            None,
        )
        assert (
            await session.scalars(select(Identity).where(Identity.user_id == officer.id))
        ).all() == []
        report = (await session.scalars(select(Submission))).one()
        assert report.user_id == officer.id  # a public record, kept
        keys = (await session.scalars(select(OutboxMessage.dedupe_key))).all()
        assert "remind:test" not in keys
        masked = (
            await session.scalars(select(OutboxMessage).where(OutboxMessage.address == "admin_ls"))
        ).one()
        assert masked.payload["text"] == "Cán bộ mới: ***, ***"
        audit = (
            await session.scalars(select(AuditEntry).where(AuditEntry.action == "data_erased"))
        ).one()
        assert audit.user_id == officer.id
    # The same messenger id is a stranger now.
    assert "chưa đăng ký" in await chat.say("officer", "/toi")


async def test_a_placeholder_no_report_points_at_is_purged(world) -> None:  # type: ignore[no-untyped-def]
    app, users = world
    chat = Chat(app)
    producer = users["producer"]
    await chat.say("producer", "/xoadulieu")
    await chat.say("producer", "Xóa dữ liệu của tôi")
    async with app.session_factory() as session, session.begin():
        assert (await session.get(User, producer.id)).status == UserStatus.ERASED  # type: ignore[union-attr]
        purged = await purge(session, days=30)
        assert purged.placeholders == 1
    async with app.session_factory() as session:
        assert await session.get(User, producer.id) is None
        statuses = (
            await session.scalars(
                select(OutboxMessage.status).where(OutboxMessage.user_id == producer.id)
            )
        ).all()
        assert statuses == []


async def test_an_admin_deletes_a_person_of_their_province_audited(world) -> None:  # type: ignore[no-untyped-def]
    app, users = world
    chat = Chat(app)
    pending = users["pending"]
    other = await chat.say("admin_hn", f"/xoanguoidung {pending.id}")
    assert "Không có người dùng này trong địa bàn" in other
    question = await chat.say("admin_ls", f"/xoanguoidung {pending.id}")
    assert f"người dùng {pending.id}" in question
    # Rights are read from storage when the admin confirms, not when they asked.
    async with app.session_factory() as session, session.begin():
        await session.execute(
            update(User).where(User.id == users["admin_ls"].id).values(status="disabled")
        )
    refused = await chat.say("admin_ls", "1")
    assert "Chỉ quản trị viên mới làm được việc này." in refused
    async with app.session_factory() as session, session.begin():
        assert (await session.get(User, pending.id)).full_name == "pending"  # type: ignore[union-attr]
        await session.execute(
            update(User).where(User.id == users["admin_ls"].id).values(status="active")
        )
    await chat.say("admin_ls", f"/xoanguoidung {pending.id}")
    done = await chat.say("admin_ls", "Xóa dữ liệu")
    assert f"Đã xóa dữ liệu cá nhân của người dùng {pending.id}." in done
    async with app.session_factory() as session:
        # Nothing pointed at them: the row itself is gone at once.
        assert await session.get(User, pending.id) is None
        entry = (
            await session.scalars(select(AuditEntry).where(AuditEntry.action == "user_erased"))
        ).one()
        assert (entry.user_id, entry.detail) == (users["admin_ls"].id, {"user": pending.id})
        outbox: list[Any] = (
            await session.scalars(
                select(OutboxMessage).where(OutboxMessage.status == OutboxStatus.PENDING)
            )
        ).all()
        assert outbox == []


async def add_photo(app: App, owner_id: int) -> int:
    """A photo the bot downloaded and keeps for ``owner_id`` (bot/files/photos.py)."""
    async with app.session_factory() as session, session.begin():
        stored = await StoredFiles(session).add(
            kind=FileKind.PHOTO,
            owner_id=owner_id,
            filename="photo.jpg",
            content_type="image/jpeg",
            chunks=split(b"\xff\xd8\xff\xe0" + b"x" * 300_000),  # two chunks
        )
    return stored.id


async def kept_files(app: App) -> tuple[set[int], set[int]]:
    """The ids of the stored files, and of the files that still have chunks."""
    async with app.session_factory() as session:
        ids = set((await session.scalars(select(StoredFile.id))).all())
        chunks = set((await session.scalars(select(FileChunk.file_id))).all())
    return ids, chunks


async def test_the_photos_a_person_sent_are_listed_and_erased_with_them(world) -> None:  # type: ignore[no-untyped-def]
    app, users = world
    chat = Chat(app)
    producer, officer = users["producer"], users["officer"]
    theirs = {await add_photo(app, producer.id), await add_photo(app, producer.id)}
    others = await add_photo(app, officer.id)
    assert "Số ảnh đã gửi (trợ lý đang lưu): 2" in await chat.say("producer", "/dulieu")
    assert "Số ảnh đã gửi (trợ lý đang lưu): 1" in await chat.say("officer", "/dulieu")
    assert "ảnh anh/chị đã gửi" in await chat.say("producer", "/xoadulieu")
    assert "đã được xóa" in await chat.say("producer", "1")
    assert await kept_files(app) == ({others}, {others})
    assert theirs.isdisjoint((await kept_files(app))[0])


async def test_an_admin_deleting_a_person_deletes_their_photos(world) -> None:  # type: ignore[no-untyped-def]
    app, users = world
    chat = Chat(app)
    pending = users["pending"]
    await add_photo(app, pending.id)
    await chat.say("admin_ls", f"/xoanguoidung {pending.id}")
    assert f"Đã xóa dữ liệu cá nhân của người dùng {pending.id}." in await chat.say(
        "admin_ls", "Xóa dữ liệu"
    )
    assert await kept_files(app) == (set(), set())
