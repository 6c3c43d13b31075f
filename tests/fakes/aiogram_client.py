"""The real aiogram client pointed at the fake Bot API, and what the fake's tests share.

Why: the fake is only useful if aiogram accepts its answers exactly like Telegram's, so every
check goes through ``Bot`` + ``AiohttpSession`` (form/multipart encoding, pydantic parsing,
error-to-exception mapping) rather than calling the fake's internals.  Every test is bounded in
time so a hung long poll or stall fails fast instead of freezing the suite.
"""

from __future__ import annotations

import asyncio
import functools
from collections.abc import Awaitable, Callable
from typing import Any, ParamSpec, TypeVar

import aiohttp
from aiogram import Bot
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup

from tests.fakes.telegram_api import FakeTelegramServer

TOKEN = "123:ABC"
USER = 42

P = ParamSpec("P")
R = TypeVar("R")


def bounded(
    seconds: float = 10.0,
) -> Callable[[Callable[P, Awaitable[R]]], Callable[P, Awaitable[R]]]:
    """Fail a test that runs longer than ``seconds`` instead of hanging the whole run."""

    def decorate(func: Callable[P, Awaitable[R]]) -> Callable[P, Awaitable[R]]:
        @functools.wraps(func)
        async def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
            return await asyncio.wait_for(func(*args, **kwargs), seconds)

        return wrapper

    return decorate


def make_bot(server: FakeTelegramServer, *, timeout: float = 5.0, token: str = TOKEN) -> Bot:
    """Build the Bot exactly as production code would, just pointed at the fake."""
    session = AiohttpSession(api=TelegramAPIServer.from_base(server.base_url), timeout=timeout)
    return Bot(token=token, session=session)


def keyboard(*pairs: tuple[str, str]) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        inline_keyboard=[[InlineKeyboardButton(text=t, callback_data=d)] for t, d in pairs]
    )


async def raw_post(server: FakeTelegramServer, path: str, **kwargs: Any) -> tuple[int, Any]:
    """Hit the fake without aiogram, to check wire-level details aiogram hides."""
    async with (
        aiohttp.ClientSession() as http,
        http.post(f"{server.base_url}{path}", **kwargs) as resp,
    ):
        return resp.status, await resp.json()
