"""What a form shows at each step: the question, the confirmation, the review, the choice
of the answer to change, the conflict with another officer's version.

Only rendering lives here, so every other step module can re-show the current step (after a
bad answer, on resume, after ``goto``) without importing the modules that handle answers.
"""

from __future__ import annotations

from bot.messages import Button
from forms import engine
from forms.schema import Form, Question, QuestionType
from handlers.context import Context
from handlers.forms.draft import DONE, form_of


async def prompt(ctx: Context) -> None:
    """Show the current step (again): on resume, after a bad answer, after a step change."""
    assert ctx.state is not None
    step = ctx.state.step
    form = form_of(ctx)
    if step.startswith("q:"):
        ask(ctx, form.question(step[2:]))
    elif step.startswith("confirm:"):
        pending = ctx.data["pending"]
        question_text = pending["message"]  # a reader's msgid, translated here
        ctx.reply(
            ctx.t(question_text, **pending["params"]),
            buttons=[[Button(label=v, payload=f"v:{i}") for i, v in enumerate(pending["shown"])]],
        )
    elif step == "review":
        show_review(ctx, form)
    elif step == "pick":
        total = len(engine.applicable(form, ctx.data["answers"]))
        ctx.reply(ctx.t("Type the number of the question to change (1–{total}).", total=total))
    elif step == "conflict":
        show_conflict(ctx)


def ask(ctx: Context, question: Question) -> None:
    """The numbering counts only the questions that apply, so it can shift as answers
    change conditions; the current answer is shown when one is being changed."""
    form, lang, t = form_of(ctx), ctx.user.language, ctx.t
    questions = engine.applicable(form, ctx.data["answers"])
    ids = [q.id for q in questions]
    number = ids.index(question.id) + 1 if question.id in ids else len(ids)
    lines = [
        t("Question {n}/{total}: {label}", n=number, total=len(ids), label=question.label(lang))
    ]
    if question.help:
        lines.append(question.help(lang))
    if not question.required:
        lines.append(t("(Not required: /boqua to skip.)"))
    buttons: list[list[Button]] = []
    current = ctx.data["answers"].get(question.id)
    if question.type is QuestionType.CHOICE:
        buttons = [[Button(label=o.label(lang), payload=f"c:{o.key}")] for o in question.options]
    elif question.type is QuestionType.YES_NO:
        buttons = [[Button(label=t("Yes"), payload="y:1"), Button(label=t("No"), payload="y:0")]]
    elif question.type is QuestionType.MULTI_CHOICE:
        chosen = ctx.data.get("picked", [])
        lines.append(
            t("Press the options that apply, then “Done”; or type their numbers, for example 1, 3.")
        )
        buttons = [
            [
                Button(
                    label=("✓ " if o.key in chosen else "") + o.label(lang),
                    payload=f"m:{o.key}",
                )
            ]
            for o in question.options
        ]
        buttons.append([Button(label=t("Done"), payload=DONE)])
    elif question.type is QuestionType.PHOTO:
        lines.append(t("Send up to {max} photos, then press “Done”.", max=question.max_photos))
        buttons = [[Button(label=t("Done"), payload=DONE)]]
    elif question.type is QuestionType.LOCATION:
        lines.append(t("Share your location, or type latitude, longitude."))
    if current is not None and question.type is not QuestionType.PHOTO:
        lines.append(
            t("Current answer: {answer}", answer=engine.show_answer(question, current, ctx.tr))
        )
    ctx.reply("\n".join(lines), buttons=buttons)


def show_review(ctx: Context, form: Form) -> None:
    """Every answer that applies, numbered as the pick step reads the choice back."""
    lang, t = ctx.user.language, ctx.t
    answers = ctx.data["answers"]
    lines = [t("Please check your answers:")]
    for number, question in enumerate(engine.applicable(form, answers), 1):
        lines.append(
            f"{number}. {question.label(lang)}: "
            f"{engine.show_answer(question, answers.get(question.id), ctx.tr)}"
        )
    ctx.reply(
        "\n".join(lines),
        buttons=[
            [Button(label=t("Send"), payload="send")],
            [Button(label=t("Change an answer"), payload="change")],
        ],
    )


def show_conflict(ctx: Context) -> None:
    """The user's answers are never dropped for the other version: they choose."""
    theirs = ctx.data["theirs"]
    ctx.reply(
        ctx.t(
            "While you were filling this in, another officer of your commune sent "
            "this report (version {revision}). Your answers are kept. What do you "
            "want to do?",
            revision=theirs["revision"],
        ),
        buttons=[
            [Button(label=ctx.t("See their answers"), payload="theirs")],
            [Button(label=ctx.t("Send mine as a new version"), payload="mine")],
            [Button(label=ctx.t("Start again from theirs"), payload="adopt")],
        ],
    )
