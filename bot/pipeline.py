"""The one path every inbound message takes, in one database transaction.

Seen-check, user and conversation load, the handler, saving the state, and writing every
reply to the outbox all commit together or not at all. Nothing is sent from here, so a crash
at any point leaves either the whole effect of a message or none of it.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from datetime import datetime

from sqlalchemy.exc import DBAPIError, IntegrityError, OperationalError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.i18n import Translator
from bot.messages import Inbound, InboundKind, Outbound
from handlers.context import Context, HandlerConfig, Job, Stores
from handlers.router import dispatch
from storage.audit import AuditLog
from storage.broadcasts import Broadcasts
from storage.conversations import Conversations
from storage.invites import Invites
from storage.models import utcnow
from storage.outbox import Outbox
from storage.places import Places
from storage.progress import Progress
from storage.seen import SeenMessages
from storage.submissions import Products, Submissions
from storage.users import Users

log = logging.getLogger(__name__)

JobRunner = Callable[[Job], Awaitable[None]]


class StorageUnavailable(Exception):
    """The database could not be reached: the channel should retry or ask the user to resend."""


class Pipeline:
    def __init__(
        self,
        session_factory: async_sessionmaker[AsyncSession],
        config: HandlerConfig,
        *,
        clock: Callable[[], datetime] = utcnow,
        on_enqueued: Callable[[], None] | None = None,
    ) -> None:
        self.session_factory = session_factory
        self.config = config
        self.clock = clock
        self.on_enqueued = on_enqueued
        self.job_runners: dict[str, JobRunner] = {}
        self._running: set[asyncio.Task[None]] = set()

    async def process(self, inbound: Inbound) -> bool:
        """Handle one message; False when it was a repeat and was dropped."""
        jobs: list[Job] = []
        try:
            try:
                done = await self._process(inbound, jobs)
            except IntegrityError:
                # Two first messages of a new user raced to create them: once more is enough.
                jobs.clear()
                done = await self._process(inbound, jobs)
        except (OperationalError, DBAPIError, OSError) as exc:
            raise StorageUnavailable(str(exc)) from exc
        except Exception:
            log.exception("handler failed on %s message %s", inbound.channel, inbound.message_id)
            done = await self._apologise(inbound)
        if done and self.on_enqueued is not None:
            self.on_enqueued()
        for job in jobs:
            self._start(job)
        return done

    def _start(self, job: Job) -> None:
        runner = self.job_runners.get(job.kind)
        if runner is None:
            log.error("no runner for job %s", job.kind)
            return
        task = asyncio.create_task(self._run_job(runner, job), name=f"job-{job.kind}")
        self._running.add(task)
        task.add_done_callback(self._running.discard)

    async def _run_job(self, runner: JobRunner, job: Job) -> None:
        try:
            await runner(job)
        except Exception:
            log.exception("job %s failed", job.kind)
        if self.on_enqueued is not None:
            self.on_enqueued()

    async def idle(self) -> None:
        """Wait for the jobs started so far (tests, and a clean stop)."""
        while self._running:
            await asyncio.gather(*list(self._running), return_exceptions=True)

    async def _process(self, inbound: Inbound, jobs: list[Job]) -> bool:
        async with self.session_factory() as session, session.begin():
            if not await SeenMessages(session).mark(inbound.channel, inbound.message_id):
                return False
            users = Users(session)
            found = await users.by_identity(inbound.channel, inbound.user_id, lock=True)
            if found is None:
                language = inbound.language_hint if inbound.language_hint in ("vi", "en") else None
                user, identity = await users.create_with_identity(
                    inbound.channel,
                    inbound.user_id,
                    language=language or self.config.default_language,
                )
            else:
                user, identity = found
            if inbound.kind is InboundKind.BLOCKED:
                identity.reachable = False
                return True
            Users.touch(identity)
            conversations = Conversations(session)
            ctx = Context(
                inbound=inbound,
                user=user,
                identity=identity,
                state=await conversations.load(user.id),
                stores=Stores(
                    users=users,
                    places=Places(session),
                    invites=Invites(session),
                    audit=AuditLog(session),
                    submissions=Submissions(session),
                    products=Products(session),
                    progress=Progress(session),
                    broadcasts=Broadcasts(session),
                ),
                config=self.config,
                now=self.clock(),
            )
            await dispatch(ctx)
            jobs.extend(ctx.jobs)
            await conversations.save(user.id, ctx.state)
            outbox = Outbox(session)
            for reply in ctx.replies:
                await outbox.enqueue(
                    channel=identity.channel,
                    address=identity.external_id,
                    message=reply,
                    user_id=user.id,
                )
            for note in ctx.notifications:
                target = await users.delivery_identity(note.user.id)
                if target is None:
                    log.info(
                        "user %s has no reachable identity; notification dropped", note.user.id
                    )
                    continue
                await outbox.enqueue(
                    channel=target.channel,
                    address=target.external_id,
                    message=note.compose(Translator(note.user.language)),
                    user_id=note.user.id,
                    dedupe_key=note.dedupe_key,
                )
            return True

    async def _apologise(self, inbound: Inbound) -> bool:
        """A bug must not turn into silence: the message is marked seen and the user told,
        while their saved state stays as it was before the message."""
        async with self.session_factory() as session, session.begin():
            if not await SeenMessages(session).mark(inbound.channel, inbound.message_id):
                return False
            found = await Users(session).by_identity(inbound.channel, inbound.user_id)
            language = found[0].language if found else self.config.default_language
            text = Translator(language).t(
                "Sorry, something went wrong on our side. Your earlier answers are safe; "
                "please send your last message again."
            )
            await Outbox(session).enqueue(
                channel=inbound.channel,
                address=inbound.user_id,
                message=Outbound(text=text),
                user_id=found[0].id if found else None,
            )
            return True
