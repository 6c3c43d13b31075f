"""The browser chat in the runtime: on by default when no messenger is configured (and
left out, with a word, when the port is taken), the README's first command printing its
address beside the console, files sent as links on the same server, and the flood guard on
a page that says "opened" again and again."""

from __future__ import annotations

import io
import os
import socket
import subprocess
import sys
import time
import urllib.request
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import func, select

from bot.app import App, StartupError
from bot.channels.web import CHANNEL, WebService
from bot.messages import Document, Outbound
from bot.runtime import configured_services, run_services
from storage.models import Identity, OutboxMessage, User
from storage.outbox import Outbox
from tests.bot.channels.test_web_helpers import open_chat
from tests.conftest import make_settings

TIMEOUT = 60


@pytest.fixture
def taken_port() -> Iterator[int]:
    """A port on 127.0.0.1 that someone else listens on."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen()
        yield int(sock.getsockname()[1])


def test_on_by_default_only_without_a_messenger(sqlite_url: str) -> None:
    def names(**settings: object) -> list[str]:
        app = App(make_settings(sqlite_url, **settings))
        return [service.name for service in configured_services(app)]

    assert names() == ["console", "web"]
    assert names(web_chat="off") == ["console"]
    telegram = {"telegram_token": "123456:" + "A" * 35}
    assert names(**telegram) == ["telegram"]
    assert names(web_chat="on", **telegram) == ["telegram", "web"]
    [web] = [s for s in configured_services(App(make_settings(sqlite_url))) if s.name == CHANNEL]
    assert isinstance(web, WebService) and web.optional
    assert web.url == "http://127.0.0.1:8080/chat"
    public = App(make_settings(sqlite_url, public_url="https://ocop.example.gov.vn/bot"))
    assert WebService(public).url == "https://ocop.example.gov.vn/bot/chat"
    assert WebService(public).root == "/bot/chat"


async def test_a_taken_port_leaves_the_browser_chat_out_in_auto(
    sqlite_url: str, taken_port: int, capsys: pytest.CaptureFixture[str]
) -> None:
    app = App(make_settings(sqlite_url, webhook_port=taken_port, scheduler=False))
    await app.prepare()
    try:
        screen = io.StringIO()
        services = configured_services(app, stdin=io.StringIO("/help\n"), stdout=screen)
        assert await run_services(app, services, stop=None) is False  # end of input
    finally:
        await app.close()
    announced = capsys.readouterr().out
    assert "Chat in the browser" not in announced and "Trò chuyện trên trình duyệt" not in announced
    assert f"127.0.0.1:{taken_port}" in announced  # which port, and why, in one line
    assert "/help" in screen.getvalue()  # the console chat ran all the same


async def test_a_taken_port_stops_the_bot_when_the_chat_is_asked_for(
    sqlite_url: str, taken_port: int
) -> None:
    app = App(make_settings(sqlite_url, webhook_port=taken_port, web_chat="on", scheduler=False))
    await app.prepare()
    try:
        services = [WebService(app)]
        with pytest.raises(StartupError, match="OCOP_WEBHOOK_PORT"):
            await run_services(app, services, stop=None)
    finally:
        await app.close()


def test_the_readme_command_prints_the_address_beside_the_console(tmp_path: Path) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = int(sock.getsockname()[1])
    env = {k: v for k, v in os.environ.items() if not k.startswith("OCOP_")}
    env.update(
        OCOP_DATABASE_URL=f"sqlite+aiosqlite:///{tmp_path / 'ocop.db'}", OCOP_WEBHOOK_PORT=str(port)
    )
    proc = subprocess.Popen(
        [sys.executable, "-m", "bot"],
        cwd=tmp_path,
        env=env,
        text=True,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    address = f"http://127.0.0.1:{port}/chat"
    seen: list[str] = []
    try:
        assert proc.stdout is not None and proc.stdin is not None
        deadline = time.monotonic() + TIMEOUT
        while time.monotonic() < deadline:
            line = proc.stdout.readline()
            seen.append(line)
            if not line or address in line:
                break
        assert f"Trò chuyện trên trình duyệt: {address}\n" in seen, "".join(seen)
        assert any("Console chat is running" in line for line in seen)
        with urllib.request.urlopen(address, timeout=TIMEOUT) as response:
            assert response.status == 200
            assert "Trợ lý báo cáo OCOP" in response.read().decode()
        # The end of the console's input stops the bot.
        _, err = proc.communicate(input="", timeout=TIMEOUT)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 0, err
    assert "Traceback" not in err


async def test_a_document_becomes_a_link_on_the_same_server(database_url: str) -> None:
    async with open_chat(database_url) as chat:
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
                message=Outbound(
                    text="Here is the export: 3 reports.",
                    document=Document(filename="q2.xlsx", content=b"PK-workbook" * 100),
                ),
                user_id=user.id,
            )
        await chat.deliver()
        # A retried delivery (the row sent again after a crash) queues no second link.
        await chat.service.channel.send(
            browser,
            Outbound(
                text="again", document=Document(filename="q2.xlsx", content=b"PK-workbook" * 100)
            ),
        )
        await chat.deliver()
        async with chat.stream() as stream:
            opened, _ = await stream.until_ready()
        texts = [event.data["text"] for event in opened]
        assert texts[-2] == "Here is the export: 3 reports."
        assert "q2.xlsx" in texts[-1] and len([t for t in texts if "/chat/files/" in t]) == 1
        path = texts[-1].split("/chat/files/", 1)[1].split()[0]
        download = await chat.client.get("/chat/files/" + path)
        assert download.status == 200
        assert await download.read() == b"PK-workbook" * 100
        assert (await chat.client.get("/chat/files/1.1.1.forged")).status == 403
        async with chat.app.session_factory() as session:
            stored = await session.scalar(
                select(func.count())
                .select_from(OutboxMessage)
                .where(OutboxMessage.payload["document"].as_string().is_not(None))
            )
        assert stored in (0, None)  # the file left the outbox once delivered


async def test_a_page_that_keeps_saying_it_opened_is_slowed_down(sqlite_url: str) -> None:
    async with open_chat(sqlite_url, inbound_burst=3, inbound_per_minute=1) as chat:
        _, token = await chat.open_page()
        statuses = [
            (await chat.post({"id": uuid.uuid4().hex, "session": True}, token)).status
            for _ in range(5)
        ]
    assert statuses == [200, 200, 200, 429, 429]


async def test_behind_a_reverse_proxy_the_public_address_is_the_pages_origin(
    sqlite_url: str,
) -> None:
    async with open_chat(sqlite_url, public_url="https://ocop.example.gov.vn") as chat:
        response = await chat.client.get("/chat")
        assert "Secure" in response.headers["Set-Cookie"]  # HTTPS in front of the bot
        browser, token = await chat.open_page()
        cookie = f"ocop_chat={browser}"  # the test talks plain HTTP: sent by hand
        body = {"id": uuid.uuid4().hex, "session": True}
        public = await chat.post(body, token, Origin="https://ocop.example.gov.vn", Cookie=cookie)
        assert public.status == 200
        other = await chat.post(
            body, token, Origin="https://ocop.example.gov.vn.evil.example", Cookie=cookie
        )
        assert other.status == 403
