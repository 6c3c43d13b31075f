"""When another officer sent the shared report while this one was filling it: compare,
send one's own as a new version, or start again from theirs.

Nothing is overwritten silently: sending one's own still goes through ``submit`` from the
other version's revision, so a third version sent meanwhile is caught the same way.
"""

from __future__ import annotations

from bot.messages import InboundKind
from forms import engine, validation
from handlers.context import Context
from handlers.forms.draft import form_of
from handlers.forms.prompts import prompt, show_conflict
from handlers.forms.submission import submit


async def on_conflict(ctx: Context) -> None:
    """Their answers are shown with ``≠`` where they differ from the user's own."""
    payload = ctx.inbound.payload if ctx.inbound.kind is InboundKind.BUTTON else None
    theirs = ctx.data["theirs"]
    form = form_of(ctx)
    if payload == "theirs":
        lang = ctx.user.language
        lines = [ctx.t("Their answers (version {revision}):", revision=theirs["revision"])]
        for number, question in enumerate(engine.numbered(form, theirs["answers"]), 1):
            value = theirs["answers"].get(question.id)
            mine = ctx.data["answers"].get(question.id)
            mark = "" if value == mine else " ≠"
            lines.append(
                f"{number}. {question.label(lang)}: "
                f"{engine.show_answer(question, value, ctx.tr)}{mark}"
            )
        ctx.reply("\n".join(lines))
        show_conflict(ctx)
    elif payload == "mine":
        ctx.data["base"] = theirs["revision"]
        ctx.data.pop("theirs", None)
        await submit(ctx)
    elif payload == "adopt":
        ctx.data.update(answers=dict(theirs["answers"]), base=theirs["revision"])
        ctx.data.pop("theirs", None)
        missing = validation.pending(form, ctx.data["answers"])
        if missing is None:
            ctx.goto("review")
        else:  # theirs may lack an answer the form now asks: asked, then the review
            ctx.data["to_review"] = True
            ctx.goto(f"q:{missing.id}")
        await prompt(ctx)
    else:
        ctx.reply(ctx.t("Please press one of the buttons, or type its number."))
        show_conflict(ctx)
