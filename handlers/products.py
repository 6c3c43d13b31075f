"""``/trangthai``: where each of a producer's products stands in the OCOP cycle."""

from __future__ import annotations

from bot.i18n import N_
from handlers.context import Context
from handlers.registry import command
from storage.models import ProductStatus

STATUS = {
    ProductStatus.SUBMITTED: N_("submitted, waiting for review"),
    ProductStatus.UNDER_REVIEW: N_("under review"),
    ProductStatus.SELECTED: N_("selected for the OCOP cycle"),
    ProductStatus.NOT_SELECTED: N_("not selected this year"),
    ProductStatus.EVALUATED: N_("evaluated"),
    ProductStatus.CERTIFIED: N_("certified"),
}


@command("trangthai", "status")
async def status(ctx: Context, _argument: str) -> None:
    products = await ctx.stores.products.of_user(ctx.user.id)
    if not products:
        ctx.reply(ctx.t("You have no registered product yet. Register an idea with /dangky."))
        return
    lines = [ctx.t("Your products:")]
    for number, product in enumerate(products, 1):
        state = ctx.t(STATUS[ProductStatus(product.status)])
        if product.stars:
            state += " — " + ctx.tn("{n} star", "{n} stars", product.stars)
        if product.certificate_date:
            state += " — " + ctx.t(
                "certificate of {date}", date=ctx.tr.date(product.certificate_date)
            )
        lines.append(f"{number}. {product.name}: {state}")
    ctx.reply("\n".join(lines))
