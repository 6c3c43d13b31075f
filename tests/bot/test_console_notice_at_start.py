"""A notice that came while the console was closed is answered by number after the console
opens (observed: the admin sent a report back; the officer started the console, saw
"1. Sửa báo cáo" and the greeting, typed 1 and got "Lựa chọn này không còn hiệu lực").
The greeting at start offers no choice of its own, so the notice's numbers stay."""

from __future__ import annotations

import asyncio
import io
from typing import Any

from prompt_toolkit.application import create_app_session
from prompt_toolkit.input import create_pipe_input
from prompt_toolkit.output.plain_text import PlainTextOutput

from bot.channels.console import ConsoleService
from bot.runtime import run_services
from tests.bot.test_console_live import _admin_says, _wait_for, world

__all__ = ["world"]  # a fixture


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
