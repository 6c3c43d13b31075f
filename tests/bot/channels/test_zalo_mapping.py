"""The Zalo channel's pure parts and its HTTP client: updates → inbound messages (both body
shapes), replies → 2,000-character texts, API failures → typed errors with the token never
shown. The client runs against the fake Zalo Bot API on 127.0.0.1."""

from __future__ import annotations

import logging
import traceback
from collections.abc import AsyncIterator
from typing import Any

import pytest

from bot.channels.base import PermanentFailure, RetryLater
from bot.channels.zalo.api import (
    ApiTimeout,
    BadRequest,
    RateLimited,
    ServerError,
    Unauthorized,
    ZaloApi,
)
from bot.channels.zalo.channel import QuotaBackoff, delivery_error
from bot.channels.zalo.render import Unrenderable, pieces, plan
from bot.channels.zalo.updates import MalformedUpdate, ProtectedSender, Skip, to_inbound
from bot.messages import Button, FileRef, InboundKind, Outbound
from tests.bot.channels.test_telegram_helpers import bounded
from tests.fakes.zalo_api import TOKEN, FakeZaloServer


def message(**fields: Any) -> dict[str, Any]:
    return {
        "from": {"id": "6ede9afa66b88fe6d6a9", "display_name": "Ted", "is_bot": False},
        "chat": {"id": "6ede9afa66b88fe6d6a9", "chat_type": "PRIVATE"},
        "message_id": "2d758cb5e222177a4e35",
        "date": 1750316131602,
        **fields,
    }


@pytest.mark.parametrize("wrapped", [True, False])
def test_a_text_in_either_body_shape(wrapped: bool) -> None:
    update = {"event_name": "message.text.received", "message": message(text="/start ABC")}
    inbound = to_inbound({"ok": True, "result": update} if wrapped else update)
    assert not isinstance(inbound, Skip | ProtectedSender)
    assert (inbound.channel, inbound.user_id, inbound.message_id, inbound.kind) == (
        "zalo",
        "6ede9afa66b88fe6d6a9",
        "m2d758cb5e222177a4e35",
        InboundKind.TEXT,
    )
    assert inbound.command == ("start", "ABC") and inbound.display_name == "Ted"


def test_photos_stickers_voice_and_protected_users() -> None:
    url = "https://photo.zadn.vn/abc.jpg"
    photo = to_inbound(
        {"event_name": "message.image.received", "message": message(photo=url, caption="Chè")}
    )
    assert not isinstance(photo, Skip | ProtectedSender)
    assert (photo.kind, photo.file, photo.text) == (InboundKind.PHOTO, FileRef(file_id=url), "Chè")
    for event in ("message.sticker.received", "message.voice.received"):
        other = to_inbound({"event_name": event, "message": message(sticker="x")})
        assert not isinstance(other, Skip | ProtectedSender)
        assert other.kind is InboundKind.UNSUPPORTED
    protected = to_inbound({"event_name": "message.unsupported.received", "message": message()})
    assert protected == ProtectedSender("6ede9afa66b88fe6d6a9", "m2d758cb5e222177a4e35", "Ted")
    assert isinstance(to_inbound({"event_name": "message.unsupported.received"}), Skip)


def test_what_is_skipped() -> None:
    group = message(text="hi", chat={"id": "g1", "chat_type": "GROUP"})
    bot = message(text="hi", **{"from": {"id": "b0", "is_bot": True}})
    assert isinstance(to_inbound({"event_name": "message.text.received", "message": group}), Skip)
    assert isinstance(to_inbound({"event_name": "message.text.received", "message": bot}), Skip)
    assert isinstance(to_inbound({"event_name": "bot.added.to.group"}), Skip)


def test_a_message_without_an_id_gets_a_stable_key() -> None:
    body = {"event_name": "message.text.received", "message": message(text="1")}
    del body["message"]["message_id"]
    first, second = to_inbound(body), to_inbound(dict(body))
    assert not isinstance(first, Skip | ProtectedSender)
    assert not isinstance(second, Skip | ProtectedSender)
    assert first.message_id == second.message_id and first.message_id.startswith("mh")
    long_id = to_inbound(
        {"event_name": "message.text.received", "message": message(message_id="x" * 500, text="1")}
    )
    assert not isinstance(long_id, Skip | ProtectedSender) and len(long_id.message_id) < 100


@pytest.mark.parametrize(
    "body",
    [
        [],
        "text",
        {"ok": True, "result": {}},
        {"event_name": "message.text.received"},
        {"event_name": "message.text.received", "message": message()},  # no text
        {"event_name": "message.text.received", "message": {"text": "hi"}},  # no sender
        {"event_name": "message.image.received", "message": message()},  # no photo
        {"event_name": "message.text.received", "message": message(text=5)},
    ],
)
def test_malformed_bodies_raise_malformed_update(body: object) -> None:
    with pytest.raises(MalformedUpdate):
        to_inbound(body)


def test_pieces_keep_order_and_fit_2000_characters() -> None:
    text = "\n".join(f"dòng {i}: " + ("chè " * 30).strip() for i in range(200))
    parts = pieces(text)
    assert all(0 < len(part) <= 2000 for part in parts)
    assert "\n".join(parts) == text
    words = " ".join(["Thái Nguyên"] * 600)  # no line break: cut at spaces
    assert " ".join(pieces(words)) == words
    emoji = "🌾" * 1500  # 3,000 UTF-16 units in 1,500 characters
    assert all(len(part.encode("utf-16-le")) // 2 <= 2000 for part in pieces(emoji))
    assert "".join(pieces(emoji)) == emoji


def test_plan_numbers_choices_and_refuses_an_empty_reply() -> None:
    reply = Outbound(
        text="Anh/chị tham gia với vai trò nào?",
        buttons=[[Button(label="Chủ thể", payload="p")], [Button(label="Cán bộ", payload="o")]],
        request_contact="Chia sẻ",
    )
    assert plan(reply) == [
        "Anh/chị tham gia với vai trò nào?\n\n  1. Chủ thể\n  2. Cán bộ\nTrả lời 1 hoặc 2."
    ]
    assert plan(Outbound(text=""), "note") == ["note"]
    with pytest.raises(Unrenderable):
        plan(Outbound(text="  \n "))


def test_delivery_errors_and_the_back_off() -> None:
    assert isinstance(delivery_error(RateLimited("sendMessage", 429, "quota")), RetryLater)
    assert isinstance(delivery_error(ServerError("sendMessage", 502, "gw")), RetryLater)
    assert isinstance(delivery_error(ApiTimeout("sendMessage", 0, "slow")), RetryLater)
    assert isinstance(delivery_error(Unauthorized("sendMessage", 401, "no")), RetryLater)
    assert isinstance(delivery_error(BadRequest("sendMessage", 400, "long")), PermanentFailure)
    now = [100.0]
    backoff = QuotaBackoff(base=1.0, cap=5.0, clock=lambda: now[0])
    assert [backoff.failed() for _ in range(5)] == [1.0, 2.0, 4.0, 5.0, 5.0]
    assert backoff.remaining() == 5.0
    backoff.succeeded()
    now[0] += 10
    assert backoff.remaining() == 0 and backoff.failed(hint=7.0) == 7.0 and backoff.failed() == 2.0


@pytest.fixture
async def zalo() -> AsyncIterator[FakeZaloServer]:
    async with FakeZaloServer(max_poll_wait=0.2) as fake:
        yield fake


@bounded(20)
async def test_the_client_types_every_failure(zalo: FakeZaloServer) -> None:
    api = ZaloApi(TOKEN, base=zalo.base_url, timeout=0.5)
    try:
        assert (await api.get_me())["account_name"] == "Bot OCOP Thử nghiệm"
        assert await api.get_updates(wait=1) is None  # 408: nothing new
        update = zalo.user("u1", "An").says("chào")
        assert await api.get_updates(wait=1) == update
        for status, error in ((429, RateLimited), (500, ServerError), (400, BadRequest)):
            zalo.fail_next(1, status=status)
            with pytest.raises(error):
                await api.send_message("u1", "x")
        zalo.errors_in_body = True  # the same, inside a 200 answer
        zalo.fail_next(1, status=429)
        with pytest.raises(RateLimited):
            await api.send_message("u1", "x")
        zalo.stall_next(1, seconds=2)
        with pytest.raises(ApiTimeout):
            await api.send_message("u1", "x")
        with pytest.raises(BadRequest, match="2000"):
            await api.send_message("u1", "x" * 2001)
    finally:
        await api.close()
    assert repr(api) == f"ZaloApi(base={zalo.base_url!r})"


@bounded(20)
async def test_the_token_never_shows(
    zalo: FakeZaloServer, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    secret_part = "never-in-a-log_42"
    for base in (zalo.base_url, "http://127.0.0.1:9", "http://[::1"):
        api = ZaloApi(f"3001234567:{secret_part}", base=base, timeout=0.5)
        try:
            with pytest.raises(Exception) as caught:
                await api.get_me()
        finally:
            await api.close()
        # neither the error nor its traceback (what log.exception would print)
        assert secret_part not in "".join(traceback.format_exception(caught.value))
        if base == zalo.base_url:
            assert isinstance(caught.value, Unauthorized)
        error = caught.value
        if isinstance(error, Unauthorized):
            delivery_error(error)  # logs an error naming the setting
    assert secret_part not in caplog.text
