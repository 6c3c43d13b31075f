"""Filling a form in chat: one question at a time, every answer saved as it is given.

State (in the conversation, committed after every message):
``form``, ``period``, ``answers``, ``history`` (questions answered, for /quaylai), ``step``
(``q:<id>``, ``confirm:<id>``, ``review``, ``pick``, ``conflict``), ``base`` (the revision
of the shared report this draft started from: 0 for a new one) and ``to_review`` (a question
changed from the review returns there).

Two officers of one commune may fill the same report at once: the second to submit is shown
that the first did, and chooses; nothing is overwritten silently, and every submitted
revision is kept.
"""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

from bot.i18n import Translator
from bot.messages import Button, InboundKind, Outbound
from forms import engine
from forms.periods import PeriodKind, parse_period
from forms.readers import Ambiguous, NeedsConfirmation, Ok, Rejected
from forms.registry import FORMS, install_forms
from forms.schema import Form, Question, QuestionType
from handlers.context import Context
from handlers.registry import COMMANDS, FLOWS, action, command, flow
from scheduler.filing import filing_period
from storage.models import Role, Submission, UserStatus
from storage.scope import scope_of

NAME = "form"
DONE = "done"


# -- starting ---------------------------------------------------------------------------------


def scope_key(form: Form, ctx: Context) -> str:
    if form.shared_by == "commune":
        return f"commune:{ctx.user.commune_code}"
    if form.shared_by == "user":
        return f"user:{ctx.user.id}"
    return f"own:{ctx.user.id}:{uuid.uuid4().hex[:12]}"


async def may_fill(ctx: Context, form: Form) -> bool:
    """Only the form's audience, approved, fills it; say why not otherwise."""
    user, t = ctx.user, ctx.t
    if not user.is_registered:
        ctx.reply(t("Please register first: type /start."))
        return False
    if form.audience == "officer":
        if user.role != Role.OFFICER:
            ctx.reply(t("Only commune officers send this report."))
            return False
        if user.status != UserStatus.ACTIVE:
            ctx.reply(
                t(
                    "Your registration as a commune officer is waiting for an admin's "
                    "approval. You will get a message when it is approved."
                )
            )
            return False
    if form.audience == "producer":
        if user.role != Role.PRODUCER or user.status != UserStatus.ACTIVE:
            ctx.reply(t("Only registered producers send this form."))
            return False
        if form.requires_product and not await ctx.stores.products.of_user(user.id):
            ctx.reply(
                t(
                    "This report is for producers with a registered product. Register "
                    "your product idea first with /dangky."
                )
            )
            return False
    return True


async def start_form(ctx: Context, form: Form) -> None:
    if not await may_fill(ctx, form):
        return
    if (
        ctx.in_conversation
        and ctx.state is not None
        and ctx.state.flow == NAME
        and ctx.data.get("form") == form.id
    ):
        ctx.reply(ctx.t("You have this form in progress; let us continue."))
        await FORM_FLOW.prompt(ctx)
        return
    period = await filing_period(
        ctx.stores.submissions,
        form.id,
        form.period,
        ctx.now.astimezone(ctx.config.zone).date(),
        province_code=ctx.user.province_code,
        scope_key=scope_key(form, ctx),
    )
    data: dict[str, Any] = {
        "form": form.id,
        "period": period.key,
        "answers": {},
        "history": [],
        "base": 0,
    }
    title = form.title(ctx.user.language)
    label = period.label(ctx.user.language)
    heading = f"{title} — {label}" if label else title
    if form.shared_by != "none":
        existing = await ctx.stores.submissions.find(form.id, period.key, scope_key(form, ctx))
        if existing is not None:
            await open_submission(ctx, form, existing)
            return
    ctx.begin(NAME, "start", data)
    total = len(engine.applicable(form, {}))
    ctx.reply(
        ctx.t(
            "{title}: {count} questions. Your answers are saved as you go. /quaylai "
            "goes back, /boqua skips a question that is not required, /huy cancels.",
            title=heading,
            count=total,
        )
    )
    await FORM_FLOW.advance(ctx, after=None)


async def open_submission(ctx: Context, form: Form, existing: Submission) -> None:
    """Revise a sent report: its answers become the draft, starting at the review."""
    period = parse_period(existing.period)
    label = period.label(ctx.user.language) if period else existing.period
    heading = (
        f"{form.title(ctx.user.language)} — {label}" if label else form.title(ctx.user.language)
    )
    data: dict[str, Any] = {
        "form": form.id,
        "period": existing.period,
        "answers": dict(existing.answers),
        "history": [],
        "base": existing.revision,
        "submission": existing.id,
    }
    ctx.begin(NAME, "review", data)
    who = await ctx.stores.users.get(existing.updated_by or 0)
    ctx.reply(
        ctx.t(
            "{title} was already sent (receipt {receipt}, version {revision}, by {name} "
            "at {time}). You can change it and send it again.",
            title=heading,
            receipt=existing.receipt,
            revision=existing.revision,
            name=who.full_name if who else "?",
            time=ctx.tr.datetime(existing.updated_at.astimezone(ctx.config.zone)),
        )
    )
    if existing.review_status == "needs_fix" and existing.review_comment:
        ctx.reply(ctx.t("An admin asked for changes: {comment}", comment=existing.review_comment))
    await FORM_FLOW.prompt(ctx)


def _register_form_commands(form: Form) -> None:
    async def starter(ctx: Context, _argument: str) -> None:
        await start_form(ctx, form)

    for name in form.commands:
        COMMANDS[name] = starter


def install(folder: Path | None = None) -> None:
    """Load the forms (start-up) and make their commands (/baocao, /dangky, ...) work."""
    install_forms(folder, _register_form_commands)


# -- the flow ---------------------------------------------------------------------------------


class FormFlow:
    name = NAME

    def form(self, ctx: Context) -> Form:
        return FORMS[ctx.data["form"]]

    # questions ----------------------------------------------------------------------------

    async def prompt(self, ctx: Context) -> None:
        assert ctx.state is not None
        step = ctx.state.step
        form = self.form(ctx)
        if step.startswith("q:"):
            self._ask(ctx, form.question(step[2:]))
        elif step.startswith("confirm:"):
            pending = ctx.data["pending"]
            question_text = pending["message"]  # a reader's msgid, translated here
            ctx.reply(
                ctx.t(question_text, **pending["params"]),
                buttons=[
                    [Button(label=v, payload=f"v:{i}") for i, v in enumerate(pending["shown"])]
                ],
            )
        elif step == "review":
            self._review(ctx, form)
        elif step == "pick":
            total = len(engine.applicable(form, ctx.data["answers"]))
            ctx.reply(ctx.t("Type the number of the question to change (1–{total}).", total=total))
        elif step == "conflict":
            self._conflict_prompt(ctx)

    def _ask(self, ctx: Context, question: Question) -> None:
        form, lang, t = self.form(ctx), ctx.user.language, ctx.t
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
            buttons = [
                [Button(label=o.label(lang), payload=f"c:{o.key}")] for o in question.options
            ]
        elif question.type is QuestionType.YES_NO:
            buttons = [
                [Button(label=t("Yes"), payload="y:1"), Button(label=t("No"), payload="y:0")]
            ]
        elif question.type is QuestionType.MULTI_CHOICE:
            chosen = ctx.data.get("picked", [])
            lines.append(
                t(
                    "Press the options that apply, then “Done”; or type their numbers, "
                    "for example 1, 3."
                )
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

    async def advance(self, ctx: Context, *, after: str | None) -> None:
        """Ask the next applicable question, or show the review when none is left."""
        form = self.form(ctx)
        if ctx.data.pop("to_review", False):
            self._prune(ctx, form)
            ctx.goto("review")
            await self.prompt(ctx)
            return
        question = engine.next_question(form, ctx.data["answers"], after)
        if question is None:
            self._prune(ctx, form)
            ctx.goto("review")
        else:
            ctx.goto(f"q:{question.id}")
        await self.prompt(ctx)

    def _prune(self, ctx: Context, form: Form) -> None:
        """Answers to questions that no longer apply (a condition changed) are dropped."""
        keep = {q.id for q in engine.applicable(form, ctx.data["answers"])}
        answers = ctx.data["answers"]
        for qid in [k for k in answers if k not in keep]:
            del answers[qid]

    # answers ------------------------------------------------------------------------------

    async def handle(self, ctx: Context) -> None:
        assert ctx.state is not None
        step = ctx.state.step
        if step.startswith("q:"):
            await self._answer(ctx, self.form(ctx).question(step[2:]))
        elif step.startswith("confirm:"):
            await self._confirm(ctx, step.split(":", 1)[1])
        elif step == "review":
            await self._on_review(ctx)
        elif step == "pick":
            await self._on_pick(ctx)
        elif step == "conflict":
            await self._on_conflict(ctx)

    async def _answer(self, ctx: Context, question: Question) -> None:
        inbound = ctx.inbound
        answers = ctx.data["answers"]
        if inbound.kind is InboundKind.BUTTON:
            payload = inbound.payload or ""
            if payload.startswith("c:"):
                return await self._store(ctx, question, payload[2:])
            if payload.startswith("y:"):
                return await self._store(ctx, question, payload == "y:1")
            if payload.startswith("m:"):
                picked = list(ctx.data.get("picked", []))
                key = payload[2:]
                picked.remove(key) if key in picked else picked.append(key)
                ctx.data["picked"] = picked
                self._ask(ctx, question)
                return None
            if payload == DONE:
                return await self._done(ctx, question)
        current = answers.get(question.id) if question.type is QuestionType.PHOTO else None
        reading = engine.read_answer(question, inbound, today=self._today(ctx), current=current)
        if isinstance(reading, Ok):
            return await self._store(ctx, question, reading.value)
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
            await self.prompt(ctx)
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

    async def _done(self, ctx: Context, question: Question) -> None:
        answers = ctx.data["answers"]
        if question.type is QuestionType.MULTI_CHOICE:
            picked = [o.key for o in question.options if o.key in ctx.data.get("picked", [])]
            if not picked and question.required:
                ctx.reply(ctx.t("Please choose at least one option."))
                return
            await self._store(ctx, question, picked)
            return
        if question.type is QuestionType.PHOTO:
            photos = answers.get(question.id) or []
            if not photos and question.required:
                ctx.reply(ctx.t("Please send at least one photo."))
                return
            await self._store(ctx, question, photos or None)
            return
        ctx.reply(ctx.t("That button is no longer valid."))

    async def _store(self, ctx: Context, question: Question, value: Any) -> None:
        ctx.data["answers"][question.id] = value
        ctx.data.pop("picked", None)
        ctx.data.pop("pending", None)
        history = ctx.data["history"]
        if question.id in history:
            history.remove(question.id)
        history.append(question.id)
        await self.advance(ctx, after=question.id)

    async def _confirm(self, ctx: Context, question_id: str) -> None:
        question = self.form(ctx).question(question_id)
        pending = ctx.data.get("pending") or {}
        payload = ctx.inbound.payload or "" if ctx.inbound.kind is InboundKind.BUTTON else ""
        if (
            payload.startswith("v:")
            and payload[2:].isdigit()
            and int(payload[2:]) < len(pending.get("values", []))
        ):
            await self._store(ctx, question, pending["values"][int(payload[2:])])
            return
        # Anything else is a fresh answer to the same question.
        ctx.data.pop("pending", None)
        ctx.goto(f"q:{question_id}")
        await self._answer(ctx, question)

    # navigation ---------------------------------------------------------------------------

    async def back(self, ctx: Context) -> None:
        assert ctx.state is not None
        form = self.form(ctx)
        history: list[str] = ctx.data["history"]
        step = ctx.state.step
        current = step.split(":", 1)[1] if ":" in step else None
        if current in history:
            history.remove(current)
        if not history:
            ctx.reply(ctx.t("This is the first question."))
            await self.prompt(ctx)
            return
        previous = history.pop()
        ctx.data.pop("to_review", None)
        ctx.data.pop("picked", None)
        ctx.goto(f"q:{previous}")
        self._ask(ctx, form.question(previous))

    async def skip(self, ctx: Context) -> None:
        assert ctx.state is not None
        step = ctx.state.step
        if not step.startswith(("q:", "confirm:")):
            ctx.reply(ctx.t("There is no question to skip here."))
            return
        question = self.form(ctx).question(step.split(":", 1)[1])
        if question.required:
            ctx.reply(ctx.t("This question is required; it cannot be skipped."))
            self._ask(ctx, question)
            return
        await self._store(ctx, question, None)

    # review and submit --------------------------------------------------------------------

    def _review(self, ctx: Context, form: Form) -> None:
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

    async def _on_review(self, ctx: Context) -> None:
        payload = ctx.inbound.payload if ctx.inbound.kind is InboundKind.BUTTON else None
        if payload == "send":
            await self._submit(ctx)
        elif payload == "change":
            ctx.goto("pick")
            await self.prompt(ctx)
        else:
            ctx.reply(ctx.t("Please press “Send”, or “Change an answer”."))
            await self.prompt(ctx)

    async def _on_pick(self, ctx: Context) -> None:
        form = self.form(ctx)
        questions = engine.applicable(form, ctx.data["answers"])
        text = (ctx.inbound.text or "").strip() if ctx.inbound.kind is InboundKind.TEXT else ""
        if not text.isdigit() or not 1 <= int(text) <= len(questions):
            ctx.reply(ctx.t("Please type a number from 1 to {total}.", total=len(questions)))
            return
        question = questions[int(text) - 1]
        ctx.data["to_review"] = True
        if question.type is QuestionType.MULTI_CHOICE:
            ctx.data["picked"] = list(ctx.data["answers"].get(question.id) or [])
        ctx.goto(f"q:{question.id}")
        self._ask(ctx, question)

    async def _submit(self, ctx: Context, *, force: bool = False) -> None:
        form, data = self.form(ctx), ctx.data
        today = self._today(ctx)
        if form.period is not PeriodKind.NONE and ctx.config.is_locked(
            form.id, data["period"], today, ctx.user.province_code
        ):
            period = parse_period(data["period"])
            ctx.reply(
                ctx.t(
                    "The period {period} is closed: reports for it can no longer be "
                    "sent or changed. Your answers are kept; contact your province's "
                    "OCOP office if this report is still needed.",
                    period=period.label(ctx.user.language) if period else data["period"],
                )
            )
            return
        submissions = ctx.stores.submissions
        answers = dict(data["answers"])
        existing: Submission | None = None
        if form.shared_by != "none":
            existing = await submissions.find(
                form.id, data["period"], scope_key(form, ctx), lock=True
            )
        if existing is not None and existing.revision != data["base"] and not force:
            data["theirs"] = {
                "revision": existing.revision,
                "by": existing.updated_by,
                "answers": existing.answers,
                "at": existing.updated_at.isoformat(),
            }
            ctx.goto("conflict")
            await self.prompt(ctx)
            return
        if existing is None:
            submission = await submissions.create(
                form_id=form.id,
                period=data["period"],
                scope_key=scope_key(form, ctx),
                receipt_prefix=form.receipt_prefix,
                user=ctx.user,
                answers=answers,
                now=ctx.now,
            )
        else:
            submission = await submissions.revise(
                existing, user=ctx.user, answers=answers, now=ctx.now
            )
        ctx.stores.audit.record(
            ctx.user.id,
            "submitted",
            form=form.id,
            period=data["period"],
            submission=submission.id,
            revision=submission.revision,
        )
        ctx.finish()
        if submission.revision == 1:
            ctx.reply(
                ctx.t(
                    "Sent. Thank you! Your receipt number is {receipt}.", receipt=submission.receipt
                ),
                remove_keyboard=True,
            )
        else:
            ctx.reply(
                ctx.t(
                    "Sent. Thank you! Receipt {receipt}, version {revision}; the "
                    "earlier versions are kept.",
                    receipt=submission.receipt,
                    revision=submission.revision,
                ),
                remove_keyboard=True,
            )
        if form.period is PeriodKind.NONE:
            await self._new_idea(ctx, form, submission)

    async def _new_idea(self, ctx: Context, form: Form, submission: Submission) -> None:
        """A registered idea becomes a product to follow along the OCOP cycle, and the
        officers of the producer's commune hear of it."""
        answers = submission.answers
        product = await ctx.stores.products.add_idea(
            submission,
            user=ctx.user,
            name=str(answers.get("product_name") or "?"),
            producer_name=answers.get("producer_name"),
            group=answers.get("product_group"),
        )
        ctx.reply(ctx.t("You can follow its progress with /trangthai."))
        officers = await ctx.stores.users.officers_of_commune(ctx.user.commune_code or 0)

        def compose(tr: Translator) -> Outbound:
            return Outbound(
                text=tr.t(
                    "New product idea in your commune: “{product}” from {producer} ({phone}). "
                    "Receipt {receipt}.",
                    product=product.name,
                    producer=product.producer_name or ctx.user.full_name or "?",
                    phone=ctx.user.phone or "?",
                    receipt=submission.receipt,
                )
            )

        for officer in officers:
            ctx.notify(officer, compose)

    def _conflict_prompt(self, ctx: Context) -> None:
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

    async def _on_conflict(self, ctx: Context) -> None:
        payload = ctx.inbound.payload if ctx.inbound.kind is InboundKind.BUTTON else None
        theirs = ctx.data["theirs"]
        form = self.form(ctx)
        if payload == "theirs":
            lang = ctx.user.language
            lines = [ctx.t("Their answers (version {revision}):", revision=theirs["revision"])]
            for number, question in enumerate(engine.applicable(form, theirs["answers"]), 1):
                value = theirs["answers"].get(question.id)
                mine = ctx.data["answers"].get(question.id)
                mark = "" if value == mine else " ≠"
                lines.append(
                    f"{number}. {question.label(lang)}: "
                    f"{engine.show_answer(question, value, ctx.tr)}{mark}"
                )
            ctx.reply("\n".join(lines))
            self._conflict_prompt(ctx)
        elif payload == "mine":
            ctx.data["base"] = theirs["revision"]
            ctx.data.pop("theirs", None)
            await self._submit(ctx)
        elif payload == "adopt":
            ctx.data.update(answers=dict(theirs["answers"]), base=theirs["revision"])
            ctx.data.pop("theirs", None)
            ctx.goto("review")
            await self.prompt(ctx)
        else:
            ctx.reply(ctx.t("Please press one of the buttons, or type its number."))
            self._conflict_prompt(ctx)

    def _today(self, ctx: Context):  # type: ignore[no-untyped-def]
        return ctx.now.astimezone(ctx.config.zone).date()


FORM_FLOW = FormFlow()
flow(FORM_FLOW)


def _in_form(ctx: Context) -> bool:
    return ctx.in_conversation and ctx.state is not None and ctx.state.flow == NAME


@action("form")
async def open_form(ctx: Context, form_id: str) -> None:
    """A button that starts or resumes a form (reminders, an admin's "please fix" note)."""
    form = FORMS.get(form_id)
    if form is None:
        ctx.reply(ctx.t("That button is no longer valid."))
        return
    await start_form(ctx, form)


@action("fix")
async def fix_submission(ctx: Context, argument: str) -> None:
    """The button on an admin's "needs fixing" note: reopen that very report."""
    submission = (
        await ctx.stores.progress.get(int(argument), scope_of(ctx.user))
        if argument.isdigit()
        else None
    )
    form = FORMS.get(submission.form_id) if submission else None
    if submission is None or form is None or not await may_fill(ctx, form):
        if submission is None or form is None:
            ctx.reply(ctx.t("That button is no longer valid."))
        return
    await open_submission(ctx, form, submission)


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
