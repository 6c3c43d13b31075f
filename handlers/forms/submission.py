"""Sending a form: the period lock, every answer and check validated again, the check against
another officer's newer version, the receipt, who is told, and what a registered product idea
sets going.

Nothing is filed on the strength of the earlier steps: the answers are validated again here
(required, bounds, conditions, readable), the form file's checks run again, and a refusal
lists what is missing or wrong before leading to the first of it.

An existing shared report is read with a row lock, so no newer revision can slip in between
the check and the write: an officer who started from an older one is asked, and never
overwrites it.
"""

from __future__ import annotations

from bot.i18n import Translator
from bot.messages import Button, Outbound
from bot.render import display_name, display_phone
from forms import engine, validation
from forms.periods import PeriodKind, parse_period
from forms.schema import Form
from forms.validation import Problem, Violation
from handlers.calendar_now import period_locked
from handlers.context import Context
from handlers.forms import checks
from handlers.forms.draft import form_of, scope_key, today
from handlers.forms.prompts import ask, prompt
from handlers.forms.wording import check_sentence, report_of
from handlers.registry import FLOWS
from storage.models import Product, ReviewStatus, Role, Submission, User, UserStatus


async def _refused(ctx: Context, form: Form) -> list[str] | None:
    """Validate the draft as it would be filed; on a problem, say everything that is wrong
    and lead to the first of it (None). A warning not yet confirmed is asked (None).
    Otherwise: the warnings that hold and were confirmed, to keep with the filing."""
    answers = ctx.data["answers"]
    problems = validation.answer_problems(form, answers)
    every = validation.violations(form, answers, await checks.usual(ctx, form))
    found = checks.to_show(ctx, every)
    blocking = [v for v in found if v.check.level == "block"]
    if problems or blocking:
        ctx.reply(_refusal(ctx, form, problems, blocking))
        if problems:
            ctx.data["to_review"] = True
            ctx.goto(f"q:{problems[0].question.id}")
            ask(ctx, problems[0].question)
        else:
            await checks.show(ctx, blocking[0], then="advance", question=None)
        return None
    if found:
        await checks.show(ctx, found[0], then="submit", question=None)
        return None
    return [v.check.id for v in every]


def _refusal(ctx: Context, form: Form, problems: list[Problem], blocking: list[Violation]) -> str:
    lang, t = ctx.user.language, ctx.t
    numbers = {q.id: n for n, q in enumerate(engine.numbered(form, ctx.data["answers"]), 1)}
    lines = [t("This has not been sent yet. Please complete or correct:")]
    for problem in problems:
        question = problem.question
        lines.append(
            "• "
            + t(
                "question {n} ({label}): {problem}",
                n=numbers.get(question.id, "?"),
                label=question.label(lang),
                problem=t(
                    problem.message,
                    **{
                        key: engine.show_stored_number(v, ctx.tr.language)
                        for key, v in problem.params.items()
                    },
                ),
            )
        )
    for violation in blocking:
        numbers = {name: str(number) for name, number in violation.numbers.items()}
        sentence = check_sentence(
            form, violation.check, violation.sides.left, violation.sides.right, numbers, ctx.tr
        )
        lines.append("• " + sentence)
    return "\n".join(lines)


async def submit(ctx: Context, *, force: bool = False) -> None:
    """Send the draft; a newer version sent meanwhile turns the step into ``conflict``."""
    form, data = form_of(ctx), ctx.data
    if form.period is not PeriodKind.NONE and await period_locked(
        ctx, form.id, data["period"], today(ctx)
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
    keep = {q.id for q in engine.relevant_questions(form, data["answers"])}  # calculates too
    data["answers"] = {k: v for k, v in data["answers"].items() if k in keep}
    confirmed = await _refused(ctx, form)
    if confirmed is None:
        return
    submissions = ctx.stores.submissions
    answers = dict(data["answers"])
    existing: Submission | None = None
    if form.shared_by != "none":
        existing = await submissions.find(form.id, data["period"], scope_key(form, ctx), lock=True)
    if existing is not None and existing.revision != data["base"] and not force:
        data["theirs"] = {
            "revision": existing.revision,
            "by": existing.updated_by,
            "answers": existing.answers,
            "at": existing.updated_at.isoformat(),
        }
        ctx.goto("conflict")
        await prompt(ctx)
        return
    asked_by = (
        existing.reviewed_by
        if existing is not None and existing.review_status == ReviewStatus.NEEDS_FIX
        else None
    )
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
        submission = await submissions.revise(existing, user=ctx.user, answers=answers, now=ctx.now)
    ctx.stores.audit.record(
        ctx.user.id,
        "submitted",
        form=form.id,
        period=data["period"],
        submission=submission.id,
        revision=submission.revision,
        # Warnings the sender confirmed ("the numbers are right"), for whoever reads it later.
        confirmed=confirmed,
    )
    resumed = ctx.finish()
    commune = await ctx.stores.places.commune(submission.commune_code or 0)
    commune_name = commune.name if commune is not None else None
    what = report_of(form, submission.period, commune_name, ctx.tr)
    if submission.revision == 1:
        text = ctx.t(
            "Sent: the {report}, receipt {receipt}. Thank you!",
            report=what,
            receipt=submission.receipt,
        )
    else:
        text = ctx.t(
            "Sent: the {report}, receipt {receipt}, version {revision} (the earlier "
            "versions are kept). Thank you!",
            report=what,
            receipt=submission.receipt,
            revision=submission.revision,
        )
    ctx.reply(text, remove_keyboard=True)
    if asked_by is not None:
        await _tell_reviewer(ctx, form, submission, asked_by, commune_name)
    if form.period is PeriodKind.NONE and form.version is None:
        # A form file's registration; an imported form (a version) is only filed.
        await _new_idea(ctx, form, submission)
    if resumed is not None:
        # What the draft interrupted (a profile change) asks its question again: the next
        # message is meant for it.
        await FLOWS[resumed.flow].prompt(ctx)


async def _tell_reviewer(
    ctx: Context, form: Form, submission: Submission, reviewer_id: int, commune: str | None
) -> None:
    """The admin who sent the report back hears that it was fixed (in their language)."""
    reviewer: User | None = await ctx.stores.users.get(reviewer_id)
    if reviewer is None or reviewer.status != UserStatus.ACTIVE or reviewer.id == ctx.user.id:
        return
    name = display_name(ctx.user.full_name or "") or "?"

    def compose(tr: Translator) -> Outbound:
        return Outbound(
            text=tr.t(
                "{name} sent the {report} again after your request for changes: receipt "
                "{receipt}, version {revision}. See it with /xem {receipt}.",
                name=name,
                report=report_of(form, submission.period, commune, tr),
                receipt=submission.receipt,
                revision=submission.revision,
            )
        )

    ctx.notify(reviewer, compose)


async def _new_idea(ctx: Context, form: Form, submission: Submission) -> None:
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
                producer=product.producer_name or display_name(ctx.user.full_name or "") or "?",
                phone=display_phone(ctx.user.phone) if ctx.user.phone else "?",
                receipt=submission.receipt,
            ),
            # The officer reviews it from here: the same view as /xem YT-….
            buttons=[[Button(label=tr.t("Open the idea"), payload=f"@ocopview:{product.id}")]],
        )

    for officer in officers:
        ctx.notify(officer, compose)
    if not officers:
        await _idea_without_officer(ctx, product, submission.receipt)


async def _idea_without_officer(ctx: Context, product: Product, receipt: str | None) -> None:
    """A commune with no officer yet: its province's admins hear of the idea instead (the
    national admins when the province has none), so that it is not left unseen."""
    admins = await ctx.stores.users.admins_for_province(ctx.user.province_code)
    chosen = [a for a in admins if a.role == Role.PROVINCE_ADMIN] or list(admins)
    commune = await ctx.stores.places.commune(ctx.user.commune_code or 0)
    producer = product.producer_name or display_name(ctx.user.full_name or "") or "?"

    def compose(tr: Translator) -> Outbound:
        return Outbound(
            text=tr.t(
                "New product idea from {commune}, which has no commune officer yet: "
                "“{product}” from {producer}. Receipt {receipt}.",
                commune=commune.name if commune else "?",
                product=product.name,
                producer=producer,
                receipt=receipt or "?",
            ),
            buttons=[[Button(label=tr.t("Open the idea"), payload=f"@ocopview:{product.id}")]],
        )

    for admin in chosen:
        ctx.notify(admin, compose)
