"""The browser chat over HTTP, on SQLite and PostgreSQL: the page and its headers, the
anonymous cookie, the anti-forgery token, the send endpoint into the one pipeline, and the
event stream read from the outbox (history, resume after a reload, live delivery of what
someone else caused)."""

from __future__ import annotations

import re
import uuid
from collections.abc import AsyncIterator
from datetime import timedelta

import pytest
from sqlalchemy import select

from bot.channels.web import CHANNEL
from bot.channels.web.hub import MAX_STREAMS_PER_ADDRESS
from bot.i18n import Translator
from bot.messages import Outbound
from storage.models import Identity, User, utcnow
from storage.outbox import Outbox
from tests.bot.channels.test_web_helpers import Chat, open_chat


@pytest.fixture
async def chat(database_url: str) -> AsyncIterator[Chat]:
    async with open_chat(database_url) as opened:
        yield opened


async def test_the_page_sets_an_anonymous_cookie_and_strict_headers(chat: Chat) -> None:
    response = await chat.client.get("/chat")
    assert response.status == 200
    cookie = response.headers["Set-Cookie"]
    assert re.match(r"ocop_chat=[A-Za-z0-9_-]{24};", cookie)
    for attribute in ("HttpOnly", "SameSite=Strict", "Path=/chat"):
        assert attribute in cookie
    csp = response.headers["Content-Security-Policy"]
    assert "default-src 'self'" in csp and "frame-ancestors 'none'" in csp
    assert "unsafe-inline" not in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "no-referrer"
    html = await response.text()
    # Scripts only from this server, none inline; no style attribute or element either.
    assert re.findall(r"<script[^>]*>", html) == ['<script src="/chat/static/chat.js" defer>']
    assert "<style" not in html and "style=" not in html and "http" not in html
    assert '<html lang="vi">' in html

    again = await chat.client.get("/chat")  # the same browser keeps its id
    assert "Set-Cookie" not in again.headers
    script = await chat.client.get("/chat/static/chat.js")
    assert script.status == 200 and script.content_type == "text/javascript"
    assert "Content-Security-Policy" in script.headers
    assert (await chat.client.get("/chat/static/../service.py")).status == 404
    assert (await chat.client.get("/chat/static/nothing.js")).status == 404


async def test_a_post_needs_the_cookie_and_its_token(chat: Chat) -> None:
    browser, token = await chat.open_page()
    body = {"id": "message-0001", "text": "/start"}
    assert (await chat.post(body, None)).status == 403
    assert (await chat.post(body, "x" * 43)).status == 403
    assert (await chat.post(body, token, Origin="http://evil.example")).status == 403
    refused = await chat.post(body, None)
    expired = Translator("vi").t("This page has expired. Please reload it.")
    assert (await refused.json())["error"] == expired != "This page has expired. Please reload it."

    _, other_token = await chat.open_page()  # another browser's token is not this one's
    chat.client.session.cookie_jar.clear()
    chat.client.session.cookie_jar.update_cookies({"ocop_chat": browser})
    assert (await chat.post(body, other_token)).status == 403

    bad = await chat.client.post("/chat/send", data="text=/start", headers={"X-CSRF-Token": token})
    assert bad.status == 415
    for malformed in ({"text": "no id"}, {"id": "x", "text": "short id"}, {"id": "abcdefgh"}):
        assert (await chat.post(malformed, token)).status == 400
    chat.client.session.cookie_jar.clear()
    assert (await chat.post(body, token)).status == 403  # no cookie at all

    async with chat.app.session_factory() as session:
        assert await session.scalar(select(Identity).where(Identity.channel == CHANNEL)) is None


async def test_what_is_sent_takes_the_pipeline_and_comes_back_on_the_stream(chat: Chat) -> None:
    browser, token = await chat.open_page()
    async with chat.stream() as stream:
        opened, ready = await stream.until_ready()
        assert (opened, ready.data) == ([], {"count": 0, "resumed": False})
        response = await chat.post({"id": uuid.uuid4().hex, "session": True}, token)
        assert response.status == 200
        await chat.deliver()
        greeting = [await stream.next(), await stream.next()]
    assert [event.kind for event in greeting] == ["message", "message"]
    language = greeting[-1].data
    assert language["buttons"] == [
        [{"label": "Tiếng Việt", "payload": "vi"}, {"label": "English", "payload": "en"}]
    ]
    assert language["id"] == greeting[-1].id

    async with chat.app.session_factory() as session:
        identity = await session.scalar(select(Identity).where(Identity.channel == CHANNEL))
    assert identity is not None and identity.external_id == browser

    # A reload: the page opens on the conversation so far, read from the outbox.
    await chat.press(token, "en")
    await chat.deliver()
    async with chat.stream() as stream:
        opened, ready = await stream.until_ready()
    assert [event.id for event in opened[:2]] == [event.id for event in greeting]
    assert "role" in opened[-1].data["text"] and ready.data["count"] == len(opened)

    # A stream that reconnects gets only what came after the last message it showed.
    await chat.say(token, "/help")
    await chat.deliver()
    async with chat.stream(**{"Last-Event-ID": str(opened[-1].id)}) as stream:
        since, ready = await stream.until_ready()
    assert ready.data["resumed"] is True
    assert since and all(event.id > opened[-1].id for event in since)


async def test_a_repeated_post_is_handled_once(chat: Chat) -> None:
    _, token = await chat.open_page()
    body = {"id": "the-same-id-1", "session": True}
    assert (await chat.post(body, token)).status == 200
    assert (await chat.post(body, token)).status == 200  # a retry after a lost answer
    await chat.deliver()
    async with chat.stream() as stream:
        opened, _ = await stream.until_ready()
    assert len(opened) == 2  # one greeting, one language question


async def test_a_message_from_someone_else_arrives_without_typing(chat: Chat) -> None:
    """The officer's page is open; the admin approves in their own chat; the page shows it."""
    for line in ("/start", "English", "Trần Văn Quản", "+84 988 000 111", "I agree"):
        await chat.console("admin", line)
    _, token = await chat.open_page()
    await chat.post({"id": uuid.uuid4().hex, "session": True}, token)
    for press in ("en", "officer"):
        await chat.press(token, press)
    for line in ("lang son", "xa cao loc", "Lê Thị Bình", "0912 000 222"):
        await chat.say(token, line)
    await chat.press(token, "yes")
    await chat.deliver()
    async with chat.app.session_factory() as session:
        officer = await session.scalar(select(User).where(User.full_name == "Lê Thị Bình"))
    assert officer is not None and officer.status == "pending", officer

    async with chat.stream() as stream:
        opened, _ = await stream.until_ready()
        assert "approval" in opened[-1].data["text"]
        await chat.console("admin", payload=f"@approve:{officer.id}")
        await chat.deliver()
        news = await stream.next()
    assert news.kind == "message" and news.id is not None and news.id > opened[-1].id
    assert "An admin approved your registration" in news.data["text"]


async def test_only_delivered_messages_are_shown(chat: Chat) -> None:
    browser, token = await chat.open_page()
    await chat.post({"id": uuid.uuid4().hex, "session": True}, token)
    await chat.deliver()
    async with chat.app.session_factory() as session, session.begin():
        user = await session.scalar(
            select(User).join(Identity).where(Identity.external_id == browser)
        )
        assert user is not None
        await Outbox(session).enqueue(
            channel=CHANNEL,
            address=browser,
            message=Outbound(text="A reminder for the morning"),
            user_id=user.id,
            not_before=utcnow() + timedelta(hours=8),  # after the quiet hours
        )
    await chat.deliver()
    async with chat.stream() as stream:
        opened, _ = await stream.until_ready()
    assert len(opened) == 2
    assert all("reminder" not in event.data["text"] for event in opened)


async def test_a_browser_may_hold_a_few_streams_not_more(chat: Chat) -> None:
    await chat.open_page()
    streams = [await chat.client.get("/chat/events") for _ in range(MAX_STREAMS_PER_ADDRESS)]
    assert all(response.status == 200 for response in streams)
    assert (await chat.client.get("/chat/events")).status == 429
    for response in streams:
        response.close()
    chat.client.session.cookie_jar.clear()
    assert (await chat.client.get("/chat/events")).status == 403  # no page opened: no id
