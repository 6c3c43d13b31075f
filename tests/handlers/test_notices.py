"""A typed number answers the latest notification (issue 14, text-only parity), and only
while it is the latest message the user saw: a reply of their own conversation after it, or
a notice not delivered yet, takes its numbers away. The action behind a number checks the
user's rights again, as a pressed button does."""

from __future__ import annotations

import uuid

from sqlalchemy import select

from bot.app import App
from bot.messages import Inbound, InboundKind
from storage.models import Offer, User, UserStatus
from tests.handlers.scene import Chat

REOPENED = "Anh/chị vui lòng kiểm tra lại"  # the report's review step: the report was reopened
NO_LONGER = "Lựa chọn này không còn hiệu lực"


async def send_back(chat: Chat) -> str:
    """admin_ls sends BCX-000001 back for fixing; what the officer is told."""
    await chat.say("admin_ls", button="@review:fix:1")
    await chat.say("admin_ls", "Thiếu danh sách sản phẩm.")
    return "\n".join(m.text for m in chat.channel.inbox.pop("officer"))


async def offer_of(app: App, user_id: int) -> list[list[str]] | None:
    async with app.session_factory() as session:
        return await session.scalar(select(Offer.choices).where(Offer.user_id == user_id))


async def test_a_typed_number_answers_the_needs_fixing_notice(world) -> None:  # type: ignore[no-untyped-def]
    app, users = world
    chat = Chat(app)
    assert "cần bổ sung: Thiếu danh sách sản phẩm." in await send_back(chat)
    assert await offer_of(app, users["officer"].id) == [["Sửa báo cáo", "@fix:1"]]
    assert REOPENED in await chat.say("officer", "1")
    # The officer's own conversation spoke since: the notice is no longer the latest message.
    assert await offer_of(app, users["officer"].id) is None


async def test_its_whole_label_answers_it_too(world) -> None:  # type: ignore[no-untyped-def]
    app, _users = world
    chat = Chat(app)
    await send_back(chat)
    assert REOPENED in await chat.say("officer", "sua bao cao")


async def test_a_reply_after_the_notice_takes_its_numbers_away(world) -> None:  # type: ignore[no-untyped-def]
    app, _users = world
    chat = Chat(app)
    await send_back(chat)
    await chat.say("officer", "/help")
    assert NO_LONGER in await chat.say("officer", "1")


async def test_a_notice_not_delivered_yet_is_not_answered(world) -> None:  # type: ignore[no-untyped-def]
    app, users = world
    chat = Chat(app)
    await chat.say("admin_ls", button="@review:fix:1")
    # The comment is handled, the notice queued; the officer types before it was delivered.
    for who, text in (("admin_ls", "Thiếu danh sách sản phẩm."), ("officer", "1")):
        await app.pipeline.process(
            Inbound(
                channel="console",
                user_id=who,
                message_id=uuid.uuid4().hex,
                kind=InboundKind.TEXT,
                text=text,
            )
        )
    await chat.sender.drain()
    notice, answer = chat.channel.inbox.pop("officer")
    assert "cần bổ sung" in notice.text and NO_LONGER in answer.text
    # The answer came after the notice: its numbers are gone, it does not reopen anything.
    assert await offer_of(app, users["officer"].id) is None
    assert NO_LONGER in await chat.say("officer", "1")


async def test_the_action_behind_a_number_checks_rights_again(world) -> None:  # type: ignore[no-untyped-def]
    app, users = world
    chat = Chat(app)
    await send_back(chat)
    async with app.session_factory() as session, session.begin():
        officer = await session.get(User, users["officer"].id)
        assert officer is not None
        officer.status = UserStatus.DISABLED
    # A disabled account sees no report: the number picks the notice's choice, and the
    # action behind it refuses, as the button would.
    assert await chat.say("officer", "1") == "Lựa chọn này không còn hiệu lực."
