"""The one path every inbound message takes, in one database transaction.

Seen-check, user and conversation load, the handler, saving the state, and writing every
reply to the outbox all commit together or not at all. Nothing is sent from here, so a crash
at any point leaves either the whole effect of a message or none of it.

Messages of different users that wait at the same moment share that transaction (group
commit, bot/batching.py): each step is one statement for all of them, the handlers run one
after another in arrival order, and a batch that fails is handled again message by message.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.batching import Batcher
from bot.errors import describe_error
from bot.failures import MAX_ATTEMPTS, FailureCounts, is_outage, unreachable
from bot.flood import FloodGuard, Verdict
from bot.i18n import N_, Translator
from bot.jobs import BackgroundJobs
from bot.messages import Button, Inbound, InboundKind, Outbound
from bot.notifications import notification_rows, stores_for
from handlers.context import Context, HandlerConfig, Job
from handlers.router import dispatch
from storage.arrivals import Sender, load_senders
from storage.conversations import Conversations, ConversationState
from storage.jobs import Jobs
from storage.models import utcnow
from storage.offers import OfferChanges, Offers
from storage.outbox import Outbox, row_values
from storage.seen import SeenMessages
from storage.set_aside import SetAside
from storage.users import Users

log = logging.getLogger(__name__)


@dataclass
class _Handled:
    """What the messages of one transaction leave to write, in the order they came."""

    states: dict[int, ConversationState | None] = field(default_factory=dict)
    outbox: list[dict[str, object]] = field(default_factory=list)
    jobs: list[Job] = field(default_factory=list)
    offers: OfferChanges = field(default_factory=OfferChanges)  # storage/offers.py


async def _keep(session: AsyncSession, job: Job) -> int:
    """The job as a row, in the message's transaction: it runs after the commit, and a
    restart before it finished takes it up again (bot/jobs.py)."""
    return await Jobs(session).add(
        kind=job.kind,
        params=job.params,
        user_id=job.user_id,
        channel=job.channel,
        address=job.address,
        language=job.language,
    )


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
        batch_size: int = 50,
        flood: FloodGuard | None = None,
    ) -> None:
        self.session_factory = session_factory
        self.config = config
        self.clock = clock
        self.on_enqueued = on_enqueued
        self.jobs = BackgroundJobs(session_factory, on_done=on_enqueued)
        self.job_runners = self.jobs.runners  # kind → runner, filled by the app
        self._batcher: Batcher[Inbound, bool] | None = None
        self._failures = FailureCounts()
        self.flood = flood or FloodGuard()
        if batch_size > 1:
            self._batcher = Batcher(self._process_batch, max_size=batch_size)

    async def process(self, inbound: Inbound) -> bool:
        """Handle one message; False when it was a repeat and was dropped.

        Messages that arrive at the same moment share a transaction (bot/batching.py); the
        outcome is the same as if each had come alone.
        """
        inbound = inbound.cleaned()
        if inbound.kind not in (InboundKind.SESSION, InboundKind.BLOCKED):
            verdict = self.flood.check((inbound.channel, inbound.user_id))
            if verdict is not Verdict.HANDLE:
                return await self._slow_down(inbound, verdict)
        if self._batcher is None:
            return await self.process_alone(inbound)
        return await self._batcher.submit((inbound.channel, inbound.user_id), inbound)

    async def process_alone(self, inbound: Inbound) -> bool:
        """Handle one message in a transaction of its own.

        Raises :class:`StorageUnavailable` only when the database may be away, so that the
        channel retries later; a message the database refuses for its content, or that a bug
        trips on, is answered and marked handled, so the others flow on.
        """
        inbound = inbound.cleaned()
        jobs: list[int] = []
        try:
            try:
                [done] = await self._transaction([inbound], jobs)
            except IntegrityError:
                # Two first messages of a new user raced to create them: once more is enough.
                jobs.clear()
                [done] = await self._transaction([inbound], jobs)
        except Exception as exc:
            jobs.clear()
            if await is_outage(exc, self.session_factory):
                done = await self._retry_or_set_aside(inbound, exc)
            else:
                log.exception("handling %s message %s failed", inbound.channel, inbound.message_id)
                done = await self._guarded(self._apologise(inbound))
        self._failures.forget((inbound.channel, inbound.message_id))
        assert done is not None  # a message alone is never put off
        self._after_commit(done, jobs)
        return done

    async def _retry_or_set_aside(self, inbound: Inbound, exc: BaseException) -> bool:
        """An outage is retried by the channel; but a message that fails again and again
        while the database answers is set aside (kept, logged, the user told)."""
        key = (inbound.channel, inbound.message_id)
        attempts = self._failures.add(key)
        if attempts < MAX_ATTEMPTS:
            raise StorageUnavailable(describe_error(exc)) from exc
        log.error(
            "%s message %s failed %d times (%s); setting it aside",
            inbound.channel,
            inbound.message_id,
            attempts,
            describe_error(exc),
        )
        try:
            return await self._set_aside(inbound, attempts, describe_error(exc))
        except Exception as again:
            self._failures.add(key)  # the database is really away: keep counting
            raise StorageUnavailable(describe_error(again)) from again

    async def _guarded(self, work: Awaitable[bool]) -> bool:
        try:
            return await work
        except (DBAPIError, OSError) as exc:
            raise StorageUnavailable(describe_error(exc)) from exc

    async def _process_batch(self, inbounds: list[Inbound]) -> list[bool | BaseException]:
        """Messages of distinct users in one transaction; if anything fails, each message
        again in a transaction of its own, so one bad message does not hold the others back
        and each gets the handling it would have had alone."""
        if len(inbounds) == 1:
            return await self._each_alone(inbounds)
        jobs: list[int] = []
        try:
            outcomes = await self._transaction(inbounds, jobs)
        except Exception as exc:
            if not unreachable(exc):
                log.info("a batch of %d messages failed; handling each alone", len(inbounds))
                return await self._each_alone(inbounds)
            # Probably the database is down, and then it is down for all of them; but a
            # handler's own time-out looks the same, so the first one alone decides.
            [first] = await self._each_alone(inbounds[:1])
            if isinstance(first, StorageUnavailable):
                return [first] * len(inbounds)
            return [first, *await self._each_alone(inbounds[1:])]
        self._after_commit(any(o is True for o in outcomes), jobs)
        # Messages put off (a second message of a user already in the batch) come after.
        return [
            outcome if outcome is not None else (await self._each_alone([inbound]))[0]
            for inbound, outcome in zip(inbounds, outcomes, strict=True)
        ]

    async def _each_alone(self, inbounds: list[Inbound]) -> list[bool | BaseException]:
        """Each message in its own transaction; one's failure is its own outcome."""
        alone: list[bool | BaseException] = []
        for inbound in inbounds:
            try:
                alone.append(await self.process_alone(inbound))
            except Exception as exc:
                alone.append(exc)
        return alone

    def _after_commit(self, enqueued: bool, jobs: list[int]) -> None:
        if enqueued and self.on_enqueued is not None:
            self.on_enqueued()
        for job_id in jobs:
            self.jobs.start(job_id)

    async def idle(self) -> None:
        """Wait for the messages queued and the jobs started so far (tests, a clean stop)."""
        if self._batcher is not None:
            await self._batcher.idle()
        await self.jobs.idle()

    async def _transaction(self, inbounds: list[Inbound], jobs: list[int]) -> list[bool | None]:
        """Messages of distinct identities, handled in order in one transaction; for each,
        False when it was a repeat, None when it was put off: a second message of a user
        already in the batch (through another messenger) waits for the commit, as the
        state it would start from is the first one's result. ``jobs`` gets the work to start
        once the transaction has committed."""
        handled = _Handled()
        async with self.session_factory() as session, session.begin():
            conversations = Conversations(session)
            senders = await load_senders(
                session, conversations, [(i.channel, i.user_id) for i in inbounds]
            )
            users: set[int] = set()
            put_off: set[int] = set()  # id() of the inbounds left for after the commit
            for inbound in inbounds:
                sender = senders.get((inbound.channel, inbound.user_id))
                if sender is not None and sender.user.id in users:
                    put_off.add(id(inbound))
                elif sender is not None:
                    users.add(sender.user.id)
            now = [i for i in inbounds if id(i) not in put_off]
            fresh = await SeenMessages(session).mark_many([(i.channel, i.message_id) for i in now])
            for inbound in now:
                if (inbound.channel, inbound.message_id) in fresh:
                    await self._handle(
                        session,
                        inbound,
                        senders.get((inbound.channel, inbound.user_id)),
                        conversations,
                        handled,
                    )
            await conversations.save_all(handled.states)
            await Outbox(session).enqueue_all(handled.outbox)
            await Offers(session).save_all(handled.offers)
            job_ids = [await _keep(session, job) for job in handled.jobs]
        jobs.extend(job_ids)
        return [None if id(i) in put_off else (i.channel, i.message_id) in fresh for i in inbounds]

    async def _handle(
        self,
        session: AsyncSession,
        inbound: Inbound,
        sender: Sender | None,
        conversations: Conversations,
        handled: _Handled,
    ) -> None:
        """One message: its sender (created on their first message), the handler, and what
        is to be written for it (state, outbox rows, jobs) added to ``handled``."""
        users = Users(session)
        if sender is None:
            language = inbound.language_hint if inbound.language_hint in ("vi", "en") else None
            user, identity = await users.create_with_identity(
                inbound.channel,
                inbound.user_id,
                language=language or self.config.default_language,
            )
            conversations.known(user.id, stored=False)
            state = None
        else:
            user, identity, state = sender.user, sender.identity, sender.state
        if inbound.kind is InboundKind.BLOCKED:
            identity.reachable = False
            return
        Users.touch(identity)
        # A typed number may answer the latest notification (text-only messengers). The
        # chat opened again (SESSION) keeps it answerable past its greeting (general.resume),
        # even if it is still queued: the greeting is delivered after it.
        notice = (
            await Offers(session).answerable(user.id, sender.notice)
            if sender is not None and inbound.kind is InboundKind.TEXT
            else sender.notice.choices
            if sender is not None and sender.notice and inbound.kind is InboundKind.SESSION
            else []
        )
        ctx = Context(
            inbound=inbound,
            user=user,
            identity=identity,
            state=state,
            stores=stores_for(session, users),
            config=self.config,
            now=self.clock(),
            notice=[Button(label=label, payload=payload) for label, payload in notice],
        )
        await dispatch(ctx)
        handled.jobs.extend(ctx.jobs)
        if ctx.user is user:
            handled.states[user.id] = ctx.state
        else:
            # The sender's user joined another (/lienket, handlers/linking.py): its row and
            # conversation are gone, and the user it joined keeps its conversation as stored.
            user = ctx.user
        if ctx.replies:
            # Its notice (if any) is no longer the latest message; one of a user this one
            # joined (/lienket) is not loaded, so it is forgotten as well.
            had_notice = sender is not None and (
                sender.notice is not None or sender.user is not user
            )
            handled.offers.answered(user.id, had_notice=had_notice)
        for reply in ctx.replies:
            handled.outbox.append(
                row_values(
                    channel=identity.channel,
                    address=identity.external_id,
                    message=reply,
                    user_id=user.id,
                )
            )
        handled.outbox.extend(await notification_rows(users, ctx.notifications, handled.offers))

    async def _apologise(self, inbound: Inbound) -> bool:
        """A bug must not turn into silence: the message is marked seen and the user told,
        while their saved state stays as it was before the message."""
        return await self._answer_alone(
            inbound,
            N_(
                "Sorry, something went wrong on our side. Your earlier answers are safe; "
                "please send your last message again."
            ),
        )

    async def _slow_down(self, inbound: Inbound, verdict: Verdict) -> bool:
        """Over the sender's rate: not handled, and said so once (see bot/flood.py)."""
        log.info("%s user %s over the inbound rate: %s", inbound.channel, inbound.user_id, verdict)
        if verdict is Verdict.DROP:
            return True
        seconds = max(10, round(self.flood.wait((inbound.channel, inbound.user_id))))
        return await self._guarded(
            self._answer_alone(
                inbound,
                N_(
                    "You are sending messages faster than we can read them. What you send in "
                    "the next {seconds} seconds will not be read: please wait a moment, then "
                    "send it again. Your earlier answers are safe."
                ),
                seconds=seconds,
            )
        )

    async def _set_aside(self, inbound: Inbound, attempts: int, error: str) -> bool:
        return await self._answer_alone(
            inbound,
            N_(
                "Sorry, we could not handle your last message. It has been kept for an "
                "administrator to look at; your earlier answers are safe."
            ),
            set_aside=(attempts, error),
        )

    async def _answer_alone(
        self,
        inbound: Inbound,
        msgid: str,
        *,
        set_aside: tuple[int, str] | None = None,
        **params: object,
    ) -> bool:
        """In one transaction: mark the message seen, keep it for an admin when it is set
        aside, and send ``msgid`` (translated) to its sender; False when the message had
        been handled already."""
        async with self.session_factory() as session, session.begin():
            if not await SeenMessages(session).mark(inbound.channel, inbound.message_id):
                return False
            if set_aside is not None:
                attempts, error = set_aside
                await SetAside(session).keep(inbound, attempts=attempts, error=error)
            found = await Users(session).by_identity(inbound.channel, inbound.user_id)
            language = found[0].language if found else self.config.default_language
            await Outbox(session).enqueue(
                channel=inbound.channel,
                address=inbound.user_id,
                message=Outbound(text=Translator(language).t(msgid, **params)),
                user_id=found[0].id if found else None,
            )
            return True
