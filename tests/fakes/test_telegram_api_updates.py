"""The update queue, long polling and simulated users, down to a real polling dispatcher."""

from __future__ import annotations

import asyncio
import time
from typing import Any

import pytest
from aiogram import Bot, Dispatcher
from aiogram.exceptions import TelegramBadRequest
from aiogram.filters import CommandStart
from aiogram.types import Message, Update

from tests.fakes.aiogram_client import TOKEN, USER, bounded, keyboard, raw_post
from tests.fakes.telegram_api import FakeTelegramServer


@bounded()
async def test_get_updates_text_and_offset(server: FakeTelegramServer, bot: Bot) -> None:
    server.user_sends_text(USER, "Xin chào", first_name="Lan")
    server.user_sends_command(USER, "start", "ref123")
    updates = await bot.get_updates(timeout=1)
    assert len(updates) == 2
    first, second = updates
    assert second.update_id == first.update_id + 1
    assert first.message is not None and first.message.text == "Xin chào"
    assert first.message.from_user is not None
    assert first.message.from_user.first_name == "Lan"
    assert first.message.from_user.language_code == "vi"
    assert second.message is not None and second.message.entities is not None
    assert second.message.entities[0].type == "bot_command"
    assert second.message.text == "/start ref123"

    # Unconfirmed updates are re-delivered; offset confirms them.
    assert len(await bot.get_updates()) == 2
    assert await bot.get_updates(offset=second.update_id + 1) == []
    assert server.pending_updates == []


@bounded()
async def test_long_poll_wakes_on_new_update(server: FakeTelegramServer, bot: Bot) -> None:
    poll = asyncio.create_task(bot.get_updates(timeout=30))  # capped by the fake
    await server.wait_for(lambda: server.active_polls, 2, description="a waiting poll")
    assert not poll.done()
    started = time.monotonic()
    server.user_sends_text(USER, "now")
    updates = await asyncio.wait_for(poll, 2)
    assert time.monotonic() - started < 0.5
    assert updates[0].message is not None and updates[0].message.text == "now"

    started = time.monotonic()
    assert await bot.get_updates(offset=updates[0].update_id + 1, timeout=30) == []
    assert time.monotonic() - started < server.max_poll_timeout + 0.5


@bounded()
async def test_second_poller_terminates_first_with_conflict(server: FakeTelegramServer) -> None:
    first = asyncio.create_task(raw_post(server, f"/bot{TOKEN}/getUpdates", data={"timeout": "30"}))
    await server.wait_for(lambda: server.active_polls, 2, description="a waiting poll")
    second = await raw_post(server, f"/bot{TOKEN}/getUpdates", data={"timeout": "0"})
    status, body = await asyncio.wait_for(first, 2)
    assert status == 409 and "terminated by other getUpdates" in body["description"]
    assert second == (200, {"ok": True, "result": []})


@bounded()
async def test_callback_query_is_parsed(server: FakeTelegramServer, bot: Bot) -> None:
    shown = await bot.send_message(chat_id=USER, text="Chọn", reply_markup=keyboard(("A", "a")))
    await bot.send_message(chat_id=USER, text="no keyboard")
    server.user_presses_button(USER, "a")
    (update,) = await bot.get_updates()
    query = update.callback_query
    assert query is not None
    assert query.data == "a"
    assert query.from_user.id == USER
    assert isinstance(query.message, Message)
    assert query.message.message_id == shown.message_id  # the message that has the button
    assert query.message.reply_markup is not None
    assert query.message.reply_markup.model_dump() == keyboard(("A", "a")).model_dump()

    assert await bot.answer_callback_query(query.id, text="Đã chọn")
    with pytest.raises(TelegramBadRequest, match="query ID is invalid"):
        await bot.answer_callback_query(query.id)
    answer = server.calls("answerCallbackQuery")[0]
    assert (answer.chat_id, answer.text) == (USER, "Đã chọn")
    with pytest.raises(LookupError):
        server.user_presses_button(USER, "missing", strict=True)


@bounded()
async def test_every_user_helper_builds_a_valid_update(
    server: FakeTelegramServer, bot: Bot
) -> None:
    updates = [
        server.user_shares_contact(USER, "+84901234567"),
        server.user_shares_contact(USER, "+84907654321", own=False),
        server.user_sends_location(USER, 21.0278, 105.8342),
        server.user_sends_photo(USER, caption="Sản phẩm"),
        server.user_sends_document(USER, "hoso.pdf", b"%PDF-1.4", mime_type="application/pdf"),
        server.user_sends_sticker(USER),
        server.user_sends_voice(USER, duration=5),
        server.user_blocks_bot(USER),
    ]
    ids = [u["update_id"] for u in updates]
    assert ids == sorted(set(ids))
    parsed = [Update.model_validate(u, context={"bot": bot}) for u in updates]
    own, other, loc, photo, doc, sticker, voice, _ = (p.message for p in parsed)
    assert own and own.contact and own.contact.user_id == USER
    assert other and other.contact and other.contact.user_id != USER
    assert loc and loc.location and loc.location.latitude == pytest.approx(21.0278)
    assert photo and photo.photo and len(photo.photo) == 4 and photo.caption == "Sản phẩm"
    assert len({p.file_unique_id for p in photo.photo}) == 4
    assert doc and doc.document and doc.document.file_name == "hoso.pdf"
    assert sticker and sticker.sticker and sticker.sticker.emoji == "👍"
    assert voice and voice.voice and voice.voice.duration == 5

    file = await bot.get_file(doc.document.file_id)
    assert file.file_path is not None
    downloaded = await bot.download_file(file.file_path)
    assert downloaded is not None and downloaded.read() == b"%PDF-1.4"


@bounded()
async def test_raw_and_unknown_updates(server: FakeTelegramServer) -> None:
    server.add_raw_update({"update_id": 5_000_000, "strange_thing": {"x": 1}})
    later = server.user_sends_text(USER, "after")
    assert later["update_id"] == 5_000_001
    status, body = await raw_post(server, f"/bot{TOKEN}/getUpdates")
    assert status == 200
    assert [u["update_id"] for u in body["result"]] == [5_000_000, 5_000_001]
    assert body["result"][0]["strange_thing"] == {"x": 1}


@bounded()
async def test_allowed_updates_filter(server: FakeTelegramServer, bot: Bot) -> None:
    server.user_sends_text(USER, "kept")
    server.user_blocks_bot(USER)
    updates = await bot.get_updates(allowed_updates=["message"])
    assert [u.event_type for u in updates] == ["message"]


@bounded(15)
async def test_polling_dispatcher_end_to_end(server: FakeTelegramServer, bot: Bot) -> None:
    dp = Dispatcher()

    @dp.message(CommandStart())
    async def start(message: Message) -> None:
        await message.answer("Xin chào! Chọn:", reply_markup=keyboard(("Báo cáo", "report")))

    @dp.callback_query()
    async def pressed(query: Any) -> None:
        await query.answer()
        await query.message.edit_text(f"Bạn chọn: {query.data}")

    polling = asyncio.create_task(
        dp.start_polling(bot, handle_signals=False, close_bot_session=False, polling_timeout=5)
    )
    try:
        server.user_sends_command(USER, "start")
        assert await server.wait_for_messages(USER, 1) == ["Xin chào! Chọn:"]
        assert server.last_reply_markup(USER) is not None
        server.user_presses_button(USER, "report")
        (edit,) = await server.wait_for_calls("editMessageText", chat_id=USER)
        assert edit.text == "Bạn chọn: report"
        assert len(server.calls("answerCallbackQuery")) == 1
        with pytest.raises(TimeoutError, match="expected 2 messages"):
            await server.wait_for_messages(USER, 2, timeout=0.2)
    finally:
        await dp.stop_polling()
        await asyncio.wait_for(polling, 5)
