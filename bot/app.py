"""The composition root: builds storage, the pipeline, the sender and the channels from
settings, and runs them. Nothing else in the project reads settings or wires objects."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import sys
from dataclasses import replace
from datetime import timedelta
from pathlib import Path
from typing import TextIO

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from bot.broadcasts import report_finished_broadcasts
from bot.channels.base import Channel
from bot.channels.console import ConsoleChannel, inbound_from_line, read_lines, session_opened
from bot.export_job import export_runner
from bot.i18n import Translator
from bot.messages import Inbound
from bot.pipeline import Pipeline, StorageUnavailable
from bot.sender import OutboxSender
from bot.settings import Settings
from handlers.context import HandlerConfig
from handlers.forms.flow import install as install_forms
from handlers.forms.schema import FormError
from scheduler.calendar import current_calendar, deadline_of
from scheduler.config import CalendarError
from scheduler.runner import scheduler_running
from storage import migrate
from storage.db import create_engine, create_session_factory, is_sqlite
from storage.models import Identity, Role, User, UserStatus
from storage.outbox import Outbox
from storage.seen import SeenMessages
from storage.units import load_units

log = logging.getLogger(__name__)


class StartupError(Exception):
    """Start-up cannot go on; the message is one sentence for the operator."""


class App:
    def __init__(self, settings: Settings, *, engine: AsyncEngine | None = None) -> None:
        self.settings = settings
        self.engine = engine or create_engine(settings.database_url)
        self.session_factory: async_sessionmaker[AsyncSession] = create_session_factory(self.engine)
        self.config = HandlerConfig(
            admin_identities=frozenset(settings.admin_identities()),
            default_language=settings.default_language,
            zone=settings.zone,
            deadline_of=deadline_of,
            is_locked=lambda form, period, day, province=None: current_calendar().is_locked(
                form, period, day, province
            ),
        )
        self.senders: list[OutboxSender] = []
        self.pipeline = Pipeline(
            self.session_factory,
            self.config,
            on_enqueued=self._wake,
            batch_size=settings.batch_size,
        )
        self.pipeline.job_runners["export"] = export_runner(self.session_factory, self.config)

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
                if is_sqlite(self.settings.database_url):
                    # One process only: what a killed predecessor had claimed goes out now,
                    # not when its lease runs out.
                    await Outbox(session).release_leases()
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

    def sender(self, channels: dict[str, Channel], *, address: str | None = None) -> OutboxSender:
        sender = OutboxSender(self.session_factory, channels, address=address)
        sender.after_round.append(lambda: report_finished_broadcasts(self.session_factory))
        self.senders.append(sender)
        return sender

    async def close(self) -> None:
        await self.engine.dispose()

    # -- the console chat -----------------------------------------------------------------

    async def run_console(
        self, *, user: str, stdin: TextIO | None = None, stdout: TextIO | None = None
    ) -> None:
        """Chat in the terminal until end of input or Ctrl-C; every answer is saved at once."""
        stdout = stdout or sys.stdout
        channel = ConsoleChannel(output=stdout)
        sender = self.sender({channel.name: channel}, address=user)
        tr = Translator(self.settings.default_language)
        stdout.write(
            tr.t(
                "OCOP console chat. Type /help for help, Ctrl-C to quit; your "
                "answers are saved as you go."
            )
            + "\n"
        )
        await self._console_turn(session_opened(user), sender, stdout, tr)
        lines = read_lines(stdin or sys.stdin)
        while True:
            stdout.write("\n> ")
            stdout.flush()
            line = await lines.get()
            if line is None:
                stdout.write("\n")
                break
            await self._console_turn(inbound_from_line(user, line), sender, stdout, tr)

    async def _console_turn(
        self, inbound: Inbound, sender: OutboxSender, stdout: TextIO, tr: Translator
    ) -> None:
        try:
            await self.pipeline.process(inbound)
        except StorageUnavailable:
            stdout.write(
                tr.t(
                    "The database is not reachable right now. Please send your "
                    "message again in a moment."
                )
                + "\n"
            )
            return
        await sender.drain()


async def run(settings: Settings, *, console_user: str | None = None, worker: int = 0) -> None:
    app = App(settings)
    try:
        await app.prepare()
        try:
            async with scheduler_running(app):
                if settings.telegram_token:
                    from bot.channels.telegram import run_telegram

                    await run_telegram(app, worker=worker)
                else:
                    await app.run_console(user=console_user or settings.console_user)
        except CalendarError as exc:
            raise StartupError(str(exc)) from None
    finally:
        with contextlib.suppress(Exception):
            await app.close()


def run_blocking(settings: Settings, *, console_user: str | None = None, worker: int = 0) -> None:
    """Run until stopped; Ctrl-C is a normal way to stop, so it ends with a word, not a trace."""
    try:
        asyncio.run(run(settings, console_user=console_user, worker=worker))
    except KeyboardInterrupt:
        tr = Translator(settings.default_language)
        sys.stdout.write(
            "\n"
            + tr.t(
                "Stopped. Your answers are saved; run the same command "
                "to continue where you left off."
            )
            + "\n"
        )
