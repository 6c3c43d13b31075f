"""Zalo as a running channel: the Bot API client, and polling or the webhook route.

Start-up proves the token with ``getMe``: a refused token, an unreachable API or a webhook
Zalo rejects end with one sentence naming the setting (:class:`~bot.app.StartupError`).

``OCOP_ZALO_MODE=polling`` (the default, for a try) first deletes any webhook (``getUpdates``
does not work while one is set), then long-polls. ``webhook`` (production) mounts
``/zalo/webhook`` on the bot's one HTTP server and registers ``OCOP_PUBLIC_URL/zalo/webhook``
with ``OCOP_ZALO_WEBHOOK_SECRET``. With several webhook workers (``OCOP_WEBHOOK_WORKERS``)
every worker serves the route and sends at its share of the rate; only the first registers
the webhook, or polls (Zalo hands each update out once, to whoever asks).

Zalo carries no files, so the service also wires what stands in for them: photos people
send are downloaded and kept by the bot (bot/files/photos.py), and a document in a reply becomes
a signed download link (``document_link``, through :class:`~bot.files.links.FileLinks`) when
``OCOP_PUBLIC_URL`` is set.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from bot.app import App, StartupError
from bot.channels.recipients import Recipients
from bot.channels.zalo.api import ApiTimeout, Unauthorized, ZaloApi, ZaloApiError
from bot.channels.zalo.channel import ZaloChannel, zalo_limiter
from bot.channels.zalo.polling import ZaloPoller
from bot.channels.zalo.receiver import ZaloReceiver, newcomers_log
from bot.channels.zalo.updates import CHANNEL
from bot.channels.zalo.webhook import make_webhook_handler, webhook_path, webhook_url
from bot.files.fetch import Download, ImageFetcher
from bot.files.photos import PhotoKeeper
from bot.http import HttpServer
from bot.messages import FileRef
from bot.settings import Settings

log = logging.getLogger(__name__)


async def check_bot(api: ZaloApi, settings: Settings) -> dict[str, Any]:
    """Ask Zalo who we are: proves the token and the API base before anything else."""
    try:
        return await api.get_me()
    except Unauthorized as exc:
        raise StartupError(
            "Zalo refused the token in OCOP_ZALO_BOT_TOKEN; copy it again from Zalo Bot "
            "Creator (or create a new one there)."
        ) from exc
    except ApiTimeout as exc:
        raise StartupError(
            f"Cannot reach the Zalo Bot API at OCOP_ZALO_API_BASE ({settings.zalo_api_base}): "
            f"{exc.description}."
        ) from exc
    except ZaloApiError as exc:
        raise StartupError(
            f"The Zalo Bot API at OCOP_ZALO_API_BASE ({settings.zalo_api_base}) answered "
            f"{exc.code} to getMe; check OCOP_ZALO_BOT_TOKEN and OCOP_ZALO_API_BASE."
        ) from exc


def bot_name(me: dict[str, Any]) -> str:
    for key in ("account_name", "display_name", "name", "id"):
        value = me.get(key)
        if isinstance(value, str | int) and str(value).strip():
            return str(value).strip()
    return "?"


class ZaloService:
    """Zalo as a running channel (see the module docstring)."""

    name = CHANNEL
    sender_address: str | None = None

    def __init__(self, app: App, *, worker: int = 0) -> None:
        settings = app.settings
        self.app = app
        self.settings = settings
        self.worker = worker
        self.receives = settings.zalo_mode
        self.api = ZaloApi(
            settings.zalo_bot_token or "",
            base=settings.zalo_api_base,
            timeout=settings.zalo_timeout,
        )
        self.recipients = Recipients(app, CHANNEL)
        self.channel = ZaloChannel(
            self.api,
            zalo_limiter(
                global_rate=settings.zalo_rate_global / settings.webhook_workers,
                per_chat_rate=settings.zalo_rate_per_chat,
            ),
            language_of=self.recipients.language_of,
            document_link=self.recipients.document_link,
            default_language=settings.default_language,
        )
        self.fetcher = ImageFetcher(allow_private=settings.allow_private_downloads)
        self.receiver = ZaloReceiver(
            app.pipeline,
            app.session_factory,
            default_language=settings.default_language,
            photos=PhotoKeeper(app.session_factory, self._photo),
        )
        self.me: dict[str, Any] = {}
        self.url = webhook_url(settings.public_url) if settings.public_url else None
        self._http: HttpServer | None = None

    async def start(self, http: HttpServer) -> None:
        """Prove the token and the API base, then mount the webhook route (webhook mode)."""
        try:
            self.me = await check_bot(self.api, self.settings)
        except StartupError:
            await self.api.close()  # the runtime closes only the services that started
            raise
        if self.settings.log_level != "ERROR":
            # Who writes first is what an operator needs for OCOP_ADMINS: heard by default.
            newcomers_log.setLevel(logging.INFO)
        if self.receives != "webhook":
            return
        assert self.settings.public_url and self.settings.zalo_webhook_secret  # settings check
        try:
            http.add_post(
                webhook_path(self.settings.public_url),
                make_webhook_handler(self.receiver, secret=self.settings.zalo_webhook_secret),
                owner="OCOP_PUBLIC_URL",
            )
        except ValueError as exc:
            raise StartupError(
                f"Setting OCOP_PUBLIC_URL is wrong: {exc} (Zalo's webhook path is taken)."
            ) from exc
        self._http = http

    def describe(self) -> str:
        name = bot_name(self.me)
        if self.receives != "webhook":
            return f"Zalo bot {name} is running (long polling)."
        workers = self.settings.webhook_workers
        who = f"worker {self.worker + 1} of {workers}, " if workers > 1 else ""
        port = self._http.port if self._http else self.settings.webhook_port
        path = webhook_path(self.settings.public_url or "")
        return (
            f"Zalo bot {name} is running ({who}webhook {self.url}, "
            f"listening on {self.settings.webhook_host}:{port}{path})."
        )

    async def serve(self, stop: asyncio.Event, deliver_now: Callable[[], Awaitable[None]]) -> None:
        """Receive until ``stop``: register the webhook and wait, or poll."""
        try:
            if self.receives == "webhook":
                if self.worker == 0:
                    await self._register_webhook()
                await stop.wait()
                return
            if self.worker != 0:
                await stop.wait()  # one poller per token; this worker only sends
                return
            try:  # getUpdates does not work while a webhook is set
                await self.api.delete_webhook()
            except Unauthorized:
                raise
            except ZaloApiError as exc:
                log.warning("could not remove a previous Zalo webhook: %s", exc)
            poller = ZaloPoller(self.api, self.receiver, wait=self.settings.zalo_poll_timeout)
            await poller.run(stop)
        except Unauthorized as exc:
            raise StartupError(
                "Zalo stopped accepting the token in OCOP_ZALO_BOT_TOKEN (was it replaced "
                "in Zalo Bot Creator?)."
            ) from exc

    async def _register_webhook(self) -> None:
        assert self.url is not None and self.settings.zalo_webhook_secret is not None
        try:
            await self.api.set_webhook(self.url, self.settings.zalo_webhook_secret)
        except Unauthorized:
            raise
        except ZaloApiError as exc:
            raise StartupError(
                f"Zalo refused the webhook {self.url} (OCOP_PUBLIC_URL): {exc.description}"
            ) from exc

    async def _photo(self, file: FileRef) -> Download:
        """A Zalo photo is a URL someone sent: fetched with every guard (public addresses
        only, unless ``OCOP_ALLOW_PRIVATE_DOWNLOADS``)."""
        return await self.fetcher.fetch(file.file_id)

    async def close(self) -> None:
        await self.fetcher.close()
        await self.api.close()
