"""The producer's side of the OCOP cycle: ``/trangthai`` shows where each product stands and
its history with dates; "Send the information" answers an officer's request for more
information, which sends the idea back to review and tells whoever asked.
"""

from __future__ import annotations

from bot.i18n import N_, Translator
from bot.messages import Button, Outbound
from bot.render import display_name
from forms.readers import Rejected, read_text
from handlers.arguments import record_id
from handlers.context import Context
from handlers.product_texts import history_lines, standing
from handlers.registry import action, command, flow
from handlers.rights import Guard, saying
from storage.models import ProductStatus
from storage.products import CycleError
from storage.scope import scope_of

INFO = "product_info"


@command("trangthai", "status")
async def status(ctx: Context, _argument: str) -> None:
    products = await ctx.stores.products.of_user(ctx.user.id)
    if not products:
        ctx.reply(ctx.t("You have no registered product yet. Register an idea with /dangky."))
        return
    receipts = await ctx.stores.products.receipts(products)
    histories = await ctx.stores.products.histories(p.id for p in products)
    lines = [ctx.t("Your products:")]
    buttons: list[list[Button]] = []
    for number, product in enumerate(products, 1):
        lines.append(f"{number}. {product.name}: {standing(ctx.tr, product)}")
        receipt = receipts.get(product.id)
        if receipt:
            lines.append("   " + ctx.t("Receipt {receipt}", receipt=receipt))
        lines.extend(
            "   " + line for line in history_lines(ctx.tr, histories[product.id], ctx.config.zone)
        )
        if product.status == ProductStatus.NEEDS_INFO:
            buttons.append([_info_button(ctx.tr, product.id, product.name)])
    ctx.reply("\n".join(lines), buttons=buttons)


def _info_button(tr: Translator, product_id: int, name: str) -> Button:
    return Button(
        label=tr.t("Send the information for “{product}”", product=name)[:60],
        payload=f"@ocopinfo:{product_id}",
    )


@action("ocopinfo")
async def send_info(ctx: Context, argument: str) -> None:
    """The button on "more information is needed": the producer types it."""
    product_id = record_id(argument)
    product = await ctx.stores.products.get(product_id, scope_of(ctx.user)) if product_id else None
    if product is None or product.user_id != ctx.user.id:
        ctx.reply(ctx.t("That choice is no longer valid."))
        return
    if product.status != ProductStatus.NEEDS_INFO:
        ctx.reply(
            ctx.t(
                "“{product}” no longer waits for information: {state}.",
                product=product.name,
                state=standing(ctx.tr, product),
            )
        )
        return
    ctx.clear_offer()
    ctx.begin(INFO, "text", {"product": product.id, "name": product.name})
    await PRODUCT_INFO.prompt(ctx)


class ProductInfo:
    """The producer's answer to a request for more information: one text, then sent."""

    name = INFO
    guard = Guard(
        closed=saying(
            N_("You no longer have the rights for this; it was closed and nothing was saved.")
        )
    )

    async def prompt(self, ctx: Context) -> None:
        ctx.reply(
            ctx.t(
                "Please type the information asked for “{product}” (or /huy).",
                product=ctx.data.get("name", "?"),
            )
        )

    async def handle(self, ctx: Context) -> None:
        reading = read_text(
            ctx.inbound.text or "",
            min_length=3,
            max_length=2000,
            example=ctx.t("We now buy our honey from 12 member households"),
        )
        if isinstance(reading, Rejected):
            ctx.reply(ctx.t(reading.message, **reading.params))
            return
        products = ctx.stores.products
        product = await products.get(ctx.data["product"], scope_of(ctx.user), lock=True)
        ctx.finish()
        if product is None:
            ctx.reply(ctx.t("That choice is no longer valid."))
            return
        asked = await products.last_step_to(product.id, ProductStatus.NEEDS_INFO)
        try:
            event = await products.answer_info(
                product, user_id=ctx.user.id, now=ctx.now, text=reading.value
            )
        except CycleError:
            ctx.reply(
                ctx.t(
                    "“{product}” no longer waits for information: {state}.",
                    product=product.name,
                    state=standing(ctx.tr, product),
                )
            )
            return
        ctx.stores.audit.record(
            ctx.user.id, "product_info_sent", product=product.id, event=event.id
        )
        receipt = (await products.receipts([product])).get(product.id) or "—"
        producer = product.producer_name or display_name(ctx.user.full_name or "?")
        text = reading.value

        def compose(tr: Translator) -> Outbound:
            return Outbound(
                text=tr.t(
                    "{producer} sent the information asked for “{product}” ({receipt}): {text}",
                    producer=producer,
                    product=product.name,
                    receipt=receipt,
                    text=text,
                ),
                buttons=[[Button(label=tr.t("Open the idea"), payload=f"@ocopview:{product.id}")]],
            )

        asker = await ctx.stores.users.get(asked.user_id) if asked and asked.user_id else None
        if asker is not None:
            ctx.notify(asker, compose, dedupe_key=f"ocop:{product.id}:{event.id}")
        ctx.reply(
            ctx.t(
                "Thank you! The information was sent; “{product}” is under review again.",
                product=product.name,
            )
        )


PRODUCT_INFO = ProductInfo()
flow(PRODUCT_INFO)
