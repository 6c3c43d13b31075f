"""Running the bot on Telegram: the Bot API client, the outbox sender, polling or the webhook,
and a clean stop on SIGINT / SIGTERM.

Start-up problems an operator can fix (a malformed or refused token, an unreachable API
base, a webhook URL Telegram rejects) end with one sentence naming the setting
(:class:`~bot.app.StartupError`), never a traceback.

On stop: no new updates are taken, the update being processed finishes, the outbox sender
gets a few seconds to finish the row it is sending, and the HTTP session is closed. Updates
not yet confirmed and replies not yet sent stay with Telegram and in the outbox for the next
start.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import secrets
import signal
from collections.abc import Iterator

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
from bot.channels.telegram.polling import Poller
from bot.channels.telegram.receiver import UpdateReceiver
from bot.channels.telegram.updates import CHANNEL
from bot.channels.telegram.webhook import (
    SECRET_PATTERN,
    WebhookServer,
    make_webhook_app,
    register_webhook,
    webhook_path,
)
from bot.settings import Settings

log = logging.getLogger(__name__)

SENDER_GRACE = 5.0  # seconds the outbox sender may take to finish its row on stop


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
        raise StartupError(
            f"Cannot reach the Telegram Bot API at OCOP_TELEGRAM_API_BASE "
            f"({settings.telegram_api_base}): {exc.message}"
        ) from exc
    except (TelegramAPIError, ClientDecodeError) as exc:
        raise StartupError(
            f"The Bot API at OCOP_TELEGRAM_API_BASE ({settings.telegram_api_base}) "
            f"answered unexpectedly: {exc}"
        ) from exc


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


async def run_telegram(app: App, *, stop: asyncio.Event | None = None, worker: int = 0) -> None:
    """Run until ``stop`` is set, or until SIGINT/SIGTERM when no event is given.

    ``worker``: this process's number among ``OCOP_WEBHOOK_WORKERS`` (bot/workers.py); it
    sends at its share of the global rate, and only worker 0 registers the webhook.
    """
    settings = app.settings
    workers = settings.webhook_workers
    if settings.telegram_mode == "webhook" and not settings.webhook_url:
        raise StartupError(
            "Setting OCOP_WEBHOOK_URL is missing: webhook mode needs the public HTTPS URL."
        )
    secret = webhook_secret(settings) if settings.telegram_mode == "webhook" else ""
    bot = build_bot(settings)
    own_stop = stop is None
    if stop is None:
        stop = asyncio.Event()
    try:
        with _stop_on_signals(stop, enabled=own_stop):
            me = await check_bot(bot, settings)
            if me.username:
                app.set_invite_link(f"https://t.me/{me.username}?start={{code}}")
            channel = TelegramChannel(
                bot,
                telegram_limiter(
                    global_rate=settings.telegram_rate_global / workers,
                    per_chat_rate=settings.telegram_rate_per_chat,
                ),
                paid_broadcast=settings.telegram_paid_broadcast,
            )
            receiver = UpdateReceiver(bot, app.pipeline)
            sender = app.sender({CHANNEL: channel})
            sender_task = asyncio.create_task(sender.run_forever(stop), name="telegram-outbox")
            try:
                if worker == 0:
                    await set_commands(bot, settings.default_language)
                if settings.telegram_mode == "webhook":
                    await _serve_webhook(bot, receiver, settings, secret, me, stop, worker=worker)
                else:
                    await _poll(bot, receiver, settings, me, stop)
            except TelegramUnauthorizedError as exc:
                raise StartupError(
                    "Telegram stopped accepting the token in OCOP_TELEGRAM_TOKEN "
                    "(was it revoked with BotFather?)."
                ) from exc
            finally:
                stop.set()
                await _finish(sender_task)
    finally:
        await bot.session.close()


async def _poll(
    bot: Bot, receiver: UpdateReceiver, settings: Settings, me: User, stop: asyncio.Event
) -> None:
    try:
        await bot.delete_webhook(drop_pending_updates=False)  # getUpdates refuses otherwise
    except TelegramAPIError as exc:
        log.warning("could not remove a previous webhook: %s", exc)
    _announce(f"Telegram bot @{me.username} is running (long polling). Stop it with Ctrl-C.")
    await Poller(bot, receiver, poll_timeout=settings.telegram_poll_timeout).run(stop)


async def _serve_webhook(
    bot: Bot,
    receiver: UpdateReceiver,
    settings: Settings,
    secret: str,
    me: User,
    stop: asyncio.Event,
    *,
    worker: int = 0,
) -> None:
    assert settings.webhook_url is not None
    path = webhook_path(settings.webhook_url)
    workers = settings.webhook_workers
    server = WebhookServer(
        make_webhook_app(receiver, path=path, secret=secret),
        host=settings.webhook_host,
        port=settings.webhook_port,
        reuse_port=workers > 1,
    )
    try:
        await server.start()
    except OSError as exc:
        raise StartupError(
            f"Cannot listen on OCOP_WEBHOOK_HOST:OCOP_WEBHOOK_PORT "
            f"({settings.webhook_host}:{settings.webhook_port}): {exc.strerror or exc}"
        ) from exc
    try:
        if worker == 0:
            try:
                await register_webhook(bot, url=settings.webhook_url, secret=secret)
            except TelegramAPIError as exc:
                raise StartupError(
                    f"Telegram refused the webhook OCOP_WEBHOOK_URL ({settings.webhook_url}): "
                    f"{exc.message}"
                ) from exc
        who = f"worker {worker + 1} of {workers}, " if workers > 1 else ""
        _announce(
            f"Telegram bot @{me.username} is running ({who}webhook {settings.webhook_url}, "
            f"listening on {settings.webhook_host}:{server.port}{path}). Stop it with Ctrl-C."
        )
        await stop.wait()
    finally:
        await server.stop()


async def _finish(sender_task: asyncio.Task[None]) -> None:
    """Let the sender finish the row in hand; cancel it if that takes too long (a row in
    flight may then be sent again after the restart, never lost)."""
    done, _ = await asyncio.wait({sender_task}, timeout=SENDER_GRACE)
    if not done:
        log.warning("outbox sender still busy after %.0fs; stopping it", SENDER_GRACE)
        sender_task.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await sender_task


@contextlib.contextmanager
def _stop_on_signals(stop: asyncio.Event, *, enabled: bool) -> Iterator[None]:
    """SIGINT and SIGTERM set ``stop`` (a normal way to end a service, so no traceback)."""
    installed: list[signal.Signals] = []
    if enabled:
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            try:
                loop.add_signal_handler(sig, stop.set)
            except (NotImplementedError, RuntimeError, ValueError):  # Windows, not main thread
                continue
            installed.append(sig)
    try:
        yield
    finally:
        loop = asyncio.get_running_loop()
        for sig in installed:
            loop.remove_signal_handler(sig)


def _announce(line: str) -> None:
    """One line for the operator who started the bot (not chat text: no translation)."""
    print(line, flush=True)
