"""Sending, editing, files and the bot's commands, checked as Telegram checks them."""

from __future__ import annotations

import time

import pytest
from aiogram import Bot
from aiogram.exceptions import TelegramBadRequest
from aiogram.types import BotCommand, BufferedInputFile, Message

from tests.fakes.aiogram_client import USER, bounded, keyboard
from tests.fakes.telegram_api import FakeTelegramServer


@bounded()
async def test_send_message_with_inline_keyboard_is_recorded(
    server: FakeTelegramServer, bot: Bot
) -> None:
    markup = keyboard(("Có", "yes"), ("Không", "no"))
    first = await bot.send_message(chat_id=USER, text="Xác nhận?", reply_markup=markup)
    second = await bot.send_message(chat_id=USER, text="Lần hai")

    assert isinstance(first, Message)
    assert (first.message_id, second.message_id) == (1, 2)  # per-chat counter
    assert first.chat.type == "private"
    assert first.from_user is not None and first.from_user.id == 123
    assert first.reply_markup is not None  # echoed and parsed back by pydantic
    assert first.reply_markup.model_dump() == markup.model_dump()

    call = server.sent[0]
    assert call.method == "sendMessage"
    assert call.chat_id == USER
    assert call.text == "Xác nhận?"
    assert call.reply_markup == {
        "inline_keyboard": [
            [{"text": "Có", "callback_data": "yes"}],
            [{"text": "Không", "callback_data": "no"}],
        ]
    }
    assert call.timestamp <= time.monotonic()
    assert server.messages_to(USER) == ["Xác nhận?", "Lần hai"]
    assert server.last_reply_markup(USER) == call.reply_markup
    assert await server.wait_for_messages(USER, 2, timeout=1) == ["Xác nhận?", "Lần hai"]


@bounded()
async def test_realistic_validation_errors(server: FakeTelegramServer, bot: Bot) -> None:
    with pytest.raises(TelegramBadRequest, match="BUTTON_DATA_INVALID"):
        await bot.send_message(chat_id=USER, text="x", reply_markup=keyboard(("a", "x" * 65)))
    with pytest.raises(TelegramBadRequest, match="can't parse entities"):
        await bot.send_message(chat_id=USER, text="Giá <100k", parse_mode="HTML")
    with pytest.raises(TelegramBadRequest, match="reserved"):
        await bot.send_message(chat_id=USER, text="Xong.", parse_mode="MarkdownV2")
    with pytest.raises(TelegramBadRequest, match="too long"):
        await bot.send_message(chat_id=USER, text="a" * 4097)
    ok = await bot.send_message(chat_id=USER, text="<b>Đã lưu</b> &lt;3", parse_mode="HTML")
    assert ok.message_id == 1
    assert [c.text for c in server.sent] == ["<b>Đã lưu</b> &lt;3"]
    assert server.stats["400"] == 4


@bounded()
async def test_edit_delete_and_not_modified(server: FakeTelegramServer, bot: Bot) -> None:
    sent = await bot.send_message(chat_id=USER, text="Bước 1", reply_markup=keyboard(("OK", "ok")))
    edited = await bot.edit_message_text(
        chat_id=USER, message_id=sent.message_id, text="Bước 2", reply_markup=keyboard(("Hủy", "c"))
    )
    assert isinstance(edited, Message) and edited.text == "Bước 2"
    with pytest.raises(TelegramBadRequest, match="message is not modified"):
        await bot.edit_message_text(
            chat_id=USER,
            message_id=sent.message_id,
            text="Bước 2",
            reply_markup=keyboard(("Hủy", "c")),
        )
    await bot.edit_message_reply_markup(chat_id=USER, message_id=sent.message_id)
    current = server.message(USER, sent.message_id)
    assert current is not None and current["text"] == "Bước 2"
    assert "reply_markup" not in current  # editMessageReplyMarkup without markup removes it
    assert await bot.delete_message(chat_id=USER, message_id=sent.message_id)
    with pytest.raises(TelegramBadRequest, match="message to edit not found"):
        await bot.edit_message_text(chat_id=USER, message_id=sent.message_id, text="x")
    assert [c.method for c in server.sent] == [
        "sendMessage",
        "editMessageText",
        "editMessageReplyMarkup",
        "deleteMessage",
    ]
    assert server.last_reply_markup(USER) == {
        "inline_keyboard": [[{"text": "Hủy", "callback_data": "c"}]]
    }


@bounded()
async def test_send_document_upload_is_recorded_and_downloadable(
    server: FakeTelegramServer, bot: Bot
) -> None:
    payload = "tỉnh,sản phẩm\nHà Giang,chè\n".encode()
    msg = await bot.send_document(
        chat_id=USER,
        document=BufferedInputFile(payload, filename="bao_cao.csv"),
        caption="Báo cáo",
        reply_markup=keyboard(("Tải lại", "reload")),
    )
    assert msg.document is not None
    assert msg.document.file_name == "bao_cao.csv"
    assert msg.caption == "Báo cáo"

    call = server.calls("sendDocument")[0]
    assert (call.filename, call.file_bytes, call.caption) == ("bao_cao.csv", payload, "Báo cáo")
    assert call.reply_markup is not None

    downloaded = await bot.download(msg.document.file_id)
    assert downloaded is not None and downloaded.read() == payload

    photo = await bot.send_photo(chat_id=USER, photo=BufferedInputFile(b"JPEG", filename="a.jpg"))
    assert photo.photo and photo.photo[-1].width == 800
    assert server.calls("sendPhoto")[0].file_bytes == b"JPEG"


@bounded()
async def test_commands_chat_and_chat_action(server: FakeTelegramServer, bot: Bot) -> None:
    commands = [BotCommand(command="start", description="Bắt đầu")]
    assert await bot.set_my_commands(commands)
    assert [c.model_dump() for c in await bot.get_my_commands()] == [
        c.model_dump() for c in commands
    ]
    assert server.get_commands() == [{"command": "start", "description": "Bắt đầu"}]
    server.user_sends_text(USER, "hi", first_name="Lan")
    chat = await bot.get_chat(USER)
    assert (chat.id, chat.type, chat.first_name) == (USER, "private", "Lan")
    assert await bot.send_chat_action(chat_id=USER, action="typing")
