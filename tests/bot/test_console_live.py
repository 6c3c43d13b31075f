"""The console chat on a terminal is live (issue 14): a message from someone else appears
while the user is at the input line, without their typing anything, and a typed number
answers it. prompt_toolkit reads a pipe here and writes plain text into a buffer, through
the same ``patch_stdout`` proxy a real terminal gets."""

from __future__ import annotations

import asyncio
import io
import uuid
from collections.abc import AsyncIterator
from typing import Any

import pytest
from prompt_toolkit.application import create_app_session
from prompt_toolkit.input import create_pipe_input
from prompt_toolkit.output.plain_text import PlainTextOutput

from bot.app import App
from bot.channels.console import ConsoleService
from bot.channels.console.live import on_terminal
from bot.messages import Inbound, InboundKind
from bot.runtime import run_services
from tests.handlers.scene import build_world


@pytest.fixture
async def world(database_url: str) -> AsyncIterator[Any]:
    """Admins, officers and a report BCX-000001 (tests/handlers/scene.py)."""
    async for value in build_world(database_url):
        yield value


async def _wait_for(buffer: io.StringIO, fragment: str, within: float = 15.0) -> str:
    deadline = asyncio.get_running_loop().time() + within
    while fragment not in buffer.getvalue():
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError(f"console never showed {fragment!r}:\n{buffer.getvalue()}")
        await asyncio.sleep(0.05)
    return buffer.getvalue()


async def _admin_says(app: App, text: str | None = None, button: str | None = None) -> None:
    """The admin, on another channel of the same bot, in the same database."""
    await app.pipeline.process(
        Inbound(
            channel="console",
            user_id="admin_ls",
            message_id=uuid.uuid4().hex,
            kind=InboundKind.BUTTON if button else InboundKind.TEXT,
            text=text,
            payload=button,
        )
    )


async def test_a_notice_appears_without_typing_and_its_number_answers_it(world: Any) -> None:
    app, _users = world
    screen = io.StringIO()
    stop = asyncio.Event()
    with create_pipe_input() as keys, create_app_session(input=keys, output=PlainTextOutput(screen)):
        service = ConsoleService(app, user="officer", live=True)
        running = asyncio.create_task(run_services(app, [service], stop=stop))
        try:
            await _wait_for(screen, "Xin chào Officer")  # names shown capitalised
            # The admin sends the officer's report back; the officer types nothing.
            await _admin_says(app, button="@review:fix:1")
            await _admin_says(app, "Thiếu danh sách sản phẩm.")
            shown = await _wait_for(screen, "Trả lời 1.")
            assert "cần bổ sung: Thiếu danh sách sản phẩm." in shown
            assert "1. Sửa báo cáo" in shown
            keys.send_text("1\r")
            await _wait_for(screen, "Anh/chị vui lòng kiểm tra lại")  # the report reopened
        finally:
            stop.set()
            await asyncio.wait_for(running, 15)


def test_the_live_line_only_on_a_terminal() -> None:
    assert not on_terminal(io.StringIO(), None)  # given streams (tests, pipes): lines
    assert not on_terminal(None, io.StringIO())
