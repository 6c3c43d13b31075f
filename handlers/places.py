"""Picking a province or commune by typing part of its name (any accents) or a button."""

from __future__ import annotations

from collections.abc import Sequence

from bot.messages import Button, InboundKind
from handlers.context import Context
from storage.models import Commune, Province
from storage.places import unique

MAX_BUTTONS = 8


async def read_place(
    ctx: Context, *, prefix: str, province_code: int | None
) -> Province | Commune | None:
    """The unit the user chose, or None after telling them what to do next.

    ``prefix`` tags the buttons ("p" for provinces, "c" for communes) so a stale button from
    another question is not mistaken for this one.
    """
    inbound = ctx.inbound
    if inbound.kind is InboundKind.BUTTON and inbound.payload:
        tag, _, code = inbound.payload.partition(":")
        if tag == prefix and code.isdigit():
            if prefix == "p":
                return await ctx.stores.places.province(int(code))
            return await ctx.stores.places.commune(int(code))
        return None
    if inbound.kind is not InboundKind.TEXT or not inbound.text:
        ctx.reply(ctx.t("Please type the name."))
        return None
    query = inbound.text.strip()
    if prefix == "p":
        matches: Sequence[Province | Commune] = await ctx.stores.places.search_provinces(query)
    else:
        assert province_code is not None
        matches = await ctx.stores.places.search_communes(province_code, query)
    chosen = unique(matches, query)
    if chosen is not None:
        return chosen
    if not matches:
        ctx.reply(
            ctx.t(
                "I found no place named “{query}”. Please check the spelling and "
                "type it again (accents are not needed).",
                query=query[:60],
            )
        )
        return None
    shown = matches[:MAX_BUTTONS]
    text = ctx.t("Several places match “{query}”. Which one?", query=query[:60])
    if len(matches) > MAX_BUTTONS:
        text += "\n" + ctx.t(
            "({count} matches; type more of the name to narrow them.)", count=len(matches)
        )
    ctx.reply(text, buttons=[[Button(label=m.name, payload=f"{prefix}:{m.code}")] for m in shown])
    return None
