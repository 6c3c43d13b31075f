"""Running background jobs (an export) after the commit of the message that asked for them.

Each job is a row (storage/jobs.py) written in that message's transaction, so a crash, a
restart or a deploy never forgets one: at start-up the unfinished ones are taken up again
(by one process: the claim is a conditional update). A job that fails tells its user, in
their language, instead of going silent; one that keeps failing across restarts is given up
after :data:`MAX_ATTEMPTS` with the same message.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.errors import describe_error
from bot.i18n import Translator
from bot.messages import Outbound
from handlers.context import Job
from storage.jobs import Jobs
from storage.leases import this_process
from storage.outbox import Outbox

log = logging.getLogger(__name__)

JobRunner = Callable[[Job], Awaitable[None]]
MAX_ATTEMPTS = 3


class JobFailed(Exception):
    """A job that failed for a reason its user should read: ``msgid`` (an English msgid,
    translated into the user's language) with ``params``."""

    def __init__(self, msgid: str, **params: object) -> None:
        super().__init__(msgid.format(**params) if params else msgid)
        self.msgid = msgid
        self.params = params


class BackgroundJobs:
    def __init__(
        self,
        session_factory: async_sessionmaker[AsyncSession],
        *,
        on_done: Callable[[], None] | None = None,
    ) -> None:
        self.session_factory = session_factory
        self.on_done = on_done
        self.runners: dict[str, JobRunner] = {}
        self._running: set[asyncio.Task[None]] = set()

    def start(self, job_id: int) -> None:
        task = asyncio.create_task(self._run(job_id), name=f"job-{job_id}")
        self._running.add(task)
        task.add_done_callback(self._running.discard)

    async def resume(self) -> int:
        """Take up the jobs a stopped process left unfinished; returns how many."""
        async with self.session_factory() as session:
            unfinished = await Jobs(session).unfinished()
        for job_id in unfinished:
            self.start(job_id)
        return len(unfinished)

    async def idle(self) -> None:
        """Wait for the jobs started so far (tests, a clean stop)."""
        while self._running:
            await asyncio.gather(*list(self._running), return_exceptions=True)

    async def _run(self, job_id: int) -> None:
        try:
            async with self.session_factory() as session, session.begin():
                row = await Jobs(session).claim(job_id, this_process())
            if row is None:
                return  # another process has it, or it is over
            job = Job(
                kind=row.kind,
                params=dict(row.params),
                user_id=row.user_id or 0,
                channel=row.channel,
                address=row.address,
                language=row.language,
            )
            error = await self._attempt(job, row.attempts)
            async with self.session_factory() as session, session.begin():
                await Jobs(session).finish(job_id, error=error)
        except Exception:
            log.exception("background job %s could not be run", job_id)
        if self.on_done is not None:
            self.on_done()

    async def _attempt(self, job: Job, attempts: int) -> str | None:
        """Run the job; on failure tell its user why. Returns the error to keep, if any."""
        runner = self.runners.get(job.kind)
        if runner is None:
            log.error("no runner for job %s", job.kind)
            return f"no runner for {job.kind}"
        if attempts > MAX_ATTEMPTS:
            reason: JobFailed | None = None
            error = f"given up after {MAX_ATTEMPTS} attempts"
        else:
            try:
                await runner(job)
                return None
            except JobFailed as exc:
                reason, error = exc, str(exc)
            except Exception as exc:
                log.exception("background job %s failed", job.kind)
                reason, error = None, describe_error(exc)
        await self._tell(job, reason)
        return error

    async def _tell(self, job: Job, reason: JobFailed | None) -> None:
        tr = Translator(job.language)
        why = (
            tr.t(reason.msgid, **reason.params)
            if reason
            else tr.t("an error on our side; the operator has been told in the logs")
        )
        text = tr.t(
            "Sorry, what you asked for could not be done: {reason}. Please try again later.",
            reason=why,
        )
        async with self.session_factory() as session, session.begin():
            await Outbox(session).enqueue(
                channel=job.channel,
                address=job.address,
                message=Outbound(text=text),
                user_id=job.user_id or None,
            )
