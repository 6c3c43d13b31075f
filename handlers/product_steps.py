"""Who may move a product idea along the OCOP cycle, and taking one step.

An officer of the idea's commune or an admin whose area holds it: the storage scope
(``storage.scope``) decides, read from storage at each step, never from what a conversation
remembered. A step is written with the product locked, checked against the cycle
(``storage.products_cycle``), audited, kept in the product's history, and told to the
producer in their own language through the outbox.
"""

from __future__ import annotations

from bot.i18n import N_, Translator
from bot.messages import Button, Outbound
from bot.render import display_name
from handlers.context import Context
from handlers.product_texts import step_label, step_notice
from handlers.registry import FLOWS
from handlers.rights import Guard, saying
from storage.models import Product, ProductStatus, Role, User, UserStatus
from storage.products import Certificate, CycleError, Evaluation
from storage.products_cycle import MIN_CERTIFIED_STARS, next_steps, state_label
from storage.scope import Scope, scope_of


def may_act(user: User, _data: dict | None = None) -> bool:
    """Officers and admins move ideas (which ones: their scope says)."""
    if user.status != UserStatus.ACTIVE:
        return False
    return user.is_admin or user.role == Role.OFFICER


CYCLE_GUARD = Guard(
    closed=saying(
        N_("You no longer have the rights for this; it was closed and nothing was saved.")
    ),
    needs=may_act,
)


def refuse(ctx: Context, action_name: str) -> bool:
    """Refuse and audit someone who is neither an officer nor an admin; True when refused."""
    if may_act(ctx.user):
        return False
    ctx.stores.audit.record(ctx.user.id, "refused", attempted=action_name)
    ctx.reply(ctx.t("Only commune officers and admins can do this."))
    return True


def area(ctx: Context) -> Scope:
    return scope_of(ctx.user)


def step_buttons(tr: Translator, product: Product) -> list[list[Button]]:
    """The next steps from where the product stands, two to a row (a certificate only for a
    ranked product)."""
    buttons = [
        Button(label=step_label(tr, product.status, to), payload=f"@ocop:{to}:{product.id}")
        for to in next_steps(product.status)
        if to != ProductStatus.CERTIFIED or (product.stars or 0) >= MIN_CERTIFIED_STARS
    ]
    return [buttons[i : i + 2] for i in range(0, len(buttons), 2)]


async def take_step(
    ctx: Context,
    product_id: int,
    to: str,
    *,
    reason: str | None = None,
    evaluation: Evaluation | None = None,
    certificate: Certificate | None = None,
) -> None:
    """Write one step and tell the producer; the reply offers the steps that follow."""
    product = await ctx.stores.products.get(product_id, area(ctx), lock=True)
    if product is None:
        ctx.reply(ctx.t("That choice is no longer valid."))
        return
    receipts = await ctx.stores.products.receipts([product])
    receipt = receipts.get(product.id)
    before = product.status
    try:
        event = await ctx.stores.products.move(
            product,
            to,
            user_id=ctx.user.id,
            now=ctx.now,
            reason=reason,
            evaluation=evaluation,
            certificate=certificate,
        )
    except CycleError:
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
    ctx.stores.audit.record(
        ctx.user.id,
        "product_step",
        product=product.id,
        before=before,
        after=to,
        event=event.id,
    )
    owner = await ctx.stores.users.get(product.user_id or 0)

    def compose(tr: Translator) -> Outbound:
        return step_notice(tr, product, receipt, event)

    told = ""
    if owner is not None and owner.id != ctx.user.id:
        ctx.notify(owner, compose, dedupe_key=f"ocop:{product.id}:{event.id}")
        told = " " + ctx.t("{name} was told.", name=display_name(owner.full_name or "?"))
    # A conversation this one interrupted (a report half-filled) resumes: it asks its
    # question again, and no step buttons are offered that a typed answer to it could hit.
    resumed = ctx.in_conversation
    ctx.reply(
        ctx.t(
            "“{product}” ({receipt}): {state}.",
            product=product.name,
            receipt=receipt or "—",
            state=state_label(ctx.tr, to),
        )
        + told,
        buttons=[] if resumed else step_buttons(ctx.tr, product),
    )
    if resumed:
        assert ctx.state is not None
        await FLOWS[ctx.state.flow].prompt(ctx)
