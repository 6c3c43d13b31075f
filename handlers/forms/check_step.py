"""The answer to a contradiction (``check:<id>``): confirm a warning, or correct an answer.

Correcting goes to the question with its current answer; once answered, the questions
still wanting an answer are asked and the form goes on (or the review returns), and the
check runs again on the new numbers. A blocking check offers no confirmation.
"""

from __future__ import annotations

from bot.messages import InboundKind
from handlers.context import Context
from handlers.forms.draft import form_of
from handlers.forms.prompts import ask, prompt
from handlers.forms.questions import advance, go_on
from handlers.forms.submission import submit


async def on_check(ctx: Context) -> None:
    form = form_of(ctx)
    raised = ctx.data.get("check") or {}
    check = next((c for c in form.checks if c.id == raised.get("id")), None)
    payload = ctx.inbound.payload if ctx.inbound.kind is InboundKind.BUTTON else None
    if payload == "ok" and (check is None or check.level == "warn"):
        ctx.data.pop("check", None)
        if check is not None:
            ctx.data.setdefault("confirmed", {})[check.id] = raised.get("fingerprint")
            ctx.stores.audit.record(ctx.user.id, "check_confirmed", form=form.id, check=check.id)
        if raised.get("then") == "submit":
            await submit(ctx)
        elif raised.get("question"):
            await go_on(ctx, raised["question"])
        else:
            ctx.data["to_review"] = True
            await advance(ctx, after=None)
        return
    question_id = payload.removeprefix("fix:") if payload and payload.startswith("fix:") else None
    if question_id is not None and check is not None and question_id in check.answer_names():
        ctx.data.pop("check", None)
        ctx.data["to_review"] = True
        ctx.goto(f"q:{question_id}")
        ask(ctx, form.question(question_id))
        return
    ctx.reply(ctx.t("Please press one of the buttons, or type its number."))
    await prompt(ctx)
