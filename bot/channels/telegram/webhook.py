"""Webhook mode: Telegram POSTs each update to an HTTPS URL; a reverse proxy forwards it here.

The endpoint is a plain aiohttp handler rather than aiogram's ``SimpleRequestHandler``
because the order of checks is the point:

1. the ``X-Telegram-Bot-Api-Secret-Token`` header must equal the secret given to
   ``setWebhook``, or the answer is 401 before the body is even read: anyone who finds the
   URL could otherwise write to any user's conversation;
2. a body that is not an update is answered 400 (logged), never a crash;
3. an update the bot does not use is acknowledged with 200 (logged) so Telegram drops it;
4. if the database is down the answer is 503 and Telegram delivers the update again later
   (the pipeline drops it if it was in fact committed).
"""

from __future__ import annotations

import hmac
import json
import logging
import re
from urllib.parse import urlsplit

from aiogram import Bot
from aiohttp import web

from bot.channels.telegram.receiver import UpdateReceiver, parse_update
from bot.channels.telegram.updates import ALLOWED_UPDATES, Skip
from bot.pipeline import StorageUnavailable

log = logging.getLogger(__name__)

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
SECRET_PATTERN = re.compile(r"[A-Za-z0-9_-]{1,256}")


def webhook_path(url: str) -> str:
    """The path of the public URL: the reverse proxy forwards it unchanged."""
    return urlsplit(url).path or "/"


def make_webhook_handler(receiver: UpdateReceiver, *, secret: str) -> web.Handler:
    """The aiohttp handler of Telegram's POSTs (mounted on the bot's one HTTP server)."""

    async def handle(request: web.Request) -> web.Response:
        given = request.headers.get(SECRET_HEADER, "")
        if not hmac.compare_digest(given.encode("utf-8"), secret.encode("utf-8")):
            log.warning("webhook request from %s refused: wrong or missing secret", request.remote)
            return web.Response(status=401, text="unauthorized")
        try:
            update = parse_update(json.loads(await request.read()), receiver.bot)
        except (ValueError, RecursionError) as exc:  # not JSON, not UTF-8, nested too deep,
            # or a MalformedUpdate
            log.warning("webhook body refused: %s", exc)
            return web.Response(status=400, text="not a Telegram update")
        if isinstance(update, Skip):
            log.info("telegram %s", update.reason)
            return web.Response(status=200, text="skipped")
        await receiver.acknowledge(update)
        try:
            accepted = await receiver.process(update)
        except StorageUnavailable as exc:
            log.error("database unavailable; Telegram will deliver the update again: %s", exc)
            return web.Response(status=503, text="try again later")
        return web.Response(status=200, text="ok" if accepted else "skipped")

    return handle


async def register_webhook(bot: Bot, *, url: str, secret: str) -> None:
    """Tell Telegram where to send updates. Pending updates are kept: they are answers."""
    await bot.set_webhook(
        url=url,
        secret_token=secret,
        allowed_updates=list(ALLOWED_UPDATES),
        drop_pending_updates=False,
    )
