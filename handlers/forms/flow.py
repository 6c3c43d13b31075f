"""Filling a form in chat: one question at a time, every answer saved as it is given.

This is the flow's entry module: importing it registers the flow, its button actions and the
/quaylai and /boqua commands. Each step is handled by a module of its own:

    draft       the state the conversation carries (form, period, answers, step, base)
    starting    who may fill a form, its period, reopening a sent report; ``install``
    prompts     what each step shows
    questions   answering, confirming, going back, skipping
    review      the review at the end and picking an answer to change
    checks      the form file's cross-field checks: which contradictions to show
    check_step  confirming a warning or correcting an answer it names
    submission  sending: validated again, the period lock, the receipt, who is told
    conflicts   another officer of the commune sent the same report meanwhile
    wording     the report, its period and commune, and where the user is, in a sentence

Two officers of one commune may fill the same report at once: the second to submit is shown
that the first did, and chooses; nothing is overwritten silently, and every submitted
revision is kept.
"""

from __future__ import annotations

from typing import Any

from bot.i18n import N_
from forms.registry import FORMS
from handlers.context import Context
from handlers.forms import questions
from handlers.forms.check_step import on_check
from handlers.forms.conflicts import on_conflict
from handlers.forms.draft import NAME, asked_now, form_of
from handlers.forms.prompts import prompt
from handlers.forms.review import on_pick, on_review
from handlers.forms.starting import fits_audience, install, open_submission, start_form
from handlers.forms.wording import where
from handlers.registry import FLOWS, command, flow
from handlers.rights import Guard
from storage.models import User

__all__ = ["FORM_FLOW", "NAME", "FormFlow", "install", "open_submission", "start_form"]


REPORT_CLOSED = N_("You may no longer send this commune's report; the draft was closed.")
FORM_CLOSED = N_("You may no longer send this form; the draft was closed.")


def _closed(data: dict[str, Any]) -> str:
    form = FORMS.get(data.get("form") or "")
    return REPORT_CLOSED if form is not None and form.shared_by == "commune" else FORM_CLOSED


def _still_fits(user: User, data: dict[str, Any]) -> bool:
    """A draft goes on only for its form's audience, approved, as storage says now; a
    form no longer defined (a redeployed folder) ends it too."""
    form = FORMS.get(data.get("form") or "")
    return form is not None and fits_audience(user, form)


class FormFlow:
    """The flow the router sees: it sends each step to the module that handles it.

    An officer's draft belongs to the commune they had when it started: the guard ends it
    when they move, are disabled or lose the role (the report they would send, or the other
    officer's version they would be shown, would be another commune's). A producer's own
    forms follow them: moving commune changes nothing of their scope, so the draft goes on.
    """

    name = NAME
    guard = Guard(closed=_closed, needs=_still_fits)

    async def prompt(self, ctx: Context) -> None:
        """Asked again after something else was said (/help, /start, a restart, a cancelled
        /huy, a closed conversation on top): first where the user is in which report."""
        await prompt(ctx, heading=where(ctx, form_of(ctx)))

    async def interrupted(self, ctx: Context) -> None:
        """After a command that showed something else (/toi, /trangthai, /dulieu) and left
        the form where it was: say where it is and ask again, so the next answer goes to
        a question the user has just seen. Not when the command showed the form's step
        itself (/help, /quaylai, /baocao)."""
        if asked_now(ctx):
            return
        await self.prompt(ctx)

    async def handle(self, ctx: Context) -> None:
        assert ctx.state is not None
        step = ctx.state.step
        if ctx.notice and step.startswith(("q:", "confirm:", "check:")):
            # A notification with choices came after the question: what is typed now may
            # be meant for either, so nothing is stored until the question is seen again.
            await self.prompt(ctx)
            return
        if step.startswith("q:"):
            await questions.answer(ctx, form_of(ctx).question(step[2:]))
        elif step.startswith("confirm:"):
            await questions.confirm(ctx, step.split(":", 1)[1])
        elif step == "review":
            await on_review(ctx)
        elif step == "pick":
            await on_pick(ctx)
        elif step == "conflict":
            await on_conflict(ctx)
        elif step.startswith("check:"):
            await on_check(ctx)

    async def back(self, ctx: Context) -> None:
        await questions.back(ctx)

    async def skip(self, ctx: Context) -> None:
        await questions.skip(ctx)


FORM_FLOW = FormFlow()
flow(FORM_FLOW)


@command("quaylai", "back")
async def back(ctx: Context, _argument: str) -> None:
    """Go back one question, in any flow that can."""
    handler = FLOWS.get(ctx.state.flow) if ctx.in_conversation and ctx.state else None
    if handler is None or not hasattr(handler, "back"):
        ctx.reply(ctx.t("There is no form in progress."))
        return
    await handler.back(ctx)


@command("boqua", "skip")
async def skip(ctx: Context, _argument: str) -> None:
    """Skip a question that is not required, in any flow that has such questions."""
    handler = FLOWS.get(ctx.state.flow) if ctx.in_conversation and ctx.state else None
    if handler is None or not hasattr(handler, "skip"):
        ctx.reply(ctx.t("There is no question to skip here."))
        return
    await handler.skip(ctx)
