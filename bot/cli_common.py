"""What every command of ``ocop-bot`` shares: settings or a one-sentence exit, and running
one async operation on a prepared app. Its own module, so that the sub-command modules
(``cli_data``, ``cli_reminders``) and ``cli`` import it, not each other."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import TypeVar

import typer

from bot.app import App, StartupError
from bot.settings import Settings, SettingsError, load_settings

T = TypeVar("T")


def fail(message: str, code: int = 1) -> None:
    typer.echo(message, err=True)
    raise typer.Exit(code)


def settings_or_exit() -> Settings:
    try:
        settings = load_settings()
    except SettingsError as exc:
        fail(str(exc), 2)
        raise AssertionError from exc  # unreachable
    logging.basicConfig(
        level=settings.log_level, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    return settings


def with_app(work: Callable[[App], Awaitable[T]]) -> T:
    """Run one async operation on a prepared app, turning start-up failures into a sentence."""

    async def runner() -> T:
        app = App(settings_or_exit())
        try:
            await app.prepare()
            return await work(app)
        finally:
            await app.close()

    try:
        return asyncio.run(runner())
    except StartupError as exc:
        fail(str(exc))
        raise AssertionError from exc
