"""The pure halves of the Telegram channel, without a network: updates → Inbound, and
Outbound → the Bot API calls that show it. Updates are built by the fake server's own
helpers, so they have the exact wire shape Telegram sends."""

from __future__ import annotations

from typing import Any

import pytest
from aiogram.types import InlineKeyboardMarkup, ReplyKeyboardMarkup, ReplyKeyboardRemove, Update

from bot.channels.telegram.receiver import MalformedUpdate, parse_update
from bot.channels.telegram.render import Step, Unrenderable, plan
from bot.channels.telegram.updates import Skip, language_hint, to_inbound
from bot.messages import Button, Document, Inbound, InboundKind, Outbound
from tests.fakes.telegram_api import FakeTelegramServer

USER = 4242


@pytest.fixture
def fake() -> FakeTelegramServer:
    return FakeTelegramServer()  # not started: only its update builders are used


def mapped(raw: dict[str, Any]) -> Inbound | Skip:
    update = parse_update(raw)
    assert isinstance(update, Update)
    return to_inbound(update)


def inbound(raw: dict[str, Any]) -> Inbound:
    result = mapped(raw)
    assert isinstance(result, Inbound), result
    return result


# --------------------------------------------------------------------------- updates


def test_text_keeps_who_and_which_update(fake: FakeTelegramServer) -> None:
    raw = fake.user_sends_text(USER, "lang son", first_name="Hoa", language_code="vi")
    got = inbound(raw)
    assert got.model_dump(exclude_none=True) == {
        "channel": "telegram",
        "user_id": str(USER),
        "message_id": f"u{raw['update_id']}",
        "kind": InboundKind.TEXT,
        "text": "lang son",
        "display_name": "Hoa",
        "language_hint": "vi",
    }


def test_commands_stay_text_for_the_core(fake: FakeTelegramServer) -> None:
    got = inbound(fake.user_sends_command(USER, "start", "ABC123"))
    assert (got.kind, got.text, got.command) == (
        InboundKind.TEXT,
        "/start ABC123",
        ("start", "ABC123"),
    )


@pytest.mark.parametrize(
    ("code", "hint"), [("vi", "vi"), ("en", "en"), ("en-US", "en"), ("ru", None), (None, None)]
)
def test_language_hint(code: str | None, hint: str | None) -> None:
    assert language_hint(code) == hint


def test_a_button_press_carries_its_payload(fake: FakeTelegramServer) -> None:
    raw = fake.user_presses_button(USER, "producer")
    got = inbound(raw)
    assert (got.kind, got.payload, got.message_id) == (
        InboundKind.BUTTON,
        "producer",
        f"u{raw['update_id']}",
    )


def test_only_the_senders_own_contact_counts_as_theirs(fake: FakeTelegramServer) -> None:
    own = inbound(fake.user_shares_contact(USER, "+84912345678"))
    assert own.kind is InboundKind.CONTACT and own.contact is not None
    assert (own.contact.phone, own.contact.is_own) == ("+84912345678", True)
    other = inbound(fake.user_shares_contact(USER, "+84987654321", own=False))
    assert other.contact is not None and other.contact.is_own is False
    raw = fake.user_shares_contact(USER, "+84900000000")
    del raw["message"]["contact"]["user_id"]  # a contact card typed into the phone book
    card = inbound(raw)
    assert card.contact is not None and card.contact.is_own is False


def test_location_photo_and_document(fake: FakeTelegramServer) -> None:
    where = inbound(fake.user_sends_location(USER, 21.85, 106.76))
    assert where.location is not None
    assert (where.kind, where.location.latitude, where.location.longitude) == (
        InboundKind.LOCATION,
        21.85,
        106.76,
    )
    raw = fake.user_sends_photo(USER)
    photo = inbound(raw)
    largest = raw["message"]["photo"][-1]
    assert photo.kind is InboundKind.PHOTO and photo.file is not None
    assert photo.file.file_id == largest["file_id"]
    raw = fake.user_sends_document(USER, "ke-hoach.pdf", b"%PDF-1.4")
    doc = inbound(raw)
    assert doc.kind is InboundKind.DOCUMENT and doc.file is not None
    assert (doc.file.file_id, doc.file.name) == (
        raw["message"]["document"]["file_id"],
        "ke-hoach.pdf",
    )


def test_stickers_voice_and_other_content_are_unsupported(fake: FakeTelegramServer) -> None:
    assert inbound(fake.user_sends_sticker(USER)).kind is InboundKind.UNSUPPORTED
    assert inbound(fake.user_sends_voice(USER)).kind is InboundKind.UNSUPPORTED
    video = fake.user_sends_text(USER, "x")
    video["message"].pop("text")
    video["message"]["video"] = {
        "file_id": "v1",
        "file_unique_id": "uv1",
        "width": 1,
        "height": 1,
        "duration": 1,
    }
    assert inbound(video).kind is InboundKind.UNSUPPORTED
    gif = fake.user_sends_text(USER, "x")
    gif["message"].pop("text")
    file = {"file_id": "g1", "file_unique_id": "ug1"}
    gif["message"]["animation"] = file | {"width": 1, "height": 1, "duration": 1}
    gif["message"]["document"] = file
    assert inbound(gif).kind is InboundKind.UNSUPPORTED  # a GIF is not an uploaded file


def test_service_messages_and_other_chats_are_skipped(fake: FakeTelegramServer) -> None:
    pinned = fake.user_sends_text(USER, "x")
    pinned["message"].pop("text")
    pinned["message"]["pinned_message"] = {
        "message_id": 1,
        "date": 0,
        "chat": {"id": USER, "type": "private"},
    }
    assert isinstance(mapped(pinned), Skip)
    group = fake.user_sends_text(USER, "hello")
    group["message"]["chat"] = {"id": -100123, "type": "supergroup", "title": "HTX"}
    assert isinstance(mapped(group), Skip)


def test_blocking_and_unblocking(fake: FakeTelegramServer) -> None:
    blocked = inbound(fake.user_blocks_bot(USER))
    assert (blocked.kind, blocked.user_id) == (InboundKind.BLOCKED, str(USER))
    assert isinstance(mapped(fake.user_unblocks_bot(USER)), Skip)
    removed_from_group = fake.user_blocks_bot(USER)
    removed_from_group["my_chat_member"]["chat"] = {"id": -5, "type": "group", "title": "Xã"}
    assert isinstance(mapped(removed_from_group), Skip)  # not the user blocking us


def test_unused_update_types_are_skipped_before_validation() -> None:
    assert isinstance(parse_update({"update_id": 1, "poll_answer": {"incomplete": True}}), Skip)
    assert isinstance(parse_update({"update_id": 2, "something_new": {}}), Skip)
    assert isinstance(parse_update({"update_id": 3}), Skip)


@pytest.mark.parametrize(
    "raw",
    [
        [],
        "text",
        {"message": {}},
        {"update_id": "7"},
        {"update_id": True},
        {"update_id": 9, "message": {"text": 1}},
    ],
)
def test_malformed_updates(raw: object) -> None:
    with pytest.raises(MalformedUpdate):
        parse_update(raw)


# --------------------------------------------------------------------------- replies


def test_plain_reply_is_one_message() -> None:
    assert plan(Outbound(text="Đã lưu.")) == [Step(text="Đã lưu.")]


def test_keyboards() -> None:
    (step,) = plan(
        Outbound(
            text="?", buttons=[[Button(label="A", payload="a")], [Button(label="B", payload="b")]]
        )
    )
    assert isinstance(step.markup, InlineKeyboardMarkup)
    assert [[b.callback_data for b in row] for row in step.markup.inline_keyboard] == [["a"], ["b"]]
    (step,) = plan(Outbound(text="Số điện thoại?", request_contact="Chia sẻ"))
    assert isinstance(step.markup, ReplyKeyboardMarkup)
    assert step.markup.one_time_keyboard and step.markup.resize_keyboard
    assert step.markup.keyboard[0][0].request_contact is True
    (step,) = plan(Outbound(text="Họ tên?", remove_keyboard=True))
    assert isinstance(step.markup, ReplyKeyboardRemove)


def test_removing_the_keyboard_and_offering_buttons_takes_two_messages() -> None:
    buttons = [[Button(label="Tôi đồng ý", payload="yes")]]
    first, second = plan(
        Outbound(text="Tóm tắt\n\nĐiều khoản\n\nĐồng ý?", buttons=buttons, remove_keyboard=True)
    )
    assert (first.text, second.text) == ("Tóm tắt\n\nĐiều khoản", "Đồng ý?")
    assert isinstance(first.markup, ReplyKeyboardRemove)
    assert isinstance(second.markup, InlineKeyboardMarkup)
    # no paragraph to cut at: one message, and the buttons (the choice) win
    (only,) = plan(Outbound(text="Đồng ý?", buttons=buttons, remove_keyboard=True))
    assert isinstance(only.markup, InlineKeyboardMarkup)


def test_long_text_pieces_and_the_keyboard_on_the_last() -> None:
    steps = plan(Outbound(text="a " * 5000, buttons=[[Button(label="OK", payload="ok")]]))
    assert len(steps) == 3
    assert all(len(s.text or "") <= 4096 for s in steps)
    assert [s.markup is not None for s in steps] == [False, False, True]


def test_documents() -> None:
    doc = Document(filename="x.csv", content=b"a,b\n")
    assert plan(Outbound(text="Xuất dữ liệu", document=doc)) == [
        Step(text="Xuất dữ liệu", document=doc)
    ]
    assert plan(Outbound(text="", document=doc)) == [Step(text=None, document=doc)]
    steps = plan(Outbound(text="z" * 2000, document=doc))  # too long for a caption
    assert steps == [Step(text="z" * 2000), Step(text=None, document=doc)]


def test_unrenderable_replies() -> None:
    with pytest.raises(Unrenderable):
        plan(Outbound(text=""))
    with pytest.raises(Unrenderable):
        plan(Outbound(text="?", buttons=[[Button(label="x", payload="đ" * 33)]]))  # 66 bytes
