"""Webhook mode: Zalo POSTs each update to ``OCOP_PUBLIC_URL`` + ``/zalo/webhook``; a reverse
proxy terminates HTTPS and forwards the path unchanged to the bot's one HTTP server.

The order of checks is the point:

1. the ``X-Bot-Api-Secret-Token`` header must equal ``OCOP_ZALO_WEBHOOK_SECRET`` (compared in
   constant time), or the answer is 401 before the body is read: anyone who finds the URL
   could otherwise write into any user's conversation;
2. a body that is not a Zalo update is answered 400 (logged), never a crash or a retry loop;
3. an event the bot does not use is acknowledged with 200 (logged);
4. if the database is down the answer is 503, so that Zalo may deliver it again (whether it
   does is not documented; the pipeline drops a repeat).

The update is processed before the answer, as with Telegram: the pipeline takes
milliseconds. A photo is the exception: it is downloaded first (Zalo's URLs expire; bounded
to 20 s and 10 MB, bot/files/fetch.py), so Zalo waits that long for this answer.
"""

from __future__ import annotations

import hmac
import json
import logging
from urllib.parse import urlsplit

from aiohttp import web

from bot.channels.zalo.receiver import ZaloReceiver
from bot.channels.zalo.updates import MalformedUpdate
from bot.pipeline import StorageUnavailable

log = logging.getLogger(__name__)

SECRET_HEADER = "X-Bot-Api-Secret-Token"
WEBHOOK_PATH = "/zalo/webhook"


def webhook_url(public_url: str) -> str:
    """The URL given to ``setWebhook``: the bot's public base URL and Zalo's path."""
    return public_url.rstrip("/") + WEBHOOK_PATH


def webhook_path(public_url: str) -> str:
    """The local route: the proxy forwards the public path unchanged."""
    return urlsplit(webhook_url(public_url)).path


def make_webhook_handler(receiver: ZaloReceiver, *, secret: str) -> web.Handler:
    """The aiohttp handler of Zalo's POSTs (mounted on the bot's one HTTP server)."""
    expected = secret.encode("utf-8")

    async def handle(request: web.Request) -> web.Response:
        given = request.headers.get(SECRET_HEADER, "").encode("utf-8", "replace")
        if not hmac.compare_digest(given, expected):
            log.warning("zalo webhook from %s refused: wrong or missing secret", request.remote)
            return web.json_response({"ok": False}, status=401)
        try:
            raw = json.loads(await request.read())
            outcome = await receiver.handle(raw)
        except (ValueError, RecursionError) as exc:  # not JSON, not UTF-8, too deep, or a
            # MalformedUpdate
            reason = exc if isinstance(exc, MalformedUpdate) else type(exc).__name__
            log.warning("zalo webhook body refused: %s", reason)
            return web.json_response({"ok": False}, status=400)
        except StorageUnavailable as exc:
            log.error("database unavailable; a Zalo update was refused with 503: %s", exc)
            return web.json_response({"ok": False}, status=503)
        return web.json_response({"ok": True, "result": outcome})

    return handle
