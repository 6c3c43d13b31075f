"""The dashboard's buttons run the chat's own handlers: no second implementation.

"Cần bổ sung" on a report page calls the same ``@review`` action and comment step as the
chat's ``/xem``; "approve" the same ``@approve``; "disable" the same ``/khoa``; a deadline
the same ``/lich``. The admin's web request becomes a :class:`~handlers.context.Context`
(an inbound on the channel "dashboard", the admin as storage has them now), the handler runs in
the request's transaction, and what it notifies (the officer told their report needs
fixing, an officer approved) becomes outbox rows exactly as the pipeline writes them, in
the same transaction. The handler's replies to the admin are shown on the page.
"""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from bot.messages import Inbound, InboundKind
from bot.notifications import queue_notifications, stores_for
from handlers.context import Context, HandlerConfig
from handlers.registry import FLOWS
from storage.models import Identity, User, utcnow
from storage.users import Users

# Not a messenger: the admin acting on a page (never stored, never sent to).
CHANNEL = "dashboard"


@dataclass
class Done:
    """What a handler said back to the admin, and whether it notified anyone."""

    replies: list[str]
    notified: int
    finished: bool  # no step left open (a comment refused as too short leaves one)


async def as_admin(
    session: AsyncSession,
    config: HandlerConfig,
    admin: User,
    work: Callable[[Context], Awaitable[None]],
) -> Done:
    """Run ``work`` (calls of the chat's handlers) as ``admin``, inside ``session``'s
    transaction; notifications become outbox rows in it too."""
    users = Users(session)
    identity = await users.delivery_identity(admin.id) or Identity(
        user_id=admin.id, channel=CHANNEL, external_id=str(admin.id)
    )
    ctx = Context(
        inbound=inbound(admin, ""),
        user=admin,
        identity=identity,
        state=None,
        stores=stores_for(session),
        config=config,
        now=utcnow(),
    )
    await work(ctx)
    # Queued as the pipeline queues a chat message's: in each person's language, on the
    # messenger they can be reached on now (else kept as unreachable), buttons answerable.
    await queue_notifications(session, ctx.notifications, users)
    return Done(
        replies=[reply.text for reply in ctx.replies],
        notified=len(ctx.notifications),
        finished=not ctx.in_conversation,
    )


def inbound(admin: User, text: str, *, payload: str | None = None) -> Inbound:
    """What the admin "typed" (or, with ``payload``, pressed) on the web: on the channel
    "dashboard", never stored as seen, never answered through the outbox."""
    return Inbound(
        channel=CHANNEL,
        user_id=str(admin.id),
        message_id=uuid.uuid4().hex,
        kind=InboundKind.BUTTON if payload is not None else InboundKind.TEXT,
        text=text,
        payload=payload,
    ).cleaned()


@dataclass(frozen=True)
class Said:
    """One answer to a step of a chat conversation: typed text, or a button's payload."""

    text: str = ""
    payload: str | None = None


async def converse(ctx: Context, answers: Sequence[Said]) -> None:
    """Answer the steps the chat would ask next (a comment, a score, "save"), one by one,
    through the flow's own ``handle``, as if the admin had typed them. Stops at an answer
    the step refuses: the replies then say why, and nothing of the flow is saved."""
    for answer in answers:
        if not ctx.in_conversation:
            return
        assert ctx.state is not None
        before = (ctx.state.flow, ctx.state.step)
        ctx.replies.clear()
        ctx.inbound = inbound(ctx.user, answer.text, payload=answer.payload)
        await FLOWS[before[0]].handle(ctx)
        if ctx.in_conversation and (ctx.state.flow, ctx.state.step) == before:
            return
