"""The draft a form conversation carries in its state, shared by every step of the flow.

State (in the conversation, committed after every message):
``form``, ``period``, ``answers``, ``history`` (questions answered, for /quaylai), ``step``
(``q:<id>``, ``confirm:<id>``, ``check:<id>``, ``review``, ``pick``, ``conflict``), ``base``
(the revision of the shared report this draft started from: 0 for a new one), ``to_review``
(after the next answer, the questions still wanting one are asked, then the review returns),
``check`` (the contradiction being shown), ``confirmed`` (warnings confirmed, by check id,
for the numbers they were confirmed for) and ``_asked`` (the message in which the form last
showed its step: a command that showed something else is followed by the step again).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import date
from typing import Any

from forms.registry import FORMS, form_version
from forms.schema import Form
from handlers.context import CHOICES_KEY, STACK_KEY, Context
from storage.conversations import ConversationState

NAME = "form"
DONE = "done"
DEFAULT = "default"  # the button offering an imported question's default answer
ASKED_KEY = "_asked"


def form_of(ctx: Context) -> Form:
    """The form is kept by id in the state, so a redeployed definition is read afresh; an
    imported form's draft also keeps its version, which it is finished with."""
    form = form_version(ctx.data["form"], ctx.data.get("version"))
    return form if form is not None else FORMS[ctx.data["form"]]


def today(ctx: Context) -> date:
    """Periods and locks follow the configured zone's calendar, not the server's."""
    return ctx.now.astimezone(ctx.config.zone).date()


def scope_key(form: Form, ctx: Context) -> str:
    """Who shares one report: a commune's officers, one user, or nobody (every filing is
    its own report)."""
    if form.shared_by == "commune":
        return f"commune:{ctx.user.commune_code}"
    if form.shared_by == "user":
        return f"user:{ctx.user.id}"
    return f"own:{ctx.user.id}:{uuid.uuid4().hex[:12]}"


def mark_asked(ctx: Context) -> None:
    """The form showed its current step in answer to this message."""
    if ctx.state is not None:
        ctx.data[ASKED_KEY] = ctx.inbound.message_id


def asked_now(ctx: Context) -> bool:
    """Whether the form already showed its current step in answer to this message."""
    return ctx.state is not None and ctx.data.get(ASKED_KEY) == ctx.inbound.message_id


def bring_forward(ctx: Context, same: Callable[[dict[str, Any]], bool]) -> bool:
    """Make the open draft for which ``same(data)`` holds the current conversation; False
    when there is none.

    Whatever opens a report (its command, a reminder's button, an admin's "please fix"
    note) resumes the draft of it already open rather than beginning a second one from the
    sent answers: two drafts of one report lose the answers of one, and the other comes
    back, stale, once one is sent. A draft underneath another conversation (a profile change
    begun meanwhile) comes to the front; that one waits underneath, in the order it was
    in, and resumes after the draft is sent or cancelled."""
    state = ctx.state
    if state is None or not ctx.in_conversation:
        return False
    if state.flow == NAME and same(state.data):
        return True
    stack: list[dict[str, Any]] = list(state.data.get(STACK_KEY, []))
    found = [i for i, kept in enumerate(stack) if kept["flow"] == NAME and same(kept["data"])]
    if not found:
        return False
    draft = stack.pop(found[-1])
    above = {k: v for k, v in state.data.items() if k not in (STACK_KEY, CHOICES_KEY)}
    stack.append({"flow": state.flow, "step": state.step, "data": above})
    ctx.state = ConversationState(
        flow=NAME, step=draft["step"], data={**draft["data"], STACK_KEY: stack}
    )
    return True
