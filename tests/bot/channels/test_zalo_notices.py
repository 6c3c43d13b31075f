"""Notifications from others answered by number over the real Zalo channel (issue 14): an
approval request a Zalo admin approves by typing its number, a report sent back for fixing
("cần bổ sung") that the Zalo officer reopens by typing "1", and an announcement
(``/thongbao``) from a Zalo admin reaching a Zalo officer.

The real runtime, pipeline, handlers, outbox and Zalo channel over HTTP against the fake
Zalo Bot API on 127.0.0.1, on SQLite and PostgreSQL. What each person reads is checked
message by message, as the fake received it.
"""

from __future__ import annotations

import re

from sqlalchemy import select

from bot.app import App
from storage.models import Role, Submission, UserStatus
from tests.bot.channels.test_telegram_helpers import bounded
from tests.bot.channels.test_zalo_helpers import (
    app,
    read_by_then_answers,
    registered_user,
    running,
    settled,
    zalo,
    zalo_person,
)
from tests.fakes.zalo_api import FakeZaloServer, ZaloUser

QUESTION = re.compile(r"Câu (\d+)/(\d+)")
# The commune report answered by number (no product evaluated: the star questions are not
# asked); any other question (the optional text ones) is skipped.
ANSWERS = {1: "4", 2: "2", 3: "0", 4: "0", 5: "0", 6: "0", 7: "0", 8: "1", 9: "0"}

__all__ = ["app", "zalo"]  # fixtures


def question_number(text: str) -> int | None:
    found = QUESTION.search(text)
    return int(found.group(1)) if found else None


async def file_commune_report(officer: ZaloUser) -> str:
    """``/baocao``, every question answered by typing, sent with "1"; the receipt."""
    officer.says("/baocao")
    _heading, reply = await officer.expect("15 câu hỏi", "Câu 1/")
    while (asked := question_number(reply)) is not None:
        officer.says(ANSWERS.get(asked, "/boqua"))
        (reply,) = await officer.expect("")
    assert reply.endswith("1. Gửi\n  2. Sửa một câu trả lời\nTrả lời 1 hoặc 2."), reply
    officer.says("1")
    (receipt,) = await officer.expect("mã BCX-")
    found = re.search(r"BCX-\d+", receipt)
    assert found is not None
    return found.group(0)


@bounded(60)
async def test_a_zalo_admin_approves_a_zalo_officer_by_typing_the_number(
    app: App, zalo: FakeZaloServer
) -> None:
    thu = zalo.user("a0d1", "Admin Thu")
    await zalo_person(app, thu, Role.PROVINCE_ADMIN, "Lạng Sơn")
    binh = zalo.user("b1e2f3", "Bình")
    async with running(app, zalo):
        binh.says("/start")
        await binh.expect("Chào mừng", "1. Tiếng Việt")
        binh.says("1")
        await binh.expect("2. Cán bộ xã")
        binh.says("2")
        await binh.expect("Anh/chị ở tỉnh/thành phố nào?")
        binh.says("lang son")
        await binh.expect("Lạng Sơn", "Anh/chị ở xã/phường nào của Lạng Sơn?")
        binh.says("xa cao loc")
        await binh.expect("Xã Cao Lộc", "họ và tên")
        binh.says("Lê Thị Bình")
        await binh.expect("số điện thoại")
        binh.says("0912 000 222")
        await binh.expect("Anh/chị có đồng ý")
        binh.says("1")
        await binh.expect("chờ quản trị viên duyệt")

        # The admin, who wrote nothing, receives the request with its numbered choices...
        (request,) = await thu.expect("Cán bộ xã mới đang chờ duyệt: Lê Thị Bình")
        assert request.endswith("1. Duyệt\n  2. Từ chối\nTrả lời 1 hoặc 2."), request
        # ...and answers it by typing the number.
        await read_by_then_answers(app, zalo, thu, "1")
        await thu.expect("Đã duyệt: Lê Thị Bình.")
        await binh.expect("Quản trị viên đã duyệt đăng ký cán bộ xã của anh/chị.")
        # Answered: the same number does nothing twice, and says so.
        thu.says("1")
        await thu.expect("Lựa chọn này không còn hiệu lực")
        await settled(app, zalo)

    assert len(thu.messages()) == thu.seen and len(binh.messages()) == binh.seen
    officer = await registered_user(app, binh)
    assert officer is not None
    assert (officer.role, officer.status) == (Role.OFFICER, UserStatus.ACTIVE)


@bounded(90)
async def test_a_report_sent_back_for_fixing_is_reopened_by_typing_1(
    app: App, zalo: FakeZaloServer
) -> None:
    thu = zalo.user("a0d1", "Admin Thu")
    await zalo_person(app, thu, Role.PROVINCE_ADMIN, "Lạng Sơn")
    an = zalo.user("0ff1ce", "Lê Văn An")
    await zalo_person(app, an, Role.OFFICER, "Lạng Sơn", "Cao Lộc")
    comment = "Số sản phẩm đề xuất chưa khớp với danh sách gửi huyện."
    async with running(app, zalo):
        receipt = await file_commune_report(an)

        thu.says(f"/xem {receipt}")
        (shown,) = await thu.expect(f"Mã biên nhận {receipt}, phiên bản 1")
        assert shown.endswith("1. Cần bổ sung\n  2. Duyệt\nTrả lời 1 hoặc 2."), shown
        thu.says("1")
        await thu.expect("Cần bổ sung gì?")
        thu.says(comment)
        await thu.expect(f"Đã yêu cầu bổ sung báo cáo {receipt} và đã báo cho Lê Văn An.")

        # The officer, who wrote nothing since, receives the notice as numbered text...
        (notice,) = await an.expect(f"(mã biên nhận {receipt}) cần bổ sung: {comment}")
        assert notice.endswith("1. Sửa báo cáo\nTrả lời 1."), notice
        # ...and typing its number reopens the report at its review.
        await read_by_then_answers(app, zalo, an, "1")
        _opened, _asked, review = await an.expect(
            f"mã biên nhận {receipt}, phiên bản 1",
            f"Quản trị viên đề nghị bổ sung: {comment}",
            "Anh/chị vui lòng kiểm tra lại",
        )
        assert review.endswith("1. Gửi\n  2. Sửa một câu trả lời\nTrả lời 1 hoặc 2."), review
        an.says("2")
        await an.expect("Gõ số thứ tự câu cần sửa")
        an.says("2")
        await an.expect("Câu 2/")
        an.says("3")
        await an.expect("Số sản phẩm xã đề xuất đánh giá, phân hạng trong kỳ: 3")
        an.says("1")
        await an.expect(f"mã {receipt}, phiên bản 2")
        await thu.expect(f"sau khi anh/chị yêu cầu bổ sung: mã {receipt}, phiên bản 2")
        await settled(app, zalo)

    assert len(thu.messages()) == thu.seen and len(an.messages()) == an.seen
    async with app.session_factory() as session:
        (report,) = (await session.scalars(select(Submission))).all()
    assert (report.receipt, report.revision) == (receipt, 2)


@bounded(60)
async def test_an_announcement_by_a_zalo_admin_reaches_a_zalo_officer(
    app: App, zalo: FakeZaloServer
) -> None:
    thu = zalo.user("a0d1", "Admin Thu")
    await zalo_person(app, thu, Role.PROVINCE_ADMIN, "Lạng Sơn")
    an = zalo.user("0ff1ce", "Lê Văn An")
    await zalo_person(app, an, Role.OFFICER, "Lạng Sơn", "Cao Lộc")
    async with running(app, zalo):
        thu.says("/thongbao")
        (audience,) = await thu.expect("")
        officers = re.search(r"(\d+)\. Tất cả cán bộ xã trong tỉnh", audience)
        assert officers is not None and "Trả lời 1" in audience, audience
        thu.says(officers.group(1))
        await thu.expect("")  # the text, please
        thu.says("Họp giao ban thứ Hai lúc 8 giờ.")
        (preview,) = await thu.expect("Thông báo sẽ được gửi tới 1 người")
        send = re.search(r"(\d+)\. Gửi", preview)
        assert send is not None, preview
        thu.says(send.group(1))
        await thu.expect("Đang gửi tới 1 người")

        # The officer, who wrote nothing, receives it on Zalo.
        await an.expect("Thông báo:\nHọp giao ban thứ Hai lúc 8 giờ.")
        await thu.expect("1 người đã nhận")
        await settled(app, zalo)
    assert len(an.messages()) == an.seen
