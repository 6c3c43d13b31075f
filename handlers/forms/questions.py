"""Answering a form's questions: reading an answer, confirming a doubtful one, moving on,
going back (/quaylai) and skipping (/boqua).

Every answer is stored in the draft the moment it is read, so a user who stops half-way
resumes at the next question with nothing lost.
"""

from __future__ import annotations

from typing import Any

from bot.messages import Button, InboundKind
from forms import engine, validation
from forms.readers import Ambiguous, NeedsConfirmation, Ok, Rejected
from forms.readers.yes_no import read_yes_no
from forms.schema import Form, Question, QuestionType
from forms.xlsform.answers import calculate
from handlers.arguments import number_in
from handlers.context import Context
from handlers.forms import checks
from handlers.forms.draft import DEFAULT, DONE, form_of, today
from handlers.forms.prompts import ask, prompt


async def advance(ctx: Context, *, after: str | None) -> None:
    """Ask the next applicable question, or show the review when none is left.

    Before the review (at the end, or after an answer changed from the review: ``to_review``)
    every question that applies and still wants an answer is asked: one that a changed
    answer made relevant again, one never offered, one whose answer cannot be sent."""
    form = form_of(ctx)
    answers = ctx.data["answers"]
    calculate(form, answers, engine.relevant_questions(form, answers))
    question = None if ctx.data.get("to_review") else engine.next_question(form, answers, after)
    if question is None:
        _prune(ctx, form)
        question = validation.pending(form, answers)
        if question is None:
            ctx.data.pop("to_review", None)
            ctx.goto("review")
        else:
            ctx.data["to_review"] = True
    if question is not None:
        ctx.goto(f"q:{question.id}")
    await prompt(ctx)


def _prune(ctx: Context, form: Form) -> None:
    """Answers to questions that no longer apply (a condition changed) are dropped."""
    keep = {q.id for q in engine.relevant_questions(form, ctx.data["answers"])}
    answers = ctx.data["answers"]
    for qid in [k for k in answers if k not in keep]:
        del answers[qid]


async def answer(ctx: Context, question: Question) -> None:
    """Buttons carry the value itself; anything else goes through the question's reader,
    which may accept it, ask for more (photos), ask to confirm a guess, or refuse it."""
    inbound = ctx.inbound
    answers = ctx.data["answers"]
    if inbound.kind is InboundKind.BUTTON:
        payload = inbound.payload or ""
        if payload.startswith("c:"):
            return await store(ctx, question, payload[2:])
        if payload.startswith("y:"):
            return await store(ctx, question, payload == "y:1")
        if payload.startswith("m:"):
            picked = list(ctx.data.get("picked", []))
            key = payload[2:]
            picked.remove(key) if key in picked else picked.append(key)
            ctx.data["picked"] = picked
            ask(ctx, question)
            return None
        if payload == DONE:
            return await _done(ctx, question)
        if payload == DEFAULT and question.default is not None:
            # As if typed: read and held to the constraint like any answer.
            inbound = inbound.model_copy(
                update={"kind": InboundKind.TEXT, "text": question.default}
            )
    current = answers.get(question.id) if question.type is QuestionType.PHOTO else None
    reading = engine.read_answer(
        question,
        inbound,
        today=today(ctx),
        current=current,
        language=ctx.user.language,
        answers=answers,
        form=form_of(ctx),
    )
    if isinstance(reading, Ok):
        return await store(ctx, question, reading.value)
    if isinstance(reading, engine.NeedsMore):
        answers[question.id] = reading.value
        ctx.reply(
            ctx.t("Photo {n} received. Send another, or press “Done”.", n=len(reading.value)),
            buttons=[[Button(label=ctx.t("Done"), payload=DONE)]],
        )
        return None
    if isinstance(reading, NeedsConfirmation):
        shown = [engine.show_answer(question, reading.value, ctx.tr)]
        values = [reading.value]
        if reading.alternative is not None:
            shown.append(engine.show_answer(question, reading.alternative, ctx.tr))
            values.append(reading.alternative)
        ctx.data["pending"] = {
            "values": values,
            "shown": shown,
            "message": reading.message,
            "params": reading.params,
        }
        ctx.goto(f"confirm:{question.id}")
        await prompt(ctx)
        return None
    if isinstance(reading, Ambiguous):
        lang = ctx.user.language
        options = [o for o in question.options if o.key in reading.keys]
        ctx.reply(
            ctx.t("Several options fit. Which one?"),
            buttons=[[Button(label=o.label(lang), payload=f"c:{o.key}")] for o in options],
        )
        return None
    assert isinstance(reading, Rejected)
    ctx.reply(ctx.t(reading.message, **reading.params))
    return None


async def _done(ctx: Context, question: Question) -> None:
    """“Done” closes the questions that collect several things (options, photos)."""
    answers = ctx.data["answers"]
    required = engine.is_required(question, answers, form_of(ctx))
    if question.type is QuestionType.MULTI_CHOICE:
        picked = [o.key for o in question.options if o.key in ctx.data.get("picked", [])]
        if not picked and required:
            ctx.reply(ctx.t("Please choose at least one option."))
            return
        await store(ctx, question, picked)
        return
    if question.type is QuestionType.PHOTO:
        photos = answers.get(question.id) or []
        if not photos and required:
            ctx.reply(ctx.t("Please send at least one photo."))
            return
        await store(ctx, question, photos or None)
        return
    ctx.reply(ctx.t("That choice is no longer valid."))


async def store(ctx: Context, question: Question, value: Any) -> None:
    """Keep the answer, remember it for /quaylai (once, as the latest), show what it
    contradicts (the form file's checks that read it), and move on."""
    ctx.data["answers"][question.id] = value
    ctx.data.pop("picked", None)
    ctx.data.pop("pending", None)
    history = ctx.data["history"]
    if question.id in history:
        history.remove(question.id)
    history.append(question.id)
    await go_on(ctx, question.id)


async def go_on(ctx: Context, question_id: str) -> None:
    """After an answer (or a warning confirmed about it): the next contradiction it raises,
    or the next question."""
    found = await checks.contradictions(ctx, form_of(ctx), involving=question_id)
    if found:
        await checks.show(ctx, found[0], then="advance", question=question_id)
        return
    await advance(ctx, after=question_id)


async def confirm(ctx: Context, question_id: str) -> None:
    """A button takes the reading offered; anything else is a fresh answer to the same
    question."""
    question = form_of(ctx).question(question_id)
    pending = ctx.data.get("pending") or {}
    payload = ctx.inbound.payload or "" if ctx.inbound.kind is InboundKind.BUTTON else ""
    values = pending.get("values", [])
    index = number_in(payload[2:], 0, len(values) - 1) if payload.startswith("v:") else None
    if index is not None:
        await store(ctx, question, values[index])
        return
    said = _yes_or_no(ctx)
    if said is True and len(values) == 1:  # "Ghi 2 có đúng không?" — "có"
        await store(ctx, question, values[0])
        return
    if said is True:  # "1,5 tấn hay 15 tấn?" — "có" does not say which
        ctx.reply(ctx.t("Please press the button with the right number, or type it again."))
        await prompt(ctx)
        return
    ctx.data.pop("pending", None)
    ctx.goto(f"q:{question_id}")
    if said is False:  # nothing stored: the question is asked afresh
        ctx.reply(ctx.t("Please type the right number."))
        return
    await answer(ctx, question)


def _yes_or_no(ctx: Context) -> bool | None:
    """A typed yes or no to a confirmation (the yes/no reader's words), or None. Digits are
    never one here: "0" or "1" typed at "Ghi 2 có đúng không?" is a fresh answer."""
    text = (ctx.inbound.text or "") if ctx.inbound.kind is InboundKind.TEXT else ""
    if not text.strip() or any(ch.isdigit() for ch in text):
        return None
    reading = read_yes_no(text)
    return reading.value if isinstance(reading, Ok) else None


async def back(ctx: Context) -> None:
    """Return to the question answered last; its answer stays until it is replaced.

    At a confirmation ("1,5 tấn hay 15 tấn?") or a contradiction, "back" is the question
    just answered: its answer is typed again, nothing before it is touched."""
    assert ctx.state is not None
    form = form_of(ctx)
    history: list[str] = ctx.data["history"]
    step = ctx.state.step
    if step.startswith("confirm:"):
        ctx.data.pop("pending", None)
        ctx.goto(f"q:{step.split(':', 1)[1]}")
        ask(ctx, form.question(step.split(":", 1)[1]))
        return
    if step.startswith("check:"):
        raised = ctx.data.pop("check", None) or {}
        answered = raised.get("question")
        if answered is not None and answered in {q.id for q in form.questions}:
            ctx.data["to_review"] = True
            ctx.goto(f"q:{answered}")
            ask(ctx, form.question(answered))
            return
    current = step.split(":", 1)[1] if ":" in step else None
    if current in history:
        history.remove(current)
    if not history:
        ctx.reply(ctx.t("This is the first question."))
        await prompt(ctx)
        return
    previous = history.pop()
    ctx.data.pop("to_review", None)
    ctx.data.pop("picked", None)
    ctx.goto(f"q:{previous}")
    ask(ctx, form.question(previous))


async def skip(ctx: Context) -> None:
    """Skipping stores an explicit no-answer, so the form moves on as after any answer and
    /quaylai can return to the question."""
    assert ctx.state is not None
    step = ctx.state.step
    if not step.startswith(("q:", "confirm:")):
        ctx.reply(ctx.t("There is no question to skip here."))
        return
    form = form_of(ctx)
    question = form.question(step.split(":", 1)[1])
    if engine.is_required(question, ctx.data["answers"], form):
        said = question.required_message  # an imported form's own words
        ctx.reply(
            said(ctx.user.language)
            if said
            else ctx.t("This question is required; it cannot be skipped.")
        )
        ask(ctx, question)
        return
    await store(ctx, question, None)
