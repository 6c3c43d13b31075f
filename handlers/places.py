"""Picking a province or commune by typing part of its name (any accents) or a button."""

from __future__ import annotations

from collections.abc import Sequence

from bot.messages import Button, InboundKind
from forms.readers.places import unique
from handlers.arguments import record_id
from handlers.context import Context
from handlers.registry import FLOWS
from storage.models import Commune, Province, Role

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
        unit = record_id(code)
        if tag == prefix and unit is not None:
            if prefix == "p":
                return await ctx.stores.places.province(unit)
            return await ctx.stores.places.commune(unit)
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


def go_to_place(ctx: Context) -> None:
    """The next step of an admin flow that needs a place: a province admin's own province is
    known, so they go straight to the commune; a national admin chooses the province first."""
    if ctx.user.role == Role.PROVINCE_ADMIN:
        ctx.data["province_code"] = ctx.user.province_code
        ctx.goto("commune")
    else:
        ctx.goto("province")


async def province_then_commune(ctx: Context) -> Commune | None:
    """Steps "province" and "commune" of an admin flow; the chosen commune, once there is one."""
    assert ctx.state is not None
    if ctx.state.step == "province":
        place = await read_place(ctx, prefix="p", province_code=None)
        if isinstance(place, Province):
            ctx.data["province_code"] = place.code
            ctx.goto("commune")
            await FLOWS[ctx.state.flow].prompt(ctx)
        return None
    place = await read_place(ctx, prefix="c", province_code=ctx.data["province_code"])
    return place if isinstance(place, Commune) else None
