"""A draft that cannot be sent is refused at "Gửi", whatever path led to it.

A draft lives for days in a conversation's state: the form file may change under it, or it
may come from an older version of the bot. These tests put such drafts in the state directly
(no chat can produce them any more) and check that submission validates every answer again,
lists what is wrong, and leads the officer through fixing it.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest
from sqlalchemy import select, update

from bot.app import App
from storage.models import Conversation, Role, Submission, UserStatus
from tests.conftest import make_settings
from tests.handlers.scene import Chat, person

FULL = {
    "products_registered": "5",
    "products_proposed": "2",
    "products_evaluated": "2",
    "certified_3_stars": "1",
    "certified_4_stars": "1",
    "certified_5_stars": "0",
    "certificates_expiring": "0",
    "coops_new": "1",
    "trainings": "2",
    "people_trained": "40",
    "fairs": "1",
    "sales_points": "1",
    "supermarket_products": "0",
    "difficulties": None,
    "proposals": None,
}


@pytest.fixture
async def app(database_url: str) -> AsyncIterator[App]:
    app = App(make_settings(database_url))
    await app.prepare()
    await person(app, "an", Role.OFFICER, UserStatus.ACTIVE, "lang son", "cao loc")
    yield app
    await app.close()


async def _at_review(app: App, chat: Chat, answers: dict[str, Any]) -> None:
    """Open the report, then make its draft the given answers, at the review."""
    assert "Câu 1/15" in await chat.say("an", "/baocao")
    async with app.session_factory() as session, session.begin():
        row = (await session.scalars(select(Conversation))).one()
        # The review's buttons, as if it had just been shown.
        offered = [["Gửi", "send"], ["Sửa một câu trả lời", "change"]]
        data = dict(row.data) | {"answers": answers, "_choices": offered}
        await session.execute(
            update(Conversation)
            .where(Conversation.user_id == row.user_id)
            .values(step="review", data=data)
        )


async def _filed(app: App) -> list[Submission]:
    async with app.session_factory() as session:
        return list((await session.scalars(select(Submission))).all())


async def test_missing_and_out_of_bounds_answers_are_listed_then_asked(app: App) -> None:
    chat = Chat(app)
    answers = dict(FULL)
    del answers["people_trained"]  # became relevant again, never asked (the observed case)
    answers["sales_points"] = "5000"  # beyond the form's bound (1.000)
    await _at_review(app, chat, answers)
    said = await chat.say("an", button="send")
    assert "Chưa gửi được" in said
    assert "câu 10 (Số lượt người được tập huấn): chưa có câu trả lời" in said
    assert "câu 12 (Số điểm giới thiệu và bán sản phẩm OCOP): không được lớn hơn 1.000" in said
    assert said.rstrip().endswith("Câu 10/15: Số lượt người được tập huấn")
    assert await _filed(app) == []
    said = await chat.say("an", "40")
    assert "Câu 12/15: Số điểm giới thiệu và bán sản phẩm OCOP" in said
    assert "Câu trả lời hiện tại: 5.000" in said
    said = await chat.say("an", "3")
    assert "Anh/chị vui lòng kiểm tra lại các câu trả lời" in said
    said = await chat.say("an", button="send")
    assert "mã BCX-" in said
    filed = await _filed(app)
    assert len(filed) == 1
    assert filed[0].answers["people_trained"] == "40"
    assert filed[0].answers["sales_points"] == "3"


async def test_a_blocking_contradiction_cannot_be_sent(app: App) -> None:
    chat = Chat(app)
    await _at_review(app, chat, FULL | {"certified_3_stars": "2"})  # 2 + 1 + 0 > 2 evaluated
    said = await chat.say("an", button="send")
    assert "Chưa gửi được" in said
    assert "Tổng số sản phẩm được công nhận 3, 4 và 5 sao (3) lớn hơn" in said
    assert "Số liệu chưa khớp" in said
    messages = await chat.messages("an", button="ok")  # a warning's button: not offered here
    assert "Số liệu đúng" not in "\n".join(m.text for m in messages)
    assert await _filed(app) == []
    said = await chat.say("an", button="fix:certified_3_stars")
    assert "Câu 4/15: Số sản phẩm được công nhận 3 sao" in said
    said = await chat.say("an", "1")
    assert "Anh/chị vui lòng kiểm tra lại các câu trả lời" in said
    assert "mã BCX-" in await chat.say("an", button="send")


async def test_answers_of_questions_that_no_longer_apply_are_not_filed(app: App) -> None:
    chat = Chat(app)
    await _at_review(app, chat, FULL | {"trainings": "0"})  # people_trained left over
    assert "mã BCX-" in await chat.say("an", button="send")
    (filed,) = await _filed(app)
    assert "people_trained" not in filed.answers
