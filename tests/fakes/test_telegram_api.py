"""Tests for the fake Telegram Bot API, driven by the *real* aiogram client over HTTP.

Why: the fake is only useful if aiogram accepts its answers exactly like Telegram's, so every
check goes through ``Bot`` + ``AiohttpSession`` (form/multipart encoding, pydantic parsing,
error-to-exception mapping) rather than calling the fake's internals.  Every test is bounded in
time so a hung long poll or stall fails fast instead of freezing the suite.
"""

from __future__ import annotations

import asyncio
import functools
import json
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any, ParamSpec, TypeVar

import aiohttp
import pytest
from aiogram import Bot, Dispatcher
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.exceptions import (
    TelegramBadRequest,
    TelegramConflictError,
    TelegramForbiddenError,
    TelegramNetworkError,
    TelegramRetryAfter,
    TelegramServerError,
    TelegramUnauthorizedError,
)
from aiogram.filters import CommandStart
from aiogram.methods import SendMessage
from aiogram.types import (
    BotCommand,
    BufferedInputFile,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    Message,
    Update,
)
from aiogram.webhook.aiohttp_server import SimpleRequestHandler
from aiohttp import web

from tests.fakes.telegram_api import FakeTelegramServer

TOKEN = "123:ABC"
USER = 42

P = ParamSpec("P")
R = TypeVar("R")


def bounded(
    seconds: float = 10.0,
) -> Callable[[Callable[P, Awaitable[R]]], Callable[P, Awaitable[R]]]:
    """Fail a test that runs longer than ``seconds`` instead of hanging the whole run."""

    def decorate(func: Callable[P, Awaitable[R]]) -> Callable[P, Awaitable[R]]:
        @functools.wraps(func)
        async def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
            return await asyncio.wait_for(func(*args, **kwargs), seconds)

        return wrapper

    return decorate


@pytest.fixture
async def server() -> AsyncIterator[FakeTelegramServer]:
    async with FakeTelegramServer(token=TOKEN) as fake:
        yield fake


def make_bot(server: FakeTelegramServer, *, timeout: float = 5.0, token: str = TOKEN) -> Bot:
    """Build the Bot exactly as production code would, just pointed at the fake."""
    session = AiohttpSession(api=TelegramAPIServer.from_base(server.base_url), timeout=timeout)
    return Bot(token=token, session=session)


@pytest.fixture
async def bot(server: FakeTelegramServer) -> AsyncIterator[Bot]:
    tg = make_bot(server)
    try:
        yield tg
    finally:
        await tg.session.close()


def keyboard(*pairs: tuple[str, str]) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        inline_keyboard=[[InlineKeyboardButton(text=t, callback_data=d)] for t, d in pairs]
    )


async def raw_post(server: FakeTelegramServer, path: str, **kwargs: Any) -> tuple[int, Any]:
    """Hit the fake without aiogram, to check wire-level details aiogram hides."""
    async with (
        aiohttp.ClientSession() as http,
        http.post(f"{server.base_url}{path}", **kwargs) as resp,
    ):
        return resp.status, await resp.json()


# --------------------------------------------------------------------------- basics


@bounded()
async def test_get_me_and_base_url(server: FakeTelegramServer, bot: Bot) -> None:
    assert server.base_url.startswith("http://127.0.0.1:")
    me = await bot.get_me()
    assert me.id == 123
    assert me.is_bot
    assert me.username == "ocop_test_bot"
    assert [r.method for r in server.requests] == ["getMe"]
    assert server.sent == []  # read-only calls are not "sent"


@bounded()
async def test_wrong_token_is_unauthorized(server: FakeTelegramServer) -> None:
    wrong = make_bot(server, token="123:WRONG")
    try:
        with pytest.raises(TelegramUnauthorizedError):
            await wrong.send_message(chat_id=USER, text="hi")
    finally:
        await wrong.session.close()
    assert server.requests[-1].status == 401
    assert server.sent == []


@bounded()
async def test_unknown_method_and_case_insensitive_names(server: FakeTelegramServer) -> None:
    status, body = await raw_post(server, f"/bot{TOKEN}/sendTelepathy", data={"chat_id": "1"})
    assert status == 404
    assert body == {"ok": False, "error_code": 404, "description": "Not Found: method not found"}
    status, body = await raw_post(server, f"/bot{TOKEN}/GETME")
    assert status == 200
    assert body["result"]["id"] == 123


@bounded()
async def test_json_body_is_accepted(server: FakeTelegramServer) -> None:
    status, body = await raw_post(
        server,
        f"/bot{TOKEN}/sendMessage",
        json={"chat_id": USER, "text": "json", "reply_markup": {"remove_keyboard": True}},
    )
    assert status == 200
    assert body["result"]["text"] == "json"
    assert server.messages_to(USER) == ["json"]


# --------------------------------------------------------------------------- sending


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


# --------------------------------------------------------------------------- errors


@bounded()
async def test_injected_429_raises_retry_after(server: FakeTelegramServer, bot: Bot) -> None:
    server.fail_next(1, status=429, retry_after=7)
    with pytest.raises(TelegramRetryAfter) as exc_info:
        await bot.send_message(chat_id=USER, text="lost?")
    assert exc_info.value.retry_after == 7
    assert server.stats["429"] == 1
    assert server.sent == []
    assert server.requests[-1].response["parameters"] == {"retry_after": 7}
    await bot.send_message(chat_id=USER, text="retried")
    assert server.messages_to(USER) == ["retried"]


@bounded()
async def test_rate_limits_answer_429(server: FakeTelegramServer, bot: Bot) -> None:
    server.set_rate_limits(per_chat_per_second=1.0, per_chat_burst=2)
    await bot.send_message(chat_id=USER, text="1")
    await bot.send_message(chat_id=USER, text="2")
    with pytest.raises(TelegramRetryAfter) as exc_info:
        await bot.send_message(chat_id=USER, text="3")
    assert exc_info.value.retry_after >= 1
    await bot.send_message(chat_id=USER + 1, text="other chat has its own bucket")

    server.set_rate_limits(global_per_second=2)
    await bot.send_message(chat_id=7, text="a")
    await bot.send_message(chat_id=8, text="b")
    with pytest.raises(TelegramRetryAfter):
        await bot.send_message(chat_id=9, text="c")
    assert server.stats["429"] == 2
    assert server.stats["rate_limited"] == 2
    assert [c.text for c in server.sent] == ["1", "2", "other chat has its own bucket", "a", "b"]


@bounded()
async def test_forbidden_blocked_user(server: FakeTelegramServer, bot: Bot) -> None:
    server.fail_next(1, status=403)
    with pytest.raises(TelegramForbiddenError, match="bot was blocked by the user"):
        await bot.send_message(chat_id=USER, text="x")

    update = server.user_blocks_bot(USER)
    parsed = Update.model_validate(update, context={"bot": bot})
    assert parsed.my_chat_member is not None
    assert parsed.my_chat_member.new_chat_member.status == "kicked"
    with pytest.raises(TelegramForbiddenError):
        await bot.send_message(chat_id=USER, text="y")
    await bot.send_message(chat_id=USER + 1, text="others still fine")
    server.user_unblocks_bot(USER)
    await bot.send_message(chat_id=USER, text="welcome back")
    assert [c.text for c in server.sent] == ["others still fine", "welcome back"]
    assert server.stats["403"] == 2


@bounded()
async def test_server_errors(server: FakeTelegramServer, bot: Bot) -> None:
    server.fail_next(1, status=500)
    server.fail_next(1, status=502, description="Bad Gateway")
    with pytest.raises(TelegramServerError):
        await bot.send_message(chat_id=USER, text="x")
    with pytest.raises(TelegramServerError, match="Bad Gateway"):
        await bot.send_message(chat_id=USER, text="x")
    await bot.get_me()  # not targeted by default: faults are kept for user-visible calls
    server.fail_next(1, status=400, description="Bad Request: chat not found")
    with pytest.raises(TelegramBadRequest, match="chat not found"):
        await bot.send_message(chat_id=USER, text="x")
    assert server.stats["5xx"] == 2
    assert server.sent == []
    assert [r.status for r in server.requests] == [500, 502, 200, 400]


@bounded()
async def test_stall_makes_client_time_out(server: FakeTelegramServer) -> None:
    impatient = make_bot(server, timeout=0.3)
    try:
        server.stall_next(1, seconds=3.0)
        started = time.monotonic()
        with pytest.raises(TelegramNetworkError, match="timeout"):
            await impatient.send_message(chat_id=USER, text="slow")
        assert time.monotonic() - started < 2.0
        assert server.stats["timeout"] == 1
        await impatient.send_message(chat_id=USER, text="fast")
        assert server.messages_to(USER) == ["fast"]  # the stalled one was not executed
    finally:
        await impatient.session.close()


@bounded()
async def test_stall_with_delivery_records_late(server: FakeTelegramServer) -> None:
    impatient = make_bot(server, timeout=0.2)
    try:
        server.stall_next(1, seconds=0.5, deliver=True)
        with pytest.raises(TelegramNetworkError):
            await impatient.send_message(chat_id=USER, text="arrives anyway")
        # The classic duplicate trap: the client gave up but the user still gets the message.
        assert await server.wait_for_messages(USER, 1, timeout=3) == ["arrives anyway"]
    finally:
        await impatient.session.close()


@bounded(20)
async def test_chaos_is_seeded_and_nothing_is_lost_or_doubled() -> None:
    async def run(seed: int) -> tuple[list[int], list[str]]:
        async with FakeTelegramServer(token=TOKEN) as fake:
            fake.chaos(rate=0.4, kinds=("429", "5xx"), seed=seed, retry_after=1)
            tg = make_bot(fake)
            try:
                for i in range(15):
                    while True:
                        try:
                            await tg.send_message(chat_id=USER, text=f"m{i}")
                            break
                        except (TelegramRetryAfter, TelegramServerError):
                            continue  # a real bot would sleep retry_after; not needed here
            finally:
                await tg.session.close()
            return [r.status for r in fake.requests], fake.messages_to(USER)

    statuses_a, texts_a = await run(seed=3)
    statuses_b, texts_b = await run(seed=3)
    assert statuses_a == statuses_b  # reproducible
    assert any(s != 200 for s in statuses_a)
    assert texts_a == texts_b == [f"m{i}" for i in range(15)]


# --------------------------------------------------------------------------- updates


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


# --------------------------------------------------------------------------- webhook


async def start_receiver(
    handler: Callable[[web.Request], Awaitable[web.StreamResponse]],
) -> tuple[web.AppRunner, str]:
    """A tiny webhook receiver on 127.0.0.1 standing in for the bot's web app."""
    app = web.Application()
    app.router.add_post("/webhook", handler)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    return runner, f"http://127.0.0.1:{runner.addresses[0][1]}/webhook"


@bounded()
async def test_webhook_secret_and_pending(server: FakeTelegramServer, bot: Bot) -> None:
    received: list[dict[str, Any]] = []

    async def receive(request: web.Request) -> web.Response:
        if request.headers.get("X-Telegram-Bot-Api-Secret-Token") != "s3cret":
            return web.Response(status=401, text="Unauthorized")
        received.append(await request.json())
        return web.json_response({})

    runner, url = await start_receiver(receive)
    try:
        assert await bot.set_webhook(url, secret_token="s3cret", allowed_updates=["message"])
        assert server.webhook is not None
        assert (server.webhook.url, server.webhook.secret_token) == (url, "s3cret")
        assert server.webhook.allowed_updates == ["message"]
        with pytest.raises(TelegramConflictError):
            await bot.get_updates()

        update = server.user_sends_text(USER, "qua webhook")
        info = await bot.get_webhook_info()
        assert info.url == url and info.pending_update_count == 1

        assert await server.deliver_webhook(update, secret="wrong") == 401
        assert await server.deliver_webhook(update, secret=None) == 401
        info = await bot.get_webhook_info()
        assert info.pending_update_count == 1 and info.last_error_message
        assert await server.deliver_webhook() == 200
        assert received == [update]
        assert (await bot.get_webhook_info()).pending_update_count == 0
        assert [d.status for d in server.webhook_deliveries] == [401, 401, 200]

        assert await server.post_update_to(url, update, secret="s3cret") == 200
        assert await bot.delete_webhook()
        assert server.webhook is None
    finally:
        await runner.cleanup()


@bounded()
async def test_webhook_reply_with_real_dispatcher(server: FakeTelegramServer, bot: Bot) -> None:
    dp = Dispatcher()

    @dp.message(CommandStart())
    async def start(message: Message) -> SendMessage:
        # Answering in the webhook response body: Telegram executes it, so must the fake.
        return message.answer("Chào mừng!", reply_markup=keyboard(("Báo cáo", "report")))

    app = web.Application()
    SimpleRequestHandler(
        dispatcher=dp, bot=bot, secret_token="tok", handle_in_background=False
    ).register(app, path="/webhook")
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    url = f"http://127.0.0.1:{runner.addresses[0][1]}/webhook"
    try:
        await bot.set_webhook(url, secret_token="tok")
        server.user_sends_command(USER, "start")
        assert await server.deliver_webhook() == 200
        assert server.messages_to(USER) == ["Chào mừng!"]
        reply = server.sent[0]
        assert reply.reply_markup == {
            "inline_keyboard": [[{"text": "Báo cáo", "callback_data": "report"}]]
        }
        assert server.webhook_deliveries[-1].reply_method == "sendMessage"
        assert server.requests[-1].source == "webhook_reply"
        assert (
            await server.post_update_to(url, server.user_sends_text(USER, "x"), secret="no") == 401
        )
    finally:
        await runner.cleanup()


# --------------------------------------------------------------------------- end to end


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


@bounded()
async def test_chaos_timeouts_are_not_executed(server: FakeTelegramServer) -> None:
    impatient = make_bot(server, timeout=0.2)
    try:
        server.chaos(rate=1.0, kinds=("timeout",), seed=1, stall_seconds=1.0)
        with pytest.raises(TelegramNetworkError):
            await impatient.send_message(chat_id=USER, text="never")
        server.chaos(rate=0)
        await impatient.send_message(chat_id=USER, text="ok")
        assert server.messages_to(USER) == ["ok"]
        assert server.stats["chaos"] == 1
    finally:
        await impatient.session.close()


@bounded()
async def test_wait_helpers_time_out_quickly(server: FakeTelegramServer) -> None:
    started = time.monotonic()
    with pytest.raises(TimeoutError):
        await server.wait_for_calls("sendMessage", timeout=0.1)
    assert time.monotonic() - started < 1
    assert json.dumps(server.stats)  # plain counter, easy to print in failure messages
