"""A notice that came while the console was closed is answered by number after the console
opens (observed: the admin sent a report back; the officer started the console, saw
"1. Sửa báo cáo" and the greeting, typed 1 and got "Lựa chọn này không còn hiệu lực").
The greeting at start offers no choice of its own, so the notice's numbers stay."""

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
    """The admin, on another messenger of the same bot, while the officer's console is shut."""
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


async def test_a_notice_queued_before_start_is_answered_by_its_number(world: Any) -> None:
    app, _users = world
    await _admin_says(app, button="@review:fix:1")
    await _admin_says(app, "Thiếu danh sách sản phẩm.")
    screen = io.StringIO()
    stop = asyncio.Event()
    with (
        create_pipe_input() as keys,
        create_app_session(input=keys, output=PlainTextOutput(screen)),
    ):
        service = ConsoleService(app, user="officer", live=True)
        running = asyncio.create_task(run_services(app, [service], stop=stop))
        try:
            shown = await _wait_for(screen, "Xin chào Officer")
            assert "1. Sửa báo cáo" in shown
            keys.send_text("1\r")
            shown = await _wait_for(screen, "Anh/chị vui lòng kiểm tra lại")  # reopened
            assert "không còn hiệu lực" not in shown
        finally:
            stop.set()
            await asyncio.wait_for(running, 15)
