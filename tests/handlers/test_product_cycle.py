"""Buttons of the OCOP cycle that a transcript cannot press: forged, stale or out of scope
ones change nothing, are answered in words, and refusals are audited; a report's "Đạt" on an
idea (an older message) opens the idea's cycle instead of marking it accepted."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from bot.app import App
from storage.models import AuditEntry, Product, ProductEvent, ProductStatus, Submission, User
from storage.products import Products
from storage.submissions import Submissions
from tests.handlers.scene import Chat


async def _idea(app: App, producer: User) -> tuple[int, int]:
    async with app.session_factory() as session, session.begin():
        user = await session.get(User, producer.id)
        assert user is not None
        submission = await Submissions(session).create(
            form_id="product_idea",
            period="",
            scope_key=f"own:{user.id}:1",
            receipt_prefix="YT",
            user=user,
            answers={"product_name": "Mật ong bạc hà"},
            now=user.created_at,
        )
        product = await Products(session).add_idea(
            submission, user=user, name="Mật ong bạc hà", producer_name=None, group="food"
        )
        return product.id, submission.id


async def _state(app: App, product_id: int) -> tuple[str, int]:
    async with app.session_factory() as session:
        product = await session.get(Product, product_id)
        assert product is not None
        events = (
            await session.scalars(select(ProductEvent).where(ProductEvent.product_id == product_id))
        ).all()
        return product.status, len(events)


async def _audited(app: App, action: str) -> list[dict[str, Any]]:
    async with app.session_factory() as session:
        rows = await session.scalars(select(AuditEntry).where(AuditEntry.action == action))
        return [row.detail for row in rows.all()]


async def test_forged_and_stale_buttons_change_nothing(world) -> None:  # type: ignore[no-untyped-def]
    app, users = world
    chat = Chat(app)
    product, _ = await _idea(app, users["producer"])
    refused = "Chỉ cán bộ xã và quản trị viên mới làm được việc này."
    for who in ("producer", "pending", "stranger", "disabled"):
        assert refused in await chat.say(who, button=f"@ocop:selected:{product}"), who
        assert refused in await chat.say(who, button=f"@ocopview:{product}"), who
    attempts = [d["attempted"] for d in await _audited(app, "refused")]
    assert attempts.count("product_step") == 4 and attempts.count("view_idea") == 4
    invalid = "Lựa chọn này không còn hiệu lực."
    for payload in (
        f"@ocop:selected:{product}",  # another province's admin
        f"@ocopview:{product}",
    ):
        assert invalid in await chat.say("admin_hn", button=payload)
    for payload in (
        "@ocop:selected:99999999999",
        "@ocop:selected:²",
        "@ocop:approved:1",
        f"@ocop:{product}",
        f"@ocopinfo:{product}",  # only the producer answers a request for information
    ):
        assert invalid in await chat.say("officer", button=payload), payload
    # A step the cycle does not take from here: said so, with the steps that do apply.
    stale = await chat.messages("officer", button=f"@ocop:certified:{product}")
    assert "hiện ở trạng thái: đã gửi, đang chờ xem xét" in stale[0].text
    assert [b.payload for b in stale[0].choices()][:2] == [
        f"@ocop:under_review:{product}",
        f"@ocop:selected:{product}",
    ]
    assert await _state(app, product) == (ProductStatus.SUBMITTED, 1)
    # The producer has nothing to answer.
    assert "không còn chờ bổ sung thông tin" in await chat.say(
        "producer", button=f"@ocopinfo:{product}"
    )


async def test_a_step_is_audited_and_kept_in_the_history(world) -> None:  # type: ignore[no-untyped-def]
    app, users = world
    chat = Chat(app)
    product, _ = await _idea(app, users["producer"])
    answer = await chat.say("admin_ls", button=f"@ocop:selected:{product}")
    assert "“Mật ong bạc hà” (YT-" in answer and "đã được chọn tham gia chu trình OCOP" in answer
    assert await _state(app, product) == (ProductStatus.SELECTED, 2)
    steps = await _audited(app, "product_step")
    assert [(s["product"], s["before"], s["after"]) for s in steps] == [
        (product, "submitted", "selected")
    ]
    told = await chat.messages("producer")
    assert "đã được chọn tham gia chu trình OCOP" in told[0].text


async def test_the_reports_accept_button_on_an_idea_opens_its_cycle(world) -> None:  # type: ignore[no-untyped-def]
    app, users = world
    chat = Chat(app)
    product, submission = await _idea(app, users["producer"])
    answer = await chat.messages("admin_ls", button=f"@review:ok:{submission}")
    assert "Chu trình OCOP: đã gửi, đang chờ xem xét" in answer[0].text
    assert f"@ocop:selected:{product}" in [b.payload for b in answer[0].choices()]
    async with app.session_factory() as session:
        row = await session.get(Submission, submission)
        assert row is not None and row.review_status is None


async def test_a_step_taken_half_way_through_a_report_gives_the_report_back(world) -> None:  # type: ignore[no-untyped-def]
    app, users = world
    chat = Chat(app)
    product, _ = await _idea(app, users["producer"])
    await chat.messages("producer")
    opened = await chat.say("officer", "/baocao")
    assert "Câu 1/" in opened
    answer = await chat.messages("officer", button=f"@ocop:selected:{product}")
    assert "đã được chọn tham gia chu trình OCOP" in answer[0].text
    assert answer[0].choices() == []  # a typed "4" must stay the report's answer
    assert "Câu 1/" in answer[-1].text
    assert "Câu 2/" in await chat.say("officer", "4")
    assert await _state(app, product) == (ProductStatus.SELECTED, 2)
