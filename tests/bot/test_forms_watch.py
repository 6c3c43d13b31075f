"""A form imported (``ocop-bot forms import``) or attached to the calendar while the bot
runs reaches the chat without a restart (bot/forms_watch.py), on each database: the import
is written by another connection, as the command line's own process does."""

from __future__ import annotations

import asyncio
import io
import logging
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any

import pytest
from prompt_toolkit.application import create_app_session
from prompt_toolkit.input import create_pipe_input
from prompt_toolkit.output.plain_text import PlainTextOutput

from bot.channels.console import ConsoleService
from bot.forms_watch import FormsWatch
from bot.runtime import run_services
from forms import registry
from forms.periods import PeriodKind
from forms.xlsform import check_workbook
from forms.xlsform.export import source_of
from forms.xlsform.to_form import ChatSettings
from storage.db import create_engine, create_session_factory
from storage.installed_forms import InstalledForms
from tests.bot.test_console_live import _wait_for
from tests.forms.xlsform.registries import clean_registries
from tests.forms.xlsform.workbooks import VI, xlsform
from tests.handlers.scene import build_world

__all__ = ["clean_registries"]  # a fixture


def households() -> bytes:
    return xlsform(
        [{"type": "integer", "name": "households", VI: "Số hộ tham gia", "required": "yes"}],
        settings={"form_id": "so_ho", "version": "1", "form_title": "Số hộ tham gia OCOP"},
    )


async def import_elsewhere(url: str) -> None:
    """What ``ocop-bot forms import`` does, from a connection of its own."""
    engine = create_engine(url)
    try:
        async with create_session_factory(engine)() as session, session.begin():
            form, problems, book = check_workbook(households(), None)
            assert form is not None and book is not None, problems
            await InstalledForms(session).install(
                form,
                source_of(book.sheets),
                now=datetime.now(UTC),
                chat=ChatSettings(command="soho"),
            )
    finally:
        await engine.dispose()


async def attach_elsewhere(url: str) -> None:
    engine = create_engine(url)
    try:
        async with create_session_factory(engine)() as session, session.begin():
            row = await InstalledForms(session).attach_to_calendar(
                "so_ho", period=PeriodKind.MONTH, deadline_day=5, deadline_month="next",
                today=datetime.now(UTC).date(), now=datetime.now(UTC),
            )  # fmt: skip
            assert row is not None
    finally:
        await engine.dispose()


@pytest.fixture
async def world(database_url: str, clean_registries: None) -> AsyncIterator[Any]:
    async for value in build_world(database_url):
        yield value


async def _until(check: Any, within: float = 10.0) -> None:
    deadline = asyncio.get_running_loop().time() + within
    while not check():
        assert asyncio.get_running_loop().time() < deadline, "the running bot never saw it"
        await asyncio.sleep(0.05)


async def test_an_import_reaches_a_running_console_chat(world: Any, database_url: str) -> None:
    app, _users = world
    app.settings = app.settings.model_copy(update={"forms_reload_seconds": 0.2})
    screen = io.StringIO()
    stop = asyncio.Event()
    with (
        create_pipe_input() as keys,
        create_app_session(input=keys, output=PlainTextOutput(screen)),
    ):
        service = ConsoleService(app, user="officer", live=True)
        running = asyncio.create_task(run_services(app, [service], stop=stop))
        try:
            await _wait_for(screen, "Xin chào Officer")
            assert "so_ho" not in registry.FORMS
            await import_elsewhere(database_url)
            await _until(lambda: "so_ho" in registry.FORMS)
            keys.send_text("/soho\r")
            await _wait_for(screen, "Số hộ tham gia")
            keys.send_text("12\r")
            await _wait_for(screen, "Anh/chị vui lòng kiểm tra lại")
            # Attached from elsewhere: the same form becomes the monthly report.
            await attach_elsewhere(database_url)
            await _until(lambda: registry.FORMS["so_ho"].period is PeriodKind.MONTH)
        finally:
            stop.set()
            await asyncio.wait_for(running, 15)


async def test_a_look_loads_only_on_a_change(world: Any, database_url: str) -> None:
    app, _users = world
    watch = FormsWatch(app.session_factory)
    assert await watch.refresh() is False  # the first look: what prepare() loaded
    assert await watch.refresh() is False
    await import_elsewhere(database_url)
    assert await watch.refresh() is True
    assert "soho" in registry.FORMS["so_ho"].commands
    assert await watch.refresh() is False


async def test_a_failed_look_is_tried_again(
    world: Any, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    app, _users = world
    watch = FormsWatch(app.session_factory)
    calls = 0

    async def broken() -> bool:
        nonlocal calls
        calls += 1
        raise ConnectionError("database away")

    monkeypatch.setattr(watch, "refresh", broken)
    stop = asyncio.Event()
    with caplog.at_level(logging.ERROR):
        task = asyncio.create_task(watch.run_forever(stop, 0.05))
        await _until(lambda: calls >= 3)
        stop.set()
        await asyncio.wait_for(task, 2)
    assert "could not look for changed forms" in caplog.text
