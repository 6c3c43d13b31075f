"""Changes made on the dashboard run the chat's own handlers: the officer sent back for
fixing, the officer approved, the producer whose idea moved are told in their chat exactly
as when an admin acts in the chat. Every change needs the page's anti-forgery token."""

from __future__ import annotations

import io
from datetime import date

from openpyxl import load_workbook
from sqlalchemy import select

from storage.models import (
    Identity,
    OutboxMessage,
    OutboxStatus,
    Product,
    ProductStatus,
    ReviewStatus,
    Submission,
    User,
    UserStatus,
)
from storage.reach import NOTICE_UNREACHABLE
from storage.submissions import Submissions
from tests.web.conftest import Web, csrf_of, page


async def report_id(web: Web) -> int:
    async with web.app.session_factory() as session:
        return (await session.scalars(select(Submission.id))).one()


async def officer_reads(web: Web, who: str = "officer") -> list[str]:
    await web.chat.sender.drain()
    return [m.text for m in web.chat.channel.inbox.pop(who, [])]


async def test_sending_a_report_back_reaches_the_officer_as_from_the_chat(web: Web) -> None:
    client = await web.signed_in("admin_ls")
    report = await report_id(web)
    status, text = await page(client, f"/admin/reports/{report}")
    assert status == 200 and "BCX-" in text
    form = {"csrf": csrf_of(text), "verdict": "fix", "comment": "Thiếu số hội chợ đã tham gia."}
    done = await client.post(f"/admin/reports/{report}/review", data=form, allow_redirects=False)
    assert done.status == 303
    # The officer's chat: the chat's own words and its "fix the report" button.
    await web.chat.sender.drain()
    [notice] = web.chat.channel.inbox.pop("officer")
    assert "cần bổ sung: Thiếu số hội chợ đã tham gia." in notice.text
    assert [b.payload for b in notice.choices()] == [f"@fix:{report}"]
    async with web.app.session_factory() as session:
        stored = await session.get(Submission, report)
        assert stored is not None and stored.review_status == ReviewStatus.NEEDS_FIX
    # The page says what the chat would have said to the admin.
    status, text = await page(client, f"/admin/reports/{report}")
    assert "Đã báo cho" in text or "Officer" in text
    # The officer's button works as after a review in the chat.
    said = await web.chat.say("officer", button=f"@fix:{report}")
    assert "Thiếu số hội chợ" in said


async def test_a_comment_too_short_is_refused_and_kept(web: Web) -> None:
    client = await web.signed_in("admin_ls")
    report = await report_id(web)
    _, text = await page(client, f"/admin/reports/{report}")
    form = {"csrf": csrf_of(text), "verdict": "fix", "comment": "x"}
    done = await client.post(f"/admin/reports/{report}/review", data=form)
    assert done.status == 422
    assert 'role="alert"' in await done.text()
    assert await officer_reads(web) == []
    async with web.app.session_factory() as session:
        stored = await session.get(Submission, report)
        assert stored is not None and stored.review_status is None


async def test_accepting_a_report(web: Web) -> None:
    client = await web.signed_in("admin_ls")
    report = await report_id(web)
    _, text = await page(client, f"/admin/reports/{report}")
    done = await client.post(
        f"/admin/reports/{report}/review", data={"csrf": csrf_of(text), "verdict": "ok"}
    )
    assert done.status == 200 and 'class="flash"' in await done.text()
    async with web.app.session_factory() as session:
        stored = await session.get(Submission, report)
        assert stored is not None and stored.review_status == ReviewStatus.ACCEPTED


async def test_a_change_without_the_token_or_from_another_site_is_refused(web: Web) -> None:
    client = await web.signed_in("admin_ls")
    report = await report_id(web)
    _, text = await page(client, f"/admin/reports/{report}")
    path = f"/admin/reports/{report}/review"
    missing = await client.post(path, data={"verdict": "ok"})
    wrong = await client.post(path, data={"verdict": "ok", "csrf": "0" * 64})
    foreign = await client.post(
        path,
        data={"verdict": "ok", "csrf": csrf_of(text)},
        headers={"Origin": "https://evil.example"},
    )
    assert (missing.status, wrong.status, foreign.status) == (403, 403, 403)
    # Another session's token does not do either.
    other = await web.signed_in("national")
    _, other_text = await page(other, f"/admin/reports/{report}")
    crossed = await client.post(path, data={"verdict": "ok", "csrf": csrf_of(other_text)})
    assert crossed.status == 403
    async with web.app.session_factory() as session:
        stored = await session.get(Submission, report)
        assert stored is not None and stored.review_status is None


async def test_approving_an_officer_tells_them(web: Web) -> None:
    pending = web.users["pending"]
    # Another province's admin does not see them, and cannot approve them.
    other = await web.signed_in("admin_hn")
    _, text = await page(other, "/admin/approvals")
    assert "Pending" not in text
    refused = await other.post(
        f"/admin/approvals/{pending.id}", data={"csrf": csrf_of(text), "decision": "approve"}
    )
    assert refused.status == 200
    client = await web.signed_in("admin_ls")
    _, text = await page(client, "/admin/approvals")
    assert "Pending" in text
    done = await client.post(
        f"/admin/approvals/{pending.id}", data={"csrf": csrf_of(text), "decision": "approve"}
    )
    assert done.status == 200 and "Pending" in await done.text()
    async with web.app.session_factory() as session:
        stored = await session.get(User, pending.id)
        assert stored is not None and stored.status == UserStatus.ACTIVE
    [told] = await officer_reads(web, "pending")
    assert "duyệt" in told


async def test_approving_someone_no_messenger_can_reach_keeps_their_notice(web: Web) -> None:
    """The dashboard queues a handler's notices as every other notice is queued
    (bot/notifications.py): one nobody can carry now is kept as a failed row counted as
    unreachable, not dropped and not sent blindly."""
    pending = web.users["pending"]
    async with web.app.session_factory() as session, session.begin():
        for identity in await session.scalars(
            select(Identity).where(Identity.user_id == pending.id)
        ):
            identity.reachable = False  # they blocked the bot
    client = await web.signed_in("admin_ls")
    _, text = await page(client, "/admin/approvals")
    done = await client.post(
        f"/admin/approvals/{pending.id}", data={"csrf": csrf_of(text), "decision": "approve"}
    )
    assert done.status == 200
    async with web.app.session_factory() as session:
        rows = (
            await session.scalars(select(OutboxMessage).where(OutboxMessage.user_id == pending.id))
        ).all()
    assert [(r.status, r.error) for r in rows] == [(OutboxStatus.FAILED, NOTICE_UNREACHABLE)]


async def test_disabling_a_user(web: Web) -> None:
    client = await web.signed_in("admin_ls")
    _, text = await page(client, "/admin/users")
    officer = web.users["officer"]
    done = await client.post(
        f"/admin/users/{officer.id}", data={"csrf": csrf_of(text), "action": "disable"}
    )
    assert done.status == 200
    async with web.app.session_factory() as session:
        stored = await session.get(User, officer.id)
        assert stored is not None and stored.status == UserStatus.DISABLED
    # A national admin is out of a province admin's reach.
    national = web.users["national"]
    refused = await client.post(
        f"/admin/users/{national.id}", data={"csrf": csrf_of(text), "action": "disable"}
    )
    assert refused.status == 200
    async with web.app.session_factory() as session:
        stored = await session.get(User, national.id)
        assert stored is not None and stored.status == UserStatus.ACTIVE


async def test_changing_a_deadline_runs_the_chat_calendar(web: Web) -> None:
    client = await web.signed_in("admin_ls")
    _, text = await page(client, "/admin/calendar")
    assert "Lịch" in text
    done = await client.post(
        "/admin/calendar/change",
        data={
            "csrf": csrf_of(text),
            "form": "commune_report",
            "change": "deadline",
            "day": "20",
            "month": "last",
        },
    )
    shown = await done.text()
    assert done.status == 200 and "Đã lưu" in shown and "riêng của tỉnh" in shown


async def test_an_export_downloads_in_scope(web: Web) -> None:
    client = await web.signed_in("admin_ls")
    _, text = await page(client, "/admin/exports")
    csv = await client.post(
        "/admin/exports/download",
        data={
            "csrf": csrf_of(text),
            "report": "commune_report",
            "period": "2024-Q2",
            "format": "csv",
        },
    )
    assert csv.status == 200
    assert csv.headers["Content-Disposition"].startswith("attachment;")
    assert "BCX-" in (await csv.read()).decode("utf-8-sig")
    xlsx = await client.post(
        "/admin/exports/download",
        data={"csrf": csrf_of(text), "report": "", "period": "2024-Q2", "format": "xlsx"},
    )
    assert xlsx.status == 200
    book = load_workbook(io.BytesIO(await xlsx.read()), read_only=True)
    assert len(book.sheetnames) >= 2
    # Another province's admin exports nothing of Lạng Sơn.
    other = await web.signed_in("admin_hn")
    _, other_text = await page(other, "/admin/exports")
    theirs = await other.post(
        "/admin/exports/download",
        data={
            "csrf": csrf_of(other_text),
            "report": "commune_report",
            "period": "2024-Q2",
            "format": "csv",
        },
    )
    assert "BCX-" not in (await theirs.read()).decode("utf-8-sig")
    wrong = await client.post(
        "/admin/exports/download",
        data={"csrf": csrf_of(text), "report": "commune_report", "period": "Q9", "format": "csv"},
    )
    assert wrong.status == 422


async def test_moving_a_product_tells_the_producer(web: Web) -> None:
    producer = web.users["producer"]
    async with web.app.session_factory() as session, session.begin():
        product = Product(
            user_id=producer.id,
            province_code=producer.province_code,
            commune_code=producer.commune_code,
            name="Miến dong Bình Liêu",
            producer_name="HTX Miến dong",
            status=ProductStatus.SUBMITTED,
        )
        session.add(product)
    client = await web.signed_in("admin_ls")
    status, text = await page(client, "/admin/products")
    assert status == 200 and "Miến dong Bình Liêu" in text
    status, text = await page(client, f"/admin/products/{product.id}")
    assert status == 200
    done = await client.post(
        f"/admin/products/{product.id}/step",
        data={
            "csrf": csrf_of(text),
            "to": "not_selected",
            "reason": "Chưa có vùng nguyên liệu ổn định.",
        },
    )
    assert done.status == 200
    async with web.app.session_factory() as session:
        stored = await session.get(Product, product.id)
        assert stored is not None and stored.status == ProductStatus.NOT_SELECTED
    [told] = await officer_reads(web, "producer")
    assert "Chưa có vùng nguyên liệu ổn định." in told
    # A step the flow refuses (a score out of range) says why and saves nothing.
    _, text = await page(client, f"/admin/products/{product.id}")
    await client.post(
        f"/admin/products/{product.id}/step",
        data={"csrf": csrf_of(text), "to": "under_review"},
    )
    await client.post(
        f"/admin/products/{product.id}/step", data={"csrf": csrf_of(text), "to": "selected"}
    )
    bad = await client.post(
        f"/admin/products/{product.id}/step",
        data={
            "csrf": csrf_of(text),
            "to": "evaluated",
            "score": "150",
            "round": "1",
            "year": str(date.today().year),
        },
    )
    assert bad.status == 422
    good = await client.post(
        f"/admin/products/{product.id}/step",
        data={
            "csrf": csrf_of(text),
            "to": "evaluated",
            "score": "75",
            "round": "1",
            "year": str(date.today().year),
        },
    )
    assert good.status == 200
    async with web.app.session_factory() as session:
        stored = await session.get(Product, product.id)
        assert stored is not None and stored.status == ProductStatus.EVALUATED
        assert stored.stars == 4


async def test_a_revised_report_shows_its_versions_side_by_side(web: Web) -> None:
    report = await report_id(web)
    async with web.app.session_factory() as session, session.begin():
        stored = await session.get(Submission, report)
        officer = await session.get(User, web.users["officer"].id)
        assert stored is not None and officer is not None
        await Submissions(session).revise(
            stored,
            user=officer,
            answers={**stored.answers, "products_registered": "7"},
            now=stored.submitted_at,
        )
    client = await web.signed_in("admin_ls")
    status, text = await page(client, f"/admin/reports/{report}")
    assert status == 200
    assert '<table class="versions">' in text
    assert "<mark>7</mark>" in text and "<mark>4</mark>" not in text
