"""The composition root: builds storage, the pipeline, the outbox senders and the scheduler
from settings. :mod:`bot.runtime` adds the channels and runs them all."""

from __future__ import annotations

import logging
from dataclasses import replace
from datetime import timedelta
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from bot.broadcasts import report_finished_broadcasts
from bot.channels.base import Channel
from bot.errors import install_log_redaction
from bot.export_job import export_runner
from bot.files.links import FileLinks, link_secret
from bot.files.signing import LinkSigner
from bot.flood import FloodGuard
from bot.forms_watch import FormsWatch
from bot.pipeline import Pipeline
from bot.sender import OutboxSender
from bot.settings import Settings
from forms.schema import FormError
from handlers.context import HandlerConfig
from handlers.forms.flow import install as install_forms
from scheduler.runner import SchedulerRunner
from storage import migrate
from storage.db import create_engine, create_session_factory, is_sqlite
from storage.models import Identity, Role, User, UserStatus
from storage.outbox import Outbox
from storage.reach import set_oa_window
from storage.retention import purge
from storage.seen import SeenMessages
from storage.units import load_units

log = logging.getLogger(__name__)


class StartupError(Exception):
    """Start-up cannot go on; the message is one sentence for the operator."""


class App:
    def __init__(self, settings: Settings, *, engine: AsyncEngine | None = None) -> None:
        self.settings = settings
        # No token, secret or phone number in any log line of this process (bot/errors.py).
        install_log_redaction(
            getattr(settings, name, None)
            for name in (
                "telegram_token",
                "webhook_secret",
                "zalo_bot_token",
                "zalo_webhook_secret",
                "link_secret",
            )
        )
        # Notices to a Zalo OA user go elsewhere once the OA's window closes (storage/reach.py).
        set_oa_window(timedelta(hours=settings.zalo_oa_window_hours))
        self.engine = engine or create_engine(settings.database_url)
        self.session_factory: async_sessionmaker[AsyncSession] = create_session_factory(self.engine)
        self.config = HandlerConfig(
            admin_identities=frozenset(settings.admin_identities()),
            default_language=settings.default_language,
            zone=settings.zone,
        )
        self.senders: list[OutboxSender] = []
        self.forms_watch = FormsWatch(self.session_factory)
        self.pipeline = Pipeline(
            self.session_factory,
            self.config,
            on_enqueued=self._wake,
            batch_size=settings.batch_size,
            flood=FloodGuard(per_minute=settings.inbound_per_minute, burst=settings.inbound_burst),
        )
        # Download links (OCOP_PUBLIC_URL/files/...): made in prepare(), which reads the
        # signing secret; None without a public URL.
        self.links: FileLinks | None = None
        # Channels that cannot carry files (Zalo): an export for them is sent as a link.
        self.link_channels: set[str] = set()
        self.pipeline.job_runners["export"] = export_runner(
            self.session_factory, self.config, links_for=self.links_for
        )

    def links_for(self, channel: str) -> FileLinks | None:
        """How to send a file on ``channel`` as a link; None when it carries files itself
        (or when there is no public URL to link to)."""
        return self.links if channel in self.link_channels else None

    def set_invite_link(self, template: str) -> None:
        """A channel that knows its deep-link format (Telegram: t.me/<bot>?start=) shares it."""
        self.config = replace(self.config, invite_link=template)
        self.pipeline.config = self.config

    def _wake(self) -> None:
        for sender in self.senders:
            sender.wake()

    async def prepare(self) -> None:
        """Make the database ready: migrate SQLite by itself, check PostgreSQL is migrated,
        load the administrative units, promote the admins named in settings."""
        try:
            install_forms(Path(self.settings.forms_dir) if self.settings.forms_dir else None)
        except FormError as exc:
            raise StartupError(str(exc)) from None
        try:
            if is_sqlite(self.settings.database_url):
                await migrate.upgrade(self.engine)
            elif await migrate.pending_revisions(self.engine):
                raise StartupError(
                    "The database schema is not up to date: run `ocop-bot db upgrade` first."
                )
            async with self.session_factory() as session, session.begin():
                await load_units(session)
                await self._promote_admins(session)
                # Platforms redeliver within hours; a month of dedupe keys is plenty.
                await SeenMessages(session).forget_older_than(timedelta(days=30))
                # Delivered messages are kept only so long (storage/retention.py); expired
                # download files go too.
                await purge(session, days=self.retention_days)
                if self.settings.public_url:
                    secret = await link_secret(session, self.settings.link_secret)
                    self.links = FileLinks(
                        self.session_factory,
                        LinkSigner(secret),
                        public_url=self.settings.public_url,
                        ttl=timedelta(hours=self.settings.link_ttl_hours),
                    )
                if is_sqlite(self.settings.database_url):
                    # One process only: what a killed predecessor had claimed goes out now,
                    # not when its lease runs out.
                    await Outbox(session).release_leases()
            # Forms imported from XLSForm workbooks (ocop-bot forms import); looked at again
            # while the bot runs (bot/forms_watch.py).
            await self.forms_watch.refresh()
        except StartupError:
            raise
        except (OSError, ConnectionError) as exc:
            raise StartupError(f"Cannot reach the database OCOP_DATABASE_URL: {exc}") from exc
        except Exception as exc:
            if type(exc).__module__.startswith(("sqlalchemy", "asyncpg", "sqlite3")):
                raise StartupError(f"Cannot use the database OCOP_DATABASE_URL: {exc}") from exc
            raise

    async def _promote_admins(self, session: AsyncSession) -> None:
        for channel, external_id in self.settings.admin_identities():
            statement = (
                select(User)
                .join(Identity, Identity.user_id == User.id)
                .where(Identity.channel == channel, Identity.external_id == external_id)
            )
            user = (await session.scalars(statement)).first()
            if user is not None and user.is_registered and user.role != Role.NATIONAL_ADMIN:
                user.role, user.status = Role.NATIONAL_ADMIN, UserStatus.ACTIVE

    @property
    def retention_days(self) -> int:
        """OCOP_OUTBOX_RETENTION_DAYS: how long delivered messages stay in the outbox."""
        return self.settings.outbox_retention_days

    def sender(self, channels: dict[str, Channel], *, address: str | None = None) -> OutboxSender:
        sender = OutboxSender(self.session_factory, channels, address=address)
        self.link_channels.update(
            name for name, channel in channels.items() if not channel.capabilities.documents
        )
        # What each channel shows, for the conversations: a question asks to press a
        # button only on a messenger that has it (handlers/context.py, Context.display).
        displays = {name: channel.capabilities for name, channel in channels.items()}
        self.config = replace(self.config, displays={**self.config.displays, **displays})
        self.pipeline.config = self.config
        sender.after_round.append(lambda: report_finished_broadcasts(self.session_factory))
        self.senders.append(sender)
        return sender

    def reminder_scheduler(self) -> SchedulerRunner | None:
        """This process's reminder scheduler (None when OCOP_SCHEDULER is off); raises
        CalendarError for a calendar file that does not fit the forms."""
        if not self.settings.scheduler:
            return None
        return SchedulerRunner.create(
            self.session_factory,
            self.engine,
            zone=self.settings.zone,
            calendar_path=self.settings.calendar_file,
            reminder_time=self.settings.reminder_time,
            quiet_hours=self.settings.quiet_hours,
            retry=self.settings.scheduler_retry,
            on_written=self._wake,
            retention_days=self.retention_days,
        )

    async def close(self) -> None:
        await self.engine.dispose()
