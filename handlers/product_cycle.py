"""``/xem YT-…`` on a product idea: an officer of its commune or an admin of its area sees
where it stands in the OCOP cycle, what was registered and its history, and moves it on
with the buttons (numbered on messengers without buttons): under review, selected or not
(with a reason), more information asked of the producer, the council's evaluation, the
certificate.

``/xem`` with a report's receipt stays the admins' review (handlers/admin_review.py); an
idea's receipt is recognised by its form's prefix, so an officer reaches ideas only.
"""

from __future__ import annotations

from bot.render import display_name
from forms import engine
from forms.periods import PeriodKind
from forms.registry import FORMS
from handlers.arguments import record_id
from handlers.context import Context
from handlers.product_flow import NAME, PRODUCT_CYCLE, first_step
from handlers.product_steps import area, refuse, step_buttons, take_step
from handlers.product_texts import history_lines, standing
from handlers.registry import action
from storage.models import Product, ProductStatus, Submission
from storage.products_cycle import MIN_CERTIFIED_STARS, STATE_LABELS, may_move, state_label
from storage.receipts import receipt_key

S = ProductStatus
# Steps written as soon as they are pressed; the others ask first (product_flow.py).
AT_ONCE = frozenset({S.UNDER_REVIEW, S.SELECTED})


def is_idea_receipt(text: str) -> bool:
    """Whether ``text`` is the receipt of a form that registers products (``YT-000001``)."""
    prefix = receipt_key(text).partition("-")[0]
    return any(
        form.period is PeriodKind.NONE and form.receipt_prefix.upper() == prefix
        for form in FORMS.values()
    )


def is_idea_form(form_id: str) -> bool:
    form = FORMS.get(form_id)
    return form is not None and form.period is PeriodKind.NONE


async def show_idea(ctx: Context, receipt: str) -> None:
    """``/xem YT-…``: the idea in the person's area, or why not."""
    if refuse(ctx, "view_idea"):
        return
    found = await ctx.stores.products.by_receipt(receipt, area(ctx))
    if found is None:
        ctx.reply(
            ctx.t(
                "No product idea with receipt {receipt} in your area.",
                receipt=receipt_key(receipt)[:30],
            )
        )
        return
    await _show(ctx, *found)


async def show_idea_of_submission(ctx: Context, submission: Submission) -> None:
    """A review button on an idea (pressed on an older message): the idea's own view."""
    product = await ctx.stores.products.for_submission(submission.id)
    if product is None or await ctx.stores.products.get(product.id, area(ctx)) is None:
        ctx.reply(ctx.t("That choice is no longer valid."))
        return
    await _show(ctx, product, submission)


async def _show(ctx: Context, product: Product, submission: Submission) -> None:
    t, lang = ctx.t, ctx.user.language
    form = FORMS.get(submission.form_id)
    commune = await ctx.stores.places.commune(submission.commune_code or 0)
    author = await ctx.stores.users.get(submission.user_id or 0)
    lines = [
        form.title(lang) if form else submission.form_id,
        t(
            "Receipt {receipt}; {place}; sent by {name} at {time}.",
            receipt=submission.receipt,
            place=commune.name if commune else "—",
            name=display_name(author.full_name or "?") if author else "?",
            time=ctx.tr.datetime(submission.submitted_at.astimezone(ctx.config.zone)),
        ),
        t("OCOP cycle: {state}", state=standing(ctx.tr, product)),
    ]
    if form is not None:
        for number, question in enumerate(engine.applicable(form, submission.answers), 1):
            value = submission.answers.get(question.id)
            lines.append(
                f"{number}. {question.label(lang)}: {engine.show_answer(question, value, ctx.tr)}"
            )
    events = await ctx.stores.products.history(product.id)
    if events:
        who = await _names(ctx, {e.user_id for e in events if e.user_id is not None})
        lines.append(t("History:"))
        lines.extend(history_lines(ctx.tr, events, ctx.config.zone, who))
    buttons = step_buttons(ctx.tr, product)
    if buttons:
        lines.append(t("Choose the next step:"))
    ctx.reply("\n".join(lines), buttons=buttons)


async def _names(ctx: Context, user_ids: set[int]) -> dict[int, str]:
    names: dict[int, str] = {}
    for user_id in sorted(user_ids):
        user = await ctx.stores.users.get(user_id)
        if user is not None:
            names[user_id] = display_name(user.full_name or "?")
    return names


@action("ocopview")
async def view_product(ctx: Context, argument: str) -> None:
    """The button on "the producer sent the information": open the idea."""
    if refuse(ctx, "view_idea"):
        return
    product_id = record_id(argument)
    product = await ctx.stores.products.get(product_id, area(ctx)) if product_id else None
    submission = (
        await ctx.stores.progress.get(product.submission_id, area(ctx))
        if product is not None and product.submission_id
        else None
    )
    if product is None or submission is None:
        ctx.reply(ctx.t("That choice is no longer valid."))
        return
    await _show(ctx, product, submission)


@action("ocop")
async def step(ctx: Context, argument: str) -> None:
    """A next-step button: ``@ocop:<state>:<product id>``."""
    if refuse(ctx, "product_step"):
        return
    to, _, raw_id = argument.partition(":")
    product_id = record_id(raw_id)
    product = await ctx.stores.products.get(product_id, area(ctx)) if product_id else None
    if product is None or to not in STATE_LABELS:
        ctx.reply(ctx.t("That choice is no longer valid."))
        return
    if not may_move(product.status, to):
        ctx.reply(
            ctx.t(
                "“{product}” is now: {state}. That step does not apply any more; nothing "
                "was saved.",
                product=product.name,
                state=state_label(ctx.tr, product.status),
            ),
            buttons=step_buttons(ctx.tr, product),
        )
        return
    if to == S.CERTIFIED and (product.stars or 0) < MIN_CERTIFIED_STARS:
        ctx.reply(
            ctx.t(
                "“{product}” has no star ranking (a certificate needs at least 50 points): "
                "record a new evaluation first.",
                product=product.name,
            ),
            buttons=step_buttons(ctx.tr, product),
        )
        return
    ctx.clear_offer()
    if ctx.state is not None and ctx.state.flow == NAME:
        ctx.finish()  # another step pressed half-way through one: this one replaces it
    if to in AT_ONCE:
        await take_step(ctx, product.id, to)
        return
    ctx.begin(NAME, first_step(to), {"product": product.id, "to": to, "name": product.name})
    await PRODUCT_CYCLE.prompt(ctx)
