"""Running every configured channel together in one process.

The runtime asks each channel's :class:`~bot.channels.base.Service` to start (check its
credentials, mount its webhook route on the one HTTP server), mounts the download links
when a channel cannot carry files (bot/files/), starts that server if any route was mounted, prints one line per channel, and then lets each channel receive while
an outbox sender of its own delivers its rows. Each channel has its own sender loop and its
own pace, so a slow or failing messenger never holds another's replies back.

The bot stops when SIGINT/SIGTERM arrives, when a channel ends by itself (the console at
end of input), or when one fails (its error ends the process, for the service manager to
restart it; the others stop cleanly first). On stop every sender gets a few seconds to
finish the row in hand; what is not sent stays in the outbox for the next start.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
import sys
from collections.abc import Iterator, Sequence
from dataclasses import replace
from typing import TextIO

from bot.app import App, StartupError
from bot.channels.base import Service
from bot.channels.console import ConsoleService
from bot.channels.web import WebService
from bot.channels.zalo.service import ZaloService
from bot.channels.zalo_oa.service import ZaloOaService, reminder_router
from bot.files.serve import mount_files
from bot.http import HttpServer
from bot.i18n import Translator
from bot.settings import Settings
from bot.web import OWNER as DASHBOARD
from bot.web import WebDashboard
from scheduler.config import CalendarError
from scheduler.runner import scheduler_running

log = logging.getLogger(__name__)

SENDER_GRACE = 5.0  # seconds an outbox sender may take to finish its row on stop
RECEIVER_GRACE = 10.0  # seconds a channel may take to finish the update in hand on stop


def configured_services(
    app: App,
    *,
    console: bool = False,
    console_user: str | None = None,
    worker: int = 0,
    stdin: TextIO | None = None,
    stdout: TextIO | None = None,
) -> list[Service]:
    """Every channel the settings configure; the console when asked, or when no messenger
    is configured (a fresh install can chat at once)."""
    settings = app.settings
    services: list[Service] = []
    if settings.telegram_token:
        # Imported only when used: aiogram takes seconds and a large part of the memory of a
        # process that starts it (bench/), which a console or Zalo deployment need not pay.
        from bot.channels.telegram.service import TelegramService

        services.append(TelegramService(app, worker=worker))
    if settings.zalo_bot_token:
        services.append(ZaloService(app, worker=worker))
    if settings.zalo_oa_app_id:
        services.extend(ZaloOaService(app, worker=worker).services())  # type: ignore[arg-type]
    if console or console_user is not None or not services:
        if settings.webhook_workers > 1:
            raise StartupError(
                "The console chat cannot run with OCOP_WEBHOOK_WORKERS above 1: "
                "run it in a process of its own."
            )
        user = console_user or settings.console_user
        services.append(ConsoleService(app, user=user, stdin=stdin, stdout=stdout))
    messenger = bool(settings.telegram_token or settings.zalo_bot_token or settings.zalo_oa_app_id)
    if settings.web_chat == "on" or (settings.web_chat == "auto" and not messenger):
        # The browser chat (/chat); in "auto" a taken port only leaves it out.
        services.append(WebService(app, optional=settings.web_chat == "auto"))
    return services


async def run_services(
    app: App,
    services: Sequence[Service],
    *,
    stop: asyncio.Event | None = None,
    http: HttpServer | None = None,
) -> bool:
    """Run ``services`` until ``stop`` is set (or a signal, when no event is given), or
    until one of them ends. Returns True when a signal stopped the bot. ``http``: a server
    of the caller's (tests read its port once it listens)."""
    settings = app.settings
    own_stop = stop is None
    stop = stop or asyncio.Event()
    signalled = asyncio.Event()
    http = http or HttpServer(
        host=settings.webhook_host,
        port=settings.webhook_port,
        reuse_port=settings.webhook_workers > 1,
    )
    started: list[Service] = []
    senders: list[asyncio.Task[None]] = []
    try:
        with _stop_on_signals(stop, signalled, enabled=own_stop):
            for service in services:
                await service.start(http)
                started.append(service)
            if app.links is not None and any(
                not service.channel.capabilities.documents for service in services
            ):
                # A channel without files sends download links: serve them.
                mount_files(http, app.links)
            # The admin dashboard (bot/web/): /admin and /healthz on the same server.
            dashboard = WebDashboard(app) if settings.dashboard != "off" else None
            if dashboard is not None:
                dashboard.mount(http)
            if http.has_routes:
                services = await _listen_or_leave_out(http, settings, services)
                if dashboard is not None and not http.listening:
                    app.config = replace(app.config, web_port_taken=settings.webhook_port)
                    app.pipeline.config = app.config
            if dashboard is not None and http.listening:
                _announce(dashboard.opened(http.port))
            for service in services:
                # Optional: what needs the server listening first (a webhook registration).
                register = getattr(service, "register", None)
                if register is not None:
                    await register()
            receiving: set[asyncio.Task[None]] = set()
            for service in services:
                sender = app.sender({service.name: service.channel}, address=service.sender_address)
                # Optional: work once a round's rows are marked sent (the browser chat shows them).
                after_delivery = getattr(service, "after_delivery", None)
                if after_delivery is not None:
                    sender.after_round.append(after_delivery)
                senders.append(
                    asyncio.create_task(sender.run_forever(stop), name=f"{service.name}-outbox")
                )
                _announce(service.describe())
                task = asyncio.create_task(service.serve(stop, sender.drain), name=service.name)
                receiving.add(task)
                if dashboard is not None:
                    dashboard.health.track(service.name, task)  # /healthz
            # Forms imported or attached from elsewhere while this process runs.
            senders.append(
                asyncio.create_task(
                    app.forms_watch.run_forever(stop, settings.forms_reload_seconds),
                    name="forms-watch",
                )
            )
            resumed = await app.pipeline.jobs.resume()
            if resumed:
                log.info("took up %d background jobs left unfinished", resumed)
            _announce("Stop it with Ctrl-C.")
            try:
                await asyncio.wait(receiving, return_when=asyncio.FIRST_COMPLETED)
            finally:
                # The others finish what they hold (an update being handled), then stop.
                stop.set()
                _, late = await asyncio.wait(receiving, timeout=RECEIVER_GRACE)
                for task in late:
                    task.cancel()
                results = await asyncio.gather(*receiving, return_exceptions=True)
            for result in results:
                if isinstance(result, BaseException) and not isinstance(
                    result, asyncio.CancelledError
                ):
                    raise result
    finally:
        stop.set()
        await _finish(senders)
        await http.stop()
        for service in started:
            with contextlib.suppress(Exception):
                await service.close()
    return signalled.is_set()


async def _listen_or_leave_out(
    http: HttpServer, settings: Settings, services: Sequence[Service]
) -> Sequence[Service]:
    """Listen; when the port is taken and only optional services (the browser chat in
    "auto") mounted routes, go on without them, saying so (a second ``ocop-bot`` in another
    terminal keeps its console chat)."""
    try:
        await _listen(http, settings)
    except StartupError as exc:
        optional = [service for service in services if getattr(service, "optional", False)]
        leavable = {service.name for service in optional}
        if settings.dashboard == "auto":
            leavable.add(DASHBOARD)
        if not http.owners <= leavable:
            raise
        for service in optional:
            _announce(service.left_out(exc))  # type: ignore[attr-defined]
        if DASHBOARD in http.owners:
            _announce(f"The admin dashboard is not served: {exc}")
        return [service for service in services if service not in optional]
    return services


async def _listen(http: HttpServer, settings: Settings) -> None:
    try:
        await http.start()
    except OSError as exc:
        raise StartupError(
            f"Cannot listen on OCOP_WEBHOOK_HOST:OCOP_WEBHOOK_PORT "
            f"({settings.webhook_host}:{settings.webhook_port}): {exc.strerror or exc}"
        ) from exc


async def _finish(senders: list[asyncio.Task[None]]) -> None:
    """Let each sender finish the row in hand; cancel it if that takes too long (a row in
    flight may then be sent again after the restart, never lost)."""
    if not senders:
        return
    _, pending = await asyncio.wait(senders, timeout=SENDER_GRACE)
    for task in pending:
        log.warning(
            "outbox sender %s still busy after %.0fs; stopping it", task.get_name(), SENDER_GRACE
        )
        task.cancel()
    for task in senders:
        with contextlib.suppress(asyncio.CancelledError):
            await task


@contextlib.contextmanager
def _stop_on_signals(
    stop: asyncio.Event, signalled: asyncio.Event, *, enabled: bool
) -> Iterator[None]:
    """SIGINT and SIGTERM set ``stop`` (a normal way to end a service, so no traceback)."""
    installed: list[signal.Signals] = []
    loop = asyncio.get_running_loop()

    def on_signal() -> None:
        signalled.set()
        stop.set()

    if enabled:
        for sig in (signal.SIGINT, signal.SIGTERM):
            try:
                loop.add_signal_handler(sig, on_signal)
            except (NotImplementedError, RuntimeError, ValueError):  # Windows, not main thread
                continue
            installed.append(sig)
    try:
        yield
    finally:
        for sig in installed:
            loop.remove_signal_handler(sig)


def _announce(line: str) -> None:
    """One line for the operator who started the bot (not chat text: no translation)."""
    print(line, flush=True)


async def run(
    settings: Settings,
    *,
    console: bool = False,
    console_user: str | None = None,
    worker: int = 0,
) -> bool:
    """Prepare the database, then run the scheduler and every configured channel. Returns
    True when a signal stopped the bot."""
    app = App(settings)
    try:
        await app.prepare()
        services = configured_services(
            app, console=console, console_user=console_user, worker=worker
        )
        try:
            runner = app.reminder_scheduler()
            if runner is not None and settings.zalo_oa_app_id:
                runner.job.router = reminder_router(app)
            async with scheduler_running(runner):
                return await run_services(app, services)
        except CalendarError as exc:
            raise StartupError(str(exc)) from None
    finally:
        with contextlib.suppress(Exception):
            await app.close()


def run_blocking(
    settings: Settings,
    *,
    console: bool = False,
    console_user: str | None = None,
    worker: int = 0,
) -> None:
    """Run until stopped; Ctrl-C is a normal way to stop, so it ends with a word, not a trace."""
    try:
        signalled = asyncio.run(
            run(settings, console=console, console_user=console_user, worker=worker)
        )
    except KeyboardInterrupt:
        signalled = True
    messenger = settings.telegram_token or settings.zalo_bot_token or settings.zalo_oa_app_id
    console_ran = console or console_user is not None or not messenger
    if signalled and console_ran:
        tr = Translator(settings.default_language)
        sys.stdout.write(
            "\n"
            + tr.t(
                "Stopped. Your answers are saved; run the same command "
                "to continue where you left off."
            )
            + "\n"
        )
