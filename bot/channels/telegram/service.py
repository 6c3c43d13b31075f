"""Telegram as a running channel: the Bot API client, polling or the webhook route.

Start-up problems an operator can fix (a malformed or refused token, an unreachable API
base, a webhook URL Telegram rejects) end with one sentence naming the setting
(:class:`~bot.app.StartupError`), never a traceback.

On stop (see :mod:`bot.runtime`): no new updates are taken, the update being processed
finishes, the outbox sender gets a few seconds to finish the row it is sending, and the HTTP
session is closed. Updates not yet confirmed and replies not yet sent stay with Telegram and
in the outbox for the next start.
"""

from __future__ import annotations

import asyncio
import logging
import secrets
from collections.abc import Awaitable, Callable

from aiogram import Bot
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.exceptions import (
    ClientDecodeError,
    TelegramAPIError,
    TelegramNetworkError,
    TelegramUnauthorizedError,
)
from aiogram.types import User
from aiogram.utils.token import TokenValidationError

from bot.app import App, StartupError
from bot.channels.telegram.channel import TelegramChannel, telegram_limiter
from bot.channels.telegram.commands import set_commands
from bot.channels.telegram.photos import TelegramPhotos
from bot.channels.telegram.polling import Poller
from bot.channels.telegram.receiver import UpdateReceiver
from bot.channels.telegram.updates import CHANNEL
from bot.channels.telegram.webhook import (
    SECRET_PATTERN,
    make_webhook_handler,
    register_webhook,
    webhook_path,
)
from bot.errors import redact
from bot.files.fetch import ImageFetcher
from bot.files.photos import PhotoKeeper
from bot.http import HttpServer
from bot.settings import Settings

log = logging.getLogger(__name__)


def build_bot(settings: Settings) -> Bot:
    """The Bot API client: base URL and time-out from settings, plain text (no parse mode)."""
    session = AiohttpSession(
        api=TelegramAPIServer.from_base(settings.telegram_api_base),
        timeout=settings.telegram_timeout,
    )
    try:
        return Bot(token=settings.telegram_token or "", session=session)
    except TokenValidationError as exc:
        raise StartupError(
            "Setting OCOP_TELEGRAM_TOKEN is wrong: a token looks like 123456:ABC-DEF..., "
            "as BotFather gives it."
        ) from exc


async def check_bot(bot: Bot, settings: Settings) -> User:
    """Ask Telegram who we are: proves the token and the API base before anything else."""
    try:
        return await bot.get_me()
    except TelegramUnauthorizedError as exc:
        raise StartupError(
            "Telegram refused the token in OCOP_TELEGRAM_TOKEN; check it with BotFather (/token)."
        ) from exc
    except TelegramNetworkError as exc:
        # aiohttp quotes the request URL, and the token is part of it: always redacted.
        raise StartupError(
            f"Cannot reach the Telegram Bot API at OCOP_TELEGRAM_API_BASE "
            f"({settings.telegram_api_base}): {_first_line(exc.message)}"
        ) from exc
    except (TelegramAPIError, ClientDecodeError) as exc:
        raise StartupError(
            f"The Bot API at OCOP_TELEGRAM_API_BASE ({settings.telegram_api_base}) "
            f"answered unexpectedly: {_first_line(str(exc))}"
        ) from exc


def _first_line(text: str) -> str:
    """An error's first line without the token (a URL quoted by aiohttp carries it)."""
    return redact(text.splitlines()[0] if text else "")[:300]


def webhook_secret(settings: Settings) -> str:
    if settings.webhook_secret is None:
        log.warning(
            "OCOP_WEBHOOK_SECRET is not set: using a random secret for this run "
            "(set one when several processes share the webhook)"
        )
        return secrets.token_urlsafe(32)
    if not SECRET_PATTERN.fullmatch(settings.webhook_secret):
        raise StartupError(
            "Setting OCOP_WEBHOOK_SECRET is wrong: use 1 to 256 characters A-Z, a-z, 0-9, _ or -."
        )
    return settings.webhook_secret


class TelegramService:
    """Telegram as a running channel: polling, or a webhook route on the bot's HTTP server.

    ``worker``: this process's number among ``OCOP_WEBHOOK_WORKERS`` (bot/workers.py); it
    sends at its share of the global rate, and only worker 0 registers the webhook and the
    command menu.
    """

    name = CHANNEL
    sender_address: str | None = None

    def __init__(self, app: App, *, worker: int = 0) -> None:
        settings = app.settings
        self.app = app
        self.settings = settings
        self.worker = worker
        self.receives = settings.telegram_mode
        if self.receives == "webhook" and not settings.webhook_url:
            raise StartupError(
                "Setting OCOP_WEBHOOK_URL is missing: webhook mode needs the public HTTPS URL."
            )
        self.secret = webhook_secret(settings) if self.receives == "webhook" else ""
        self.bot = build_bot(settings)
        self.channel = TelegramChannel(
            self.bot,
            telegram_limiter(
                global_rate=settings.telegram_rate_global / settings.webhook_workers,
                per_chat_rate=settings.telegram_rate_per_chat,
            ),
            paid_broadcast=settings.telegram_paid_broadcast,
        )
        # The file URL comes from OCOP_TELEGRAM_API_BASE, not from a user: any address.
        self.fetcher = ImageFetcher(allow_private=True)
        self.receiver = UpdateReceiver(
            self.bot,
            app.pipeline,
            photos=PhotoKeeper(app.session_factory, TelegramPhotos(self.bot, self.fetcher)),
            default_language=settings.default_language,
        )
        self.me: User | None = None
        self._http: HttpServer | None = None
        self._path = webhook_path(settings.webhook_url) if settings.webhook_url else "/"

    async def start(self, http: HttpServer) -> None:
        """Prove the token and the API base, then mount the webhook route (webhook mode)."""
        self.me = await check_bot(self.bot, self.settings)
        if self.me.username:
            self.app.set_invite_link(f"https://t.me/{self.me.username}?start={{code}}")
        if self.receives == "webhook":
            http.add_post(
                self._path,
                make_webhook_handler(self.receiver, secret=self.secret),
                owner="OCOP_WEBHOOK_URL",
            )
            self._http = http

    def describe(self) -> str:
        username = self.me.username if self.me else "?"
        if self.receives != "webhook":
            return f"Telegram bot @{username} is running (long polling)."
        workers = self.settings.webhook_workers
        who = f"worker {self.worker + 1} of {workers}, " if workers > 1 else ""
        port = self._http.port if self._http else self.settings.webhook_port
        return (
            f"Telegram bot @{username} is running ({who}webhook {self.settings.webhook_url}, "
            f"listening on {self.settings.webhook_host}:{port}{self._path})."
        )

    async def register(self) -> None:
        """Once the HTTP server listens: the command menu, and the webhook (worker 0 only),
        so that the start-up line is printed only when Telegram knows where to deliver."""
        try:
            if self.worker == 0:
                await set_commands(self.bot, self.settings.default_language)
            if self.receives == "webhook" and self.worker == 0:
                assert self.settings.webhook_url is not None
                try:
                    await register_webhook(
                        self.bot, url=self.settings.webhook_url, secret=self.secret
                    )
                except TelegramAPIError as exc:
                    raise StartupError(
                        f"Telegram refused the webhook OCOP_WEBHOOK_URL "
                        f"({self.settings.webhook_url}): {_first_line(exc.message)}"
                    ) from exc
        except TelegramUnauthorizedError as exc:
            raise StartupError(
                "Telegram stopped accepting the token in OCOP_TELEGRAM_TOKEN "
                "(was it revoked with BotFather?)."
            ) from exc

    async def serve(self, stop: asyncio.Event, deliver_now: Callable[[], Awaitable[None]]) -> None:
        """Receive until ``stop``: the webhook's route does the work, or poll."""
        try:
            if self.receives == "webhook":
                await stop.wait()
            else:
                try:  # getUpdates refuses to run while a webhook is set
                    await self.bot.delete_webhook(drop_pending_updates=False)
                except TelegramAPIError as exc:
                    log.warning("could not remove a previous webhook: %s", exc)
                poller = Poller(
                    self.bot, self.receiver, poll_timeout=self.settings.telegram_poll_timeout
                )
                await poller.run(stop)
        except TelegramUnauthorizedError as exc:
            raise StartupError(
                "Telegram stopped accepting the token in OCOP_TELEGRAM_TOKEN "
                "(was it revoked with BotFather?)."
            ) from exc

    async def close(self) -> None:
        await self.fetcher.close()
        await self.bot.session.close()
