"""Several webhook workers on one port, so that every core of the server handles messages.

One Python process handles messages on one core, and on a deadline day that core is the
limit. With ``OCOP_WEBHOOK_WORKERS=N`` (webhook mode, PostgreSQL) the bot starts N processes
that listen on the same address (``SO_REUSEPORT``: the kernel spreads Telegram's
connections among them). They share everything else through the database: a user's
messages queue on the user's row lock, the outbox is shared with ``SKIP LOCKED`` leases, one
scheduler is elected. Each sends at 1/N of ``OCOP_TELEGRAM_RATE_GLOBAL``, so together they
stay within it, and only the first registers the webhook and the command menu.

This process only supervises: it starts the workers, passes SIGINT/SIGTERM on, and if one
worker ends by itself (a start-up error, a crash) it stops the others and exits with that
worker's code, for the service manager to restart the whole.
"""

from __future__ import annotations

import contextlib
import logging
import multiprocessing
import os
import signal
import sys
import time
from multiprocessing.process import BaseProcess
from types import FrameType

from bot.settings import Settings

log = logging.getLogger(__name__)

STOP_GRACE = 20.0  # seconds a worker may take to finish what it holds after SIGTERM


def run_workers(settings: Settings) -> int:
    """Run ``settings.webhook_workers`` workers until stopped; returns the exit code.

    Raises StartupError for a malformed webhook secret, before any worker starts (the
    settings make sure there is one: every worker must check the secret Telegram has)."""
    from bot.channels.telegram.service import webhook_secret

    webhook_secret(settings)
    context = multiprocessing.get_context("spawn")
    workers = [
        context.Process(target=_worker_main, args=(settings, index), name=f"ocop-worker-{index}")
        for index in range(settings.webhook_workers)
    ]
    stopping = False

    def stop(_signum: int = 0, _frame: FrameType | None = None) -> None:
        nonlocal stopping
        stopping = True
        for worker in workers:
            if worker.pid is not None and worker.is_alive():
                with contextlib.suppress(ProcessLookupError):
                    os.kill(worker.pid, signal.SIGTERM)

    previous = {sig: signal.signal(sig, stop) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        for worker in workers:
            if stopping:  # a signal during start-up: start no more
                break
            worker.start()
        code = 0
        while not stopping:
            ended = [worker for worker in workers if not worker.is_alive()]
            if ended:
                exitcode = ended[0].exitcode
                code = exitcode if exitcode and exitcode > 0 else 1
                log.error("%s ended (exit code %s); stopping the others", ended[0].name, code)
                stop()
                break
            time.sleep(0.2)
        _join_all(workers)
        return code
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


def _join_all(workers: list[BaseProcess]) -> None:
    workers = [w for w in workers if w.pid is not None]  # a signal may have come before some
    deadline = time.monotonic() + STOP_GRACE
    for worker in workers:
        worker.join(max(0.0, deadline - time.monotonic()))
    for worker in workers:
        if worker.is_alive():
            log.warning("%s did not stop in %.0fs; killing it", worker.name, STOP_GRACE)
            worker.kill()
            worker.join(5)


def _worker_main(settings: Settings, index: int) -> None:
    """One worker: the whole bot, as one process of ``settings.webhook_workers``."""
    from bot.app import StartupError
    from bot.runtime import run_blocking

    logging.basicConfig(
        level=settings.log_level,
        format=f"%(asctime)s %(levelname)s worker {index} %(name)s: %(message)s",
    )
    try:
        run_blocking(settings, worker=index)
    except StartupError as exc:
        sys.stderr.write(f"{exc}\n")
        sys.exit(1)
