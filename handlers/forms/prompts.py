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
from handlers.forms.draft import DEFAULT, DONE, form_of, mark_asked
from handlers.forms.wording import check_sentence


async def prompt(ctx: Context, *, heading: str | None = None) -> None:
    """Show the current step (again): on resume, after a bad answer, after a step change.
    ``heading`` (where the user is, after an interruption) comes first, in the same message."""
    assert ctx.state is not None
    step = ctx.state.step
    form = form_of(ctx)
    if step.startswith("q:"):
        ask(ctx, form.question(step[2:]), heading=heading)
    elif step.startswith("confirm:"):
        pending = ctx.data["pending"]
        question_text = pending["message"]  # a reader's msgid, translated here
        ctx.reply(
            _headed(heading, ctx.t(question_text, **pending["params"])),
            buttons=[[Button(label=v, payload=f"v:{i}") for i, v in enumerate(pending["shown"])]],
        )
    elif step == "review":
        show_review(ctx, form, heading=heading)
    elif step == "pick":
        total = len(engine.numbered(form, ctx.data["answers"]))
        ctx.reply(
            _headed(
                heading,
                ctx.t("Type the number of the question to change (1–{total}).", total=total),
            )
        )
    elif step == "conflict":
        show_conflict(ctx, heading=heading)
    elif step.startswith("check:"):
        show_check(ctx, form, heading=heading)
    mark_asked(ctx)


def _headed(heading: str | None, text: str) -> str:
    return f"{heading}\n{text}" if heading else text


def ask(ctx: Context, question: Question, *, heading: str | None = None) -> None:
    """The numbering counts only the questions that apply, so it can shift as answers
    change conditions; the current answer is shown when one is being changed.

    A note (an imported form's text to read) asks nothing: its text alone with “Continue”,
    neither numbered nor said to be optional.

    Choices offered by whatever was said before (a profile's buttons after /toi) are
    withdrawn: a number typed now answers this question."""
    form, lang, t = form_of(ctx), ctx.user.language, ctx.t
    ctx.clear_offer()
    mark_asked(ctx)
    note = question.type is QuestionType.NOTE
    lines = [heading] if heading else []
    if question.heading is not None:
        lines.append(question.heading(lang))  # an imported form's group
    if note:
        lines.append(question.label(lang))
    else:
        ids = [q.id for q in engine.numbered(form, ctx.data["answers"])]
        number = ids.index(question.id) + 1 if question.id in ids else len(ids)
        label = question.label(lang)
        lines.append(t("Question {n}/{total}: {label}", n=number, total=len(ids), label=label))
    if question.help:
        lines.append(question.help(lang))
    if not note and not engine.is_required(question, ctx.data["answers"], form):
        lines.append(t("(Not required: /boqua to skip.)"))
    buttons: list[list[Button]] = []
    current = ctx.data["answers"].get(question.id)
    options = engine.offered(question, ctx.data["answers"])
    if question.type is QuestionType.CHOICE:
        buttons = [[Button(label=o.label(lang), payload=f"c:{o.key}")] for o in options]
    elif question.type in (QuestionType.NOTE, QuestionType.ACKNOWLEDGE):
        label = t("Continue") if question.type is QuestionType.NOTE else t("OK")
        buttons = [[Button(label=label, payload="y:1")]]
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
            for o in options
        ]
        buttons.append([Button(label=t("Done"), payload=DONE)])
    elif question.type is QuestionType.PHOTO:
        lines.append(t("Send up to {max} photos, then press “Done”.", max=question.max_photos))
        buttons = [[Button(label=t("Done"), payload=DONE)]]
    elif question.type is QuestionType.LOCATION:
        lines.append(t("Share your location, or type latitude, longitude."))
    if question.default is not None and current is None:
        buttons = [[Button(label=question.default, payload=DEFAULT)]]
    if current is not None and question.type not in (QuestionType.PHOTO, QuestionType.NOTE):
        lines.append(
            t("Current answer: {answer}", answer=engine.show_answer(question, current, ctx.tr))
        )
    ctx.reply("\n".join(lines), buttons=buttons)


def show_review(ctx: Context, form: Form, *, heading: str | None = None) -> None:
    """Every answer that applies, numbered as the pick step reads the choice back."""
    lang, t = ctx.user.language, ctx.t
    answers = ctx.data["answers"]
    lines = [heading] if heading else []
    lines.append(t("Please check your answers:"))
    for number, question in enumerate(engine.numbered(form, answers), 1):
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


def show_conflict(ctx: Context, *, heading: str | None = None) -> None:
    """The user's answers are never dropped for the other version: they choose."""
    theirs = ctx.data["theirs"]
    ctx.reply(
        _headed(
            heading,
            ctx.t(
                "While you were filling this in, another officer of your commune sent "
                "this report (version {revision}). Your answers are kept. What do you "
                "want to do?",
                revision=theirs["revision"],
            ),
        ),
        buttons=[
            [Button(label=ctx.t("See their answers"), payload="theirs")],
            [Button(label=ctx.t("Send mine as a new version"), payload="mine")],
            [Button(label=ctx.t("Start again from theirs"), payload="adopt")],
        ],
    )


def show_check(ctx: Context, form: Form, *, heading: str | None = None) -> None:
    """A contradiction between answers: the form file's sentence with both numbers, the
    questions involved with their answers, and what the user may do. A warning may be
    confirmed; a blocking check only corrected."""
    t, lang = ctx.t, ctx.user.language
    raised = ctx.data["check"]
    check = next((c for c in form.checks if c.id == raised["id"]), None)
    answers = ctx.data["answers"]
    questions = engine.numbered(form, answers)
    lines = [heading] if heading else []
    if check is None:  # the form file changed meanwhile: nothing left to confirm
        lines.append(t("Please check your answers:"))
        ctx.reply("\n".join(lines), buttons=[[Button(label=t("Continue"), payload="ok")]])
        return
    sentence = check_sentence(
        form, check, raised["left"], raised["right"], raised["numbers"], ctx.tr
    )
    blocking = check.level == "block"
    lines.append(
        t("The numbers do not agree: {problem}", problem=sentence)
        if blocking
        else t("Please check: {problem}", problem=sentence)
    )
    involved = check.answer_names()
    buttons: list[list[Button]] = []
    if not blocking:
        buttons.append([Button(label=t("The numbers are right"), payload="ok")])
    for number, question in enumerate(questions, 1):
        if question.id in involved:
            shown = engine.show_answer(question, answers.get(question.id), ctx.tr)
            lines.append(f"{number}. {question.label(lang)}: {shown}")
            label = t("Correct question {n}", n=number)
            buttons.append([Button(label=label, payload=f"fix:{question.id}")])
    lines.append(
        t("Please correct one of these answers.")
        if blocking
        else t(
            "If the numbers are right, press “The numbers are right”; if not, choose the "
            "answer to correct."
        )
    )
    ctx.reply("\n".join(lines), buttons=buttons)
