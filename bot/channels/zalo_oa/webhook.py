"""The OA's webhook: Zalo POSTs each event to the URL set in the app's settings on
developers.zalo.me, here ``OCOP_PUBLIC_URL`` + ``/zalo-oa/webhook``.

Order of checks:

1. the signature: ``X-ZEvent-Signature`` must be ``mac=`` + SHA-256 (hex) of
   ``app_id + raw body + timestamp + OA secret key`` (a plain digest of the concatenation,
   as Zalo documents it, not an HMAC), with ``app_id`` ours and ``timestamp`` the body's
   own. Missing or wrong: 401, and nothing is stored (the body is parsed only to find the
   timestamp);
2. a body that is not an OA event: 400 (logged);
3. the database down: 503, so that Zalo may deliver it again (the repeat is dropped by
   ``msg_id``).

Zalo wants an answer within about 2 seconds: the pipeline takes milliseconds; a photo is
downloaded first (bounded), as on the Bot Platform.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
from urllib.parse import urlsplit

from aiohttp import web

from bot.channels.zalo_oa.receiver import OaReceiver
from bot.channels.zalo_oa.updates import MalformedEvent
from bot.pipeline import StorageUnavailable

log = logging.getLogger(__name__)

SIGNATURE_HEADER = "X-ZEvent-Signature"
WEBHOOK_PATH = "/zalo-oa/webhook"


def webhook_url(public_url: str) -> str:
    return public_url.rstrip("/") + WEBHOOK_PATH


def webhook_path(public_url: str) -> str:
    return urlsplit(webhook_url(public_url)).path


def signature(app_id: str, raw: bytes, timestamp: str, secret_key: str) -> str:
    """What Zalo puts in ``X-ZEvent-Signature`` for this body."""
    digest = hashlib.sha256(
        app_id.encode("utf-8") + raw + timestamp.encode("utf-8") + secret_key.encode("utf-8")
    ).hexdigest()
    return "mac=" + digest


def make_webhook_handler(receiver: OaReceiver, *, app_id: str, secret_key: str) -> web.Handler:
    async def handle(request: web.Request) -> web.Response:
        raw = await request.read()
        given = request.headers.get(SIGNATURE_HEADER, "")
        try:
            body = json.loads(raw)
        except (ValueError, RecursionError):
            body = None
        timestamp = body.get("timestamp") if isinstance(body, dict) else None
        expected = signature(app_id, raw, str(timestamp or ""), secret_key)
        if (
            not given
            or timestamp is None
            or not hmac.compare_digest(given.encode("utf-8", "replace"), expected.encode())
        ):
            log.warning("zalo_oa webhook from %s refused: bad or missing signature", request.remote)
            return web.json_response({"error": 1}, status=401)
        if not isinstance(body, dict) or str(body.get("app_id", app_id)) != app_id:
            log.warning("zalo_oa webhook body refused: not this app's event")
            return web.json_response({"error": 1}, status=400)
        try:
            outcome = await receiver.handle(body)
        except MalformedEvent as exc:
            log.warning("zalo_oa webhook body refused: %s", exc)
            return web.json_response({"error": 1}, status=400)
        except StorageUnavailable as exc:
            log.error("database unavailable; a Zalo OA event was refused with 503: %s", exc)
            return web.json_response({"error": 1}, status=503)
        return web.json_response({"error": 0, "result": outcome})

    return handle
