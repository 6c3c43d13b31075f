"""An admin reads a report (``/xem RECEIPT``) and marks it "cần bổ sung" (needs fixing) with a
comment, or accepted. The officer gets the comment and a button that reopens the report."""

from __future__ import annotations

from bot.i18n import Translator
from bot.messages import Button, Outbound
from bot.render import display_name, review_label
from forms import engine
from forms.periods import parse_period
from forms.readers import Rejected, read_text
from forms.registry import FORMS
from handlers.access import ADMIN_GUARD, refuse_non_admin, scope
from handlers.arguments import record_id
from handlers.context import Context
from handlers.product_cycle import is_idea_form, is_idea_receipt, show_idea, show_idea_of_submission
from handlers.registry import action, command, flow
from storage.models import ReviewStatus
from storage.receipts import receipt_key

NAME = "review"


@command("xem", "view")
async def view(ctx: Context, argument: str) -> None:
    if is_idea_receipt(argument):  # a product idea: its OCOP cycle (handlers/product_cycle.py)
        await show_idea(ctx, argument)
        return
    if refuse_non_admin(ctx, "view"):
        return
    if not argument.strip():
        ctx.reply(ctx.t("Type /xem and the receipt number, for example /xem BCX-000001."))
        return
    submission = await ctx.stores.progress.by_receipt(argument, scope(ctx))
    form = FORMS.get(submission.form_id) if submission else None
    if submission is None or form is None:
        ctx.reply(
            ctx.t(
                "No report with receipt {receipt} in your area.", receipt=receipt_key(argument)[:30]
            )
        )
        return
    lang, t = ctx.user.language, ctx.t
    period = parse_period(submission.period)
    commune = await ctx.stores.places.commune(submission.commune_code or 0)
    author = await ctx.stores.users.get(submission.updated_by or 0)
    lines = [
        f"{form.title(lang)} — {period.label(lang) if period else ''}".rstrip(" —"),
        t(
            "Receipt {receipt}, version {revision}; {place}; sent by {name} at {time}.",
            receipt=submission.receipt,
            revision=submission.revision,
            place=commune.name if commune else "—",
            name=display_name(author.full_name or "") if author else "?",
            time=ctx.tr.datetime(submission.updated_at.astimezone(ctx.config.zone)),
        ),
        t(
            "Review: {status}",
            status=review_label(ctx.tr, submission.review_status),
        ),
    ]
    for number, question in enumerate(engine.numbered(form, submission.answers), 1):
        value = submission.answers.get(question.id)
        lines.append(
            f"{number}. {question.label(lang)}: {engine.show_answer(question, value, ctx.tr)}"
        )
    ctx.reply(
        "\n".join(lines),
        buttons=[
            [
                Button(label=t("Needs fixing"), payload=f"@review:fix:{submission.id}"),
                Button(label=t("Accept"), payload=f"@review:ok:{submission.id}"),
            ]
        ],
    )


@action("review")
async def review(ctx: Context, argument: str) -> None:
    if refuse_non_admin(ctx, "review"):
        return
    verdict, _, raw_id = argument.partition(":")
    submission_id = record_id(raw_id)
    submission = await ctx.stores.progress.get(submission_id, scope(ctx)) if submission_id else None
    if submission is None or verdict not in ("fix", "ok"):
        ctx.reply(ctx.t("That choice is no longer valid."))
        return
    if is_idea_form(submission.form_id):  # an idea moves along the OCOP cycle instead
        await show_idea_of_submission(ctx, submission)
        return
    if verdict == "ok":
        submission.review_status = ReviewStatus.ACCEPTED
        submission.review_comment = None
        submission.reviewed_by, submission.reviewed_at = ctx.user.id, ctx.now
        ctx.stores.audit.record(ctx.user.id, "review_accepted", submission=submission.id)
        ctx.reply(ctx.t("Marked as accepted: {receipt}.", receipt=submission.receipt))
        return
    ctx.clear_offer()
    ctx.begin(NAME, "comment", {"submission": submission.id})
    await REVIEW_FLOW.prompt(ctx)


class ReviewComment:
    name = NAME
    guard = ADMIN_GUARD

    async def prompt(self, ctx: Context) -> None:
        ctx.reply(ctx.t("What must be fixed? Type a comment for the officer (or /huy)."))

    async def handle(self, ctx: Context) -> None:
        reading = read_text(ctx.inbound.text or "", min_length=3, max_length=1000)
        if isinstance(reading, Rejected):
            ctx.reply(ctx.t(reading.message, **reading.params))
            return
        submission = await ctx.stores.progress.get(ctx.data["submission"], scope(ctx))
        ctx.finish()
        if submission is None:
            ctx.reply(ctx.t("That choice is no longer valid."))
            return
        comment = reading.value
        submission.review_status = ReviewStatus.NEEDS_FIX
        submission.review_comment = comment
        submission.reviewed_by, submission.reviewed_at = ctx.user.id, ctx.now
        ctx.stores.audit.record(ctx.user.id, "review_needs_fix", submission=submission.id)
        author = await ctx.stores.users.get(submission.updated_by or submission.user_id or 0)
        form = FORMS[submission.form_id]
        period = parse_period(submission.period)

        def compose(tr: Translator) -> Outbound:
            title = form.title(tr.language)
            if period is not None:  # as the form heads its questions: "… — quý 2/2024"
                title = f"{title} — {period.label(tr.language)}"
            return Outbound(
                text=tr.t(
                    "Your report “{title}” (receipt {receipt}) needs fixing: {comment}",
                    title=title,
                    receipt=submission.receipt,
                    comment=comment,
                ),
                buttons=[[Button(label=tr.t("Fix the report"), payload=f"@fix:{submission.id}")]],
            )

        if author is not None:
            ctx.notify(author, compose)
        ctx.reply(
            ctx.t(
                "Sent back for fixing: {receipt}. {name} was told.",
                receipt=submission.receipt,
                name=display_name(author.full_name or "") if author else "?",
            )
        )


REVIEW_FLOW = ReviewComment()
flow(REVIEW_FLOW)
