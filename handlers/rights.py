"""Rights checked at every step of a conversation, not only when it starts.

A conversation can last days: an officer fills a report, moves to another commune in /toi,
an admin disables someone or takes their admin rights away. What the conversation
remembered when it started (the commune of the draft, the admin's province, the role that
opened it) must not be trusted afterwards; ``ctx.user`` is storage now, loaded in this
message's transaction.

So a flow declares a :class:`Guard`, and the router runs :func:`close_lapsed` before the
message is handled and again after (a flow resumed from underneath, e.g. a draft after /toi
moved the user, is checked at once). A guarded flow goes on only while the user's rights
(role, status, scope: ``storage.scope.rights_of``) are still those it started with, and its
``needs`` still hold; otherwise it is ended, with the reason, and nothing it remembered is
shown or written. One central check, rather than one in each step, so a new step cannot
forget it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from handlers.context import RIGHTS_KEY, Context
from handlers.registry import FLOWS
from storage.models import User
from storage.scope import rights_of

Data = dict[str, Any]


def _anything(_user: User, _data: Data) -> bool:
    return True


@dataclass(frozen=True)
class Guard:
    """What a flow needs at every step, as storage says now.

    ``closed`` picks the message (an English msgid) that tells the user why the flow was
    ended, from the flow's data (a commune's report and a producer's form say it
    differently). ``needs`` is what the flow requires beyond unchanged rights, e.g. being an
    admin; it also covers conversations saved before rights were kept with them.
    """

    closed: Callable[[Data], str]
    needs: Callable[[User, Data], bool] = _anything


def saying(message: str) -> Callable[[Data], str]:
    """A ``closed`` that says the same whatever the data."""
    return lambda _data: message


def _guard(ctx: Context) -> Guard | None:
    if not ctx.in_conversation or ctx.state is None:
        return None
    return getattr(FLOWS.get(ctx.state.flow), "guard", None)


def holds(ctx: Context) -> bool:
    """Whether the open conversation may take another step. A conversation saved before
    rights were kept with it is pinned to the rights of now (its ``needs`` still apply)."""
    guard = _guard(ctx)
    if guard is None:
        return True
    now = rights_of(ctx.user)
    kept = ctx.data.setdefault(RIGHTS_KEY, now)
    return list(kept) == now and guard.needs(ctx.user, ctx.data)


def close_lapsed(ctx: Context) -> bool:
    """End the open conversation if the user's rights no longer allow it, and any
    interrupted one underneath that resumes in the same state; tell the user why. True when
    something was closed. Audited, as any refused action is."""
    closed = False
    while (guard := _guard(ctx)) is not None and not holds(ctx):
        assert ctx.state is not None
        ctx.stores.audit.record(
            ctx.user.id, "flow_closed", flow=ctx.state.flow, step=ctx.state.step
        )
        message = guard.closed(ctx.data)
        ctx.finish()
        ctx.reply(ctx.t(message), remove_keyboard=True)
        closed = True
    return closed
