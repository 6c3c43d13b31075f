"""TelegramChannel.send over the wire: what Telegram receives for each kind of reply, and
which delivery error each Bot API failure becomes (the outbox sender decides by type)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Hashable
from contextlib import asynccontextmanager

import pytest
from aiogram import Bot

from bot.channels.base import PermanentFailure, RecipientBlocked, RetryLater
from bot.channels.telegram import TelegramChannel
from bot.messages import Button, Document, Outbound
from bot.ratelimit import RateLimiter
from tests.bot.channels.test_telegram_helpers import TOKEN, bounded, inline_data
from tests.fakes.telegram_api import FakeTelegramServer

CHAT = 7001


@pytest.fixture
async def server() -> AsyncIterator[FakeTelegramServer]:
    async with FakeTelegramServer(token=TOKEN) as fake:
        yield fake


@pytest.fixture
async def bot(server: FakeTelegramServer) -> AsyncIterator[Bot]:
    bot = server.make_bot(timeout=1.0)
    yield bot
    await bot.session.close()


def fast_limiter() -> RateLimiter:
    return RateLimiter(global_rate=1000.0, per_key_rate=1000.0, per_key_burst=10)


@pytest.fixture
def channel(bot: Bot) -> TelegramChannel:
    return TelegramChannel(bot, fast_limiter())


@bounded(10)
async def test_text_is_plain_and_choices_are_inline_buttons(
    server: FakeTelegramServer, channel: TelegramChannel
) -> None:
    typed = "Giá <b>100k</b> & *giảm* _50%_ [link](x)."
    await channel.send(
        str(CHAT),
        Outbound(
            text=typed,
            buttons=[[Button(label="Có", payload="yes"), Button(label="Không", payload="no")]],
        ),
    )
    (call,) = server.calls("sendMessage", CHAT)
    assert call.text == typed  # shown exactly as typed: no parse mode, nothing to escape
    assert "parse_mode" not in call.params
    assert call.reply_markup == {
        "inline_keyboard": [
            [{"text": "Có", "callback_data": "yes"}, {"text": "Không", "callback_data": "no"}]
        ]
    }


@bounded(10)
async def test_long_text_is_split_with_the_keyboard_on_the_last_piece(
    server: FakeTelegramServer, channel: TelegramChannel
) -> None:
    text = "\n".join(f"Dòng {n}: " + "x" * 90 for n in range(100))  # ~10,000 characters
    await channel.send(str(CHAT), Outbound(text=text, buttons=[[Button(label="OK", payload="ok")]]))
    calls = server.calls("sendMessage", CHAT)
    assert len(calls) == 3
    assert all(len(c.text or "") <= 4096 for c in calls)
    assert "".join((c.text or "") + "\n" for c in calls).strip() == text
    assert [inline_data(c) for c in calls] == [[], [], ["ok"]]


@bounded(10)
async def test_a_document_is_sent_as_a_file(
    server: FakeTelegramServer, channel: TelegramChannel
) -> None:
    content = b"PK\x03\x04 fake xlsx"
    await channel.send(
        str(CHAT),
        Outbound(
            text="Báo cáo tháng 3",
            document=Document(filename="bao-cao-thang-3.xlsx", content=content),
        ),
    )
    (call,) = server.calls("sendDocument", CHAT)
    assert (call.filename, call.file_bytes, call.caption) == (
        "bao-cao-thang-3.xlsx",
        content,
        "Báo cáo tháng 3",
    )


@pytest.mark.parametrize(
    ("fault", "expected", "retry_after"),
    [
        ({"status": 429, "retry_after": 3}, RetryLater, 3.0),
        ({"status": 500}, RetryLater, None),
        ({"status": 502}, RetryLater, None),
        ({"status": 403}, RecipientBlocked, None),
        ({"status": 403, "description": "Forbidden: user is deactivated"}, RecipientBlocked, None),
        ({"status": 400, "description": "Bad Request: chat not found"}, PermanentFailure, None),
    ],
)
@bounded(10)
async def test_api_errors_become_delivery_errors(
    server: FakeTelegramServer,
    channel: TelegramChannel,
    fault: dict[str, object],
    expected: type[Exception],
    retry_after: float | None,
) -> None:
    server.fail_next(1, **fault)  # type: ignore[arg-type]
    with pytest.raises(expected) as caught:
        await channel.send(str(CHAT), Outbound(text="Xin chào"))
    if isinstance(caught.value, RetryLater):
        assert caught.value.retry_after == retry_after
    assert server.sent == []


@bounded(10)
async def test_a_time_out_is_retryable(
    server: FakeTelegramServer, channel: TelegramChannel
) -> None:
    server.stall_next(1, seconds=3.0)  # longer than the client's 1 s time-out
    with pytest.raises(RetryLater):
        await channel.send(str(CHAT), Outbound(text="Xin chào"))
    await channel.send(str(CHAT), Outbound(text="Xin chào"))
    assert server.messages_to(CHAT) == ["Xin chào"]


@bounded(10)
async def test_a_429_holds_the_chat_in_the_limiter(server: FakeTelegramServer, bot: Bot) -> None:
    limiter = fast_limiter()
    channel = TelegramChannel(bot, limiter)
    server.fail_next(1, status=429, retry_after=2)
    with pytest.raises(RetryLater):
        await channel.send(str(CHAT), Outbound(text="a"))
    waited = await limiter.acquire(str(CHAT))
    assert waited > 1.5


@bounded(10)
async def test_what_telegram_cannot_show_fails_without_a_request(
    server: FakeTelegramServer, channel: TelegramChannel
) -> None:
    with pytest.raises(PermanentFailure, match="64"):
        await channel.send(
            str(CHAT), Outbound(text="?", buttons=[[Button(label="x", payload="p" * 65)]])
        )
    with pytest.raises(PermanentFailure, match="empty"):
        await channel.send(str(CHAT), Outbound(text="  "))
    assert server.requests == []


class FailOnCall:
    """A limiter that makes the fake fail the n-th call (to hit a later piece of a reply)."""

    def __init__(self, server: FakeTelegramServer, n: int, status: int) -> None:
        self.server, self.n, self.status, self.calls = server, n, status, 0

    async def acquire(self, key: Hashable | None = None) -> float:
        self.calls += 1
        if self.calls == self.n:
            self.server.fail_next(1, status=self.status)
        return 0.0

    @asynccontextmanager
    async def slot(self, key: Hashable | None = None) -> AsyncIterator[float]:
        yield await self.acquire(key)

    def hold(self, key: Hashable | None, seconds: float) -> None:
        pass


@bounded(10)
async def test_a_retried_reply_never_repeats_pieces_already_delivered(
    server: FakeTelegramServer, bot: Bot
) -> None:
    channel = TelegramChannel(bot, FailOnCall(server, n=2, status=502))  # type: ignore[arg-type]
    text = "\n\n".join(f"Phần {n}. " + "y" * 3000 for n in range(3))  # three pieces
    reply = Outbound(text=text, buttons=[[Button(label="OK", payload="ok")]])
    with pytest.raises(RetryLater):
        await channel.send(str(CHAT), reply)
    assert len(server.messages_to(CHAT)) == 1
    await channel.send(str(CHAT), reply)  # the outbox sender's retry of the same row
    texts = server.messages_to(CHAT)
    assert [t[:7] for t in texts] == ["Phần 0.", "Phần 1.", "Phần 2."]
    assert inline_data(server.calls("sendMessage", CHAT)[-1]) == ["ok"]
    # once delivered, the same reply again is a new message, sent in full
    await channel.send(str(CHAT), reply)
    assert len(server.messages_to(CHAT)) == 6


@bounded(10)
async def test_a_permanent_failure_forgets_the_progress(
    server: FakeTelegramServer, bot: Bot
) -> None:
    channel = TelegramChannel(bot, FailOnCall(server, n=2, status=400))  # type: ignore[arg-type]
    reply = Outbound(text="a" * 4000 + "\n\n" + "b" * 100)
    with pytest.raises(PermanentFailure):
        await channel.send(str(CHAT), reply)
    assert len(channel.progress) == 0


@bounded(10)
async def test_paid_broadcast_is_asked_for_only_when_the_operator_chose_it(
    server: FakeTelegramServer, bot: Bot
) -> None:
    """OCOP_TELEGRAM_PAID_BROADCAST: Telegram allows more than 30/s only for messages sent
    with allow_paid_broadcast (and charges for them), so the flag is sent then, and never
    otherwise."""
    await TelegramChannel(bot, fast_limiter()).send(str(CHAT), Outbound(text="miễn phí"))
    paid = TelegramChannel(bot, fast_limiter(), paid_broadcast=True)
    await paid.send(str(CHAT), Outbound(text="trả phí"))
    free_call, paid_call = server.calls("sendMessage", CHAT)
    assert "allow_paid_broadcast" not in free_call.params
    assert paid_call.params.get("allow_paid_broadcast") in (True, "true")  # a form field


def test_the_telegram_limiter_never_allows_more_than_the_rate_in_a_second() -> None:
    from bot.channels.telegram.channel import telegram_limiter

    assert telegram_limiter(global_rate=100.0)._window is not None
    assert telegram_limiter(global_rate=100.0)._window.limit == 100  # type: ignore[union-attr]
    assert telegram_limiter(global_rate=25.5)._window.limit == 25  # type: ignore[union-attr]
    assert telegram_limiter(global_rate=0.5)._window.limit == 1  # type: ignore[union-attr]
