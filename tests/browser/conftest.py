"""Browser tests: the bot's HTTP server running in the test's own event loop, and Playwright
driving Debian's Chromium (``/usr/bin/chromium``; Playwright's own browser download is not
used).

Fixtures, for any page the bot serves (the browser chat, the dashboard):

- ``bot_settings``: the bot's settings (SQLite, any free port on 127.0.0.1, the browser chat
  on, ``console:admin`` a national admin); override it in a test module for other needs;
- ``bot_services``: which channels run (by default only the browser chat);
- ``running_bot``: the bot serving them, with ``url`` and ``say()`` (another person talking
  through the pipeline, e.g. the admin);
- ``browser`` and ``page``: Chromium and a fresh page (its own cookies, a phone's width).
  A script error or a Content-Security-Policy violation on the page fails the test.

Without Chromium (or Playwright) these tests are skipped, unless OCOP_REQUIRE_BROWSER=1 (CI,
``.ci/run``): then they fail, as PostgreSQL tests do with OCOP_REQUIRE_POSTGRES.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import uuid
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from sqlalchemy import select

from bot.app import App
from bot.channels.base import Service
from bot.channels.web import WebService
from bot.http import HttpServer
from bot.messages import Inbound, InboundKind, Outbound
from bot.runtime import run_services
from bot.settings import Settings
from storage.models import OutboxMessage
from tests.conftest import make_settings

if TYPE_CHECKING:
    from playwright.async_api import Browser, Page

CHROMIUM = os.environ.get("OCOP_CHROMIUM", "/usr/bin/chromium")
REQUIRE_BROWSER = os.environ.get("OCOP_REQUIRE_BROWSER") == "1"
STARTUP = 30.0  # seconds the bot may take to listen


def _unavailable(reason: str) -> None:
    if REQUIRE_BROWSER:
        pytest.fail(f"OCOP_REQUIRE_BROWSER=1 but {reason}")
    pytest.skip(reason)


@dataclass
class RunningBot:
    """The bot serving HTTP on ``url`` (``http://127.0.0.1:<port>``) in this event loop."""

    app: App
    url: str
    services: list[Service]

    @property
    def chat_url(self) -> str:
        return self.url + "/chat"

    async def say(
        self,
        user: str,
        text: str | None = None,
        *,
        payload: str | None = None,
        channel: str = "console",
    ) -> None:
        """``user`` on ``channel`` sends ``text`` (or presses the button ``payload``), through
        the pipeline as their messenger would; replies to a channel that is not running
        stay queued (read them with :meth:`queued`)."""
        kind = InboundKind.BUTTON if payload is not None else InboundKind.TEXT
        await self.app.pipeline.process(
            Inbound(
                channel=channel,
                user_id=user,
                message_id=uuid.uuid4().hex,
                kind=kind,
                text=text,
                payload=payload,
            )
        )
        await self.app.pipeline.idle()

    async def queued(self, user: str, *, channel: str = "console") -> list[Outbound]:
        """Every message written to ``user`` on ``channel``, oldest first."""
        async with self.app.session_factory() as session:
            rows = await session.scalars(
                select(OutboxMessage)
                .where(OutboxMessage.channel == channel, OutboxMessage.address == user)
                .order_by(OutboxMessage.id)
            )
            return [Outbound.model_validate(row.payload) for row in rows]


@pytest.fixture
def bot_settings(sqlite_url: str) -> Settings:
    return make_settings(
        sqlite_url,
        webhook_host="127.0.0.1",
        webhook_port=0,
        web_chat="on",
        scheduler=False,
        admins=["console:admin"],
    )


@pytest.fixture
def bot_services() -> Callable[[App], list[Service]]:
    """The channels the bot runs in browser tests: the browser chat alone (no console)."""
    return lambda app: [WebService(app)]


class _Server(HttpServer):
    """The bot's HTTP server, saying when it listens."""

    def __init__(self, *, host: str, port: int) -> None:
        super().__init__(host=host, port=port)
        self.started = asyncio.Event()

    async def start(self) -> int:
        port = await super().start()
        self.started.set()
        return port


@pytest.fixture
async def running_bot(
    bot_settings: Settings, bot_services: Callable[[App], list[Service]]
) -> AsyncIterator[RunningBot]:
    app = App(bot_settings)
    await app.prepare()
    services = bot_services(app)
    http = _Server(host=bot_settings.webhook_host, port=bot_settings.webhook_port)
    stop = asyncio.Event()
    task = asyncio.create_task(run_services(app, services, stop=stop, http=http))
    listening = asyncio.create_task(http.started.wait())
    try:
        await asyncio.wait({task, listening}, timeout=STARTUP, return_when="FIRST_COMPLETED")
        if task.done():
            task.result()  # the start-up error, as it is
            raise AssertionError("the bot stopped before it listened")
        assert http.listening, f"the bot did not listen within {STARTUP:.0f}s"
        yield RunningBot(app, f"http://127.0.0.1:{http.port}", services)
    finally:
        listening.cancel()
        stop.set()
        with contextlib.suppress(asyncio.CancelledError):
            await task
        await app.close()


def _chromium_missing() -> bool:
    return not Path(CHROMIUM).exists()


@pytest.fixture
async def browser() -> AsyncIterator[Browser]:
    if _chromium_missing():
        _unavailable(f"there is no Chromium at {CHROMIUM} (apt-get install chromium)")
    try:
        from playwright.async_api import async_playwright
    except ImportError:
        _unavailable("Playwright is not installed (pip install -e '.[dev]')")
    async with async_playwright() as playwright:
        launched = await playwright.chromium.launch(executable_path=CHROMIUM)
        try:
            yield launched
        finally:
            await launched.close()


@dataclass
class PageProblems:
    """What went wrong inside the page: script errors and refused content."""

    found: list[str] = field(default_factory=list)

    def console(self, message: Any) -> None:
        if message.type == "error" and "Content Security Policy" in message.text:
            self.found.append(f"CSP: {message.text}")

    def error(self, error: Any) -> None:
        self.found.append(f"script error: {error}")


@pytest.fixture
async def page(browser: Browser) -> AsyncIterator[Page]:
    """A fresh page in a context of its own (own cookies), as wide as a phone."""
    context = await browser.new_context(
        locale="vi-VN", viewport={"width": 390, "height": 800}, has_touch=True
    )
    problems = PageProblems()
    opened = await context.new_page()
    opened.on("console", problems.console)
    opened.on("pageerror", problems.error)
    try:
        yield opened
    finally:
        await context.close()
    assert not problems.found, "\n".join(problems.found)


_skipped: list[str] = []


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    if report.skipped and "tests/browser/" in report.nodeid.replace("\\", "/"):
        _skipped.append(report.nodeid)


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """With OCOP_REQUIRE_BROWSER=1 (CI) a skipped browser test fails the run."""
    if REQUIRE_BROWSER and _skipped and exitstatus in (0, 5):
        session.exitstatus = 1
        print(f"\nBrowser tests required, but skipped: {', '.join(_skipped)}")
