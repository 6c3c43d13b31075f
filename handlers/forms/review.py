"""The review at the end of a form: send it, or pick an answer to change.

A changed answer returns to the review (``to_review``) instead of walking the rest of the
form again.
"""

from __future__ import annotations

from bot.messages import InboundKind
from forms import engine
from forms.schema import QuestionType
from handlers.arguments import number_in
from handlers.context import Context
from handlers.forms.draft import form_of
from handlers.forms.prompts import ask, prompt
from handlers.forms.submission import submit


async def on_review(ctx: Context) -> None:
    """Only the two buttons mean something here; anything else shows the review again."""
    payload = ctx.inbound.payload if ctx.inbound.kind is InboundKind.BUTTON else None
    if payload == "send":
        await submit(ctx)
    elif payload == "change":
        ctx.goto("pick")
        await prompt(ctx)
    else:
        ctx.reply(ctx.t("Please press “Send”, or “Change an answer”."))
        await prompt(ctx)


async def on_pick(ctx: Context) -> None:
    """The number is the one the review showed; the question is asked with its current
    answer, and a multiple choice starts from the options already picked."""
    form = form_of(ctx)
    questions = engine.numbered(form, ctx.data["answers"])
    text = (ctx.inbound.text or "").strip() if ctx.inbound.kind is InboundKind.TEXT else ""
    chosen = number_in(text, 1, len(questions))
    if chosen is None:
        ctx.reply(ctx.t("Please type a number from 1 to {total}.", total=len(questions)))
        return
    question = questions[chosen - 1]
    ctx.data["to_review"] = True
    if question.type is QuestionType.MULTI_CHOICE:
        ctx.data["picked"] = list(ctx.data["answers"].get(question.id) or [])
    ctx.goto(f"q:{question.id}")
    ask(ctx, question)
