"""Sending a form: the period lock, the check against another officer's newer version, the
receipt, and what a registered product idea sets going.

An existing shared report is read with a row lock, so no newer revision can slip in between
the check and the write: an officer who started from an older one is asked, and never
overwrites it.
"""

from __future__ import annotations

from bot.i18n import Translator
from bot.messages import Outbound
from forms.periods import PeriodKind, parse_period
from forms.schema import Form
from handlers.context import Context
from handlers.forms.draft import form_of, scope_key, today
from handlers.forms.prompts import prompt
from storage.models import Submission


async def submit(ctx: Context, *, force: bool = False) -> None:
    """Send the draft; a newer version sent meanwhile turns the step into ``conflict``."""
    form, data = form_of(ctx), ctx.data
    if form.period is not PeriodKind.NONE and ctx.config.is_locked(
        form.id, data["period"], today(ctx), ctx.user.province_code
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
    )
    ctx.finish()
    if submission.revision == 1:
        ctx.reply(
            ctx.t("Sent. Thank you! Your receipt number is {receipt}.", receipt=submission.receipt),
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
        await _new_idea(ctx, form, submission)


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
                producer=product.producer_name or ctx.user.full_name or "?",
                phone=ctx.user.phone or "?",
                receipt=submission.receipt,
            )
        )

    for officer in officers:
        ctx.notify(officer, compose)
