"""The Zalo Official Account as a running channel (docs/zalo_oa.md).

Start-up seeds the stored tokens from ``OCOP_ZALO_OA_REFRESH_TOKEN`` and gets an access
token (refreshing if needed): a refused token ends start-up with one sentence naming the
setting. The webhook route ``/zalo-oa/webhook`` is mounted on the bot's one HTTP server;
its URL is entered once in the app's settings on developers.zalo.me (Zalo has no API for
it). With ZNS templates configured, :meth:`services` adds the ZNS sender.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from datetime import timedelta

from bot.app import App, StartupError
from bot.channels.recipients import Recipients
from bot.channels.zalo.channel import zalo_limiter
from bot.channels.zalo_oa.api import OaApi
from bot.channels.zalo_oa.channel import ZaloOaChannel
from bot.channels.zalo_oa.receiver import OaReceiver, newcomers_log
from bot.channels.zalo_oa.tokens import NoToken, TokenKeeper
from bot.channels.zalo_oa.updates import CHANNEL
from bot.channels.zalo_oa.webhook import WEBHOOK_PATH, make_webhook_handler, webhook_path
from bot.channels.zalo_oa.zns import ZnsChannel, ZnsService
from bot.files.fetch import Download, ImageFetcher
from bot.files.photos import PhotoKeeper
from bot.http import HttpServer
from bot.messages import FileRef
from scheduler.routing import OaRouting, ReminderRouter, parse_templates
from storage.models import utcnow
from storage.users import Users

log = logging.getLogger(__name__)


def reminder_router(app: App) -> ReminderRouter:
    """Reminders of OA users outside the window go another way (scheduler/routing.py): for
    the scheduler of a running bot and ``ocop-bot reminders run`` alike."""
    settings = app.settings
    routing = OaRouting(
        window=timedelta(hours=settings.zalo_oa_window_hours),
        templates=parse_templates(settings.zalo_zns_templates),
    )
    return ReminderRouter(app.session_factory, routing)


class ZaloOaService:
    name = CHANNEL
    receives = "webhook"
    sender_address: str | None = None

    def __init__(self, app: App, *, worker: int = 0) -> None:
        settings = app.settings
        assert settings.zalo_oa_app_id and settings.zalo_oa_secret_key
        self.app = app
        self.settings = settings
        self.worker = worker
        self.api = OaApi(
            app_id=settings.zalo_oa_app_id,
            secret_key=settings.zalo_oa_secret_key,
            api_base=settings.zalo_oa_api_base,
            oauth_base=settings.zalo_oa_oauth_base,
            zns_base=settings.zalo_zns_base,
            timeout=settings.zalo_oa_timeout,
        )
        self.tokens = TokenKeeper(
            app.session_factory, self.api, seed=settings.zalo_oa_refresh_token
        )
        self.window = timedelta(hours=settings.zalo_oa_window_hours)
        self.recipients = Recipients(app, CHANNEL)
        self.channel = ZaloOaChannel(
            self.api,
            self.tokens,
            zalo_limiter(
                global_rate=settings.zalo_rate_global / settings.webhook_workers,
                per_chat_rate=settings.zalo_rate_per_chat,
            ),
            window_open=self._window_open,
            document_link=self.recipients.document_link,
            language_of=self.recipients.language_of,
            default_language=settings.default_language,
        )
        self.fetcher = ImageFetcher(allow_private=settings.allow_private_downloads)
        self.receiver = OaReceiver(
            app.pipeline,
            app.session_factory,
            default_language=settings.default_language,
            photos=PhotoKeeper(app.session_factory, self._photo),
        )
        self.zns = ZnsChannel(
            self.api,
            self.tokens,
            app.session_factory,
            zone=settings.zone,
            daily_cap=settings.zalo_zns_daily_cap,
            unit_cost=settings.zalo_zns_unit_cost,
        )
        self.path = webhook_path(settings.public_url) if settings.public_url else WEBHOOK_PATH
        self._http: HttpServer | None = None

    def services(self) -> list[object]:
        """This service, and the ZNS sender when templates are configured."""
        extra = [ZnsService(self.zns)] if self.settings.zalo_zns_templates else []
        return [self, *extra]

    async def start(self, http: HttpServer) -> None:
        try:
            await self.tokens.prepare()
            await self.tokens.current()
        except NoToken as exc:
            await self.close()
            raise StartupError(
                "Zalo refused the OA's refresh token (OCOP_ZALO_OA_REFRESH_TOKEN); authorise "
                f"the app again on developers.zalo.me and set the new one ({exc})."
            ) from exc
        if self.settings.log_level != "ERROR":
            newcomers_log.setLevel(logging.INFO)
        try:
            http.add_post(
                self.path,
                make_webhook_handler(
                    self.receiver,
                    app_id=self.api.app_id,
                    secret_key=self.settings.zalo_oa_secret_key or "",
                ),
                owner="OCOP_ZALO_OA_APP_ID",
            )
        except ValueError as exc:
            raise StartupError(f"Zalo OA webhook path: {exc}") from exc
        self._http = http

    def describe(self) -> str:
        port = self._http.port if self._http else self.settings.webhook_port
        return (
            f"Zalo Official Account (app {self.api.app_id}) is running (webhook on "
            f"{self.settings.webhook_host}:{port}{self.path})."
        )

    async def serve(self, stop: asyncio.Event, deliver_now: Callable[[], Awaitable[None]]) -> None:
        await stop.wait()

    async def _window_open(self, address: str) -> bool | None:
        async with self.app.session_factory() as session:
            found = await Users(session).by_identity(CHANNEL, address)
        if found is None:
            return None
        return found[1].last_seen_at >= utcnow() - self.window

    async def _photo(self, file: FileRef) -> Download:
        return await self.fetcher.fetch(file.file_id)

    async def close(self) -> None:
        await self.fetcher.close()
        await self.api.close()
