"""Picking a province or commune by typing part of its name (any accents), a name from before
the July-2025 merger, or a button.

An old name leads to the unit it is part of now, and the person is told so ("Quảng Nam nay
thuộc TP Đà Nẵng.") before the flow goes on: a silent switch would look like a mistake.
"""

from __future__ import annotations

from bot.i18n import Translator
from bot.messages import Button, InboundKind
from forms.readers.places_former import (
    DISTRICT,
    PROVINCE,
    Became,
    Option,
    Search,
    looks_like_numbered_ward,
)
from handlers.arguments import record_id
from handlers.context import Context
from handlers.registry import FLOWS
from storage.models import Commune, Province, Role

MAX_BUTTONS = 8
# Lines telling what old names became, above the buttons: one per old unit, at most.
MAX_LINES = 8
CITY = "Thành phố "


async def read_place(
    ctx: Context, *, prefix: str, province_code: int | None
) -> Province | Commune | None:
    """The unit the user chose, or None after telling them what to do next.

    ``prefix`` tags the buttons ("p" for provinces, "c" for communes) so a stale button from
    another question is not mistaken for this one. A name from before July 2025 is taken to
    the unit it is part of now, saying so in a reply before the unit is returned.
    """
    inbound = ctx.inbound
    if inbound.kind is InboundKind.BUTTON and inbound.payload:
        tag, _, code = inbound.payload.partition(":")
        unit = record_id(code)
        if tag == prefix and unit is not None:
            if prefix == "p":
                return await ctx.stores.places.province(unit)
            found = await ctx.stores.places.commune(unit)
            if found is not None and province_code is not None:
                return found if found.province_code == province_code else None
            return found
        return None
    if inbound.kind is not InboundKind.TEXT or not inbound.text:
        ctx.reply(ctx.t("Please type the name."))
        return None
    query = inbound.text.strip()
    search: Search[Province] | Search[Commune]
    if prefix == "p":
        search = await ctx.stores.places.find_province(query, limit=MAX_BUTTONS)
    else:
        assert province_code is not None
        search = await ctx.stores.places.find_commune(province_code, query, limit=MAX_BUTTONS)
    if search.found is not None:
        if search.became:
            ctx.reply("\n".join(_became_lines(ctx.tr, search.became)))
        return search.found
    if not search.options:
        ctx.reply(_not_found(ctx, query, commune=prefix == "c"))
        return None
    if search.named is not None:
        lines = _shared_name_lines(ctx.tr, search.named, search.became)
        text = "\n".join([*lines, ctx.t("Please choose your commune or ward.")])
    elif search.became and prefix == "c":
        lines = _became_lines(ctx.tr, search.became)
        text = "\n".join([*lines, ctx.t("Please choose your commune or ward.")])
    else:
        text = ctx.t("Several places match “{query}”. Which one?", query=query[:60])
    if search.more:
        text += "\n" + ctx.t(
            "({count} matches; type more of the name to narrow them.)",
            count=len(search.options) + search.more,
        )
    buttons = [
        [Button(label=_label(ctx.tr, option), payload=f"{prefix}:{option.unit.code}")]
        for option in search.options
    ]
    ctx.reply(text, buttons=buttons)
    return None


def _not_found(ctx: Context, query: str, *, commune: bool) -> str:
    """Nothing found; a numbered ward ("phường 12") is found with its old district only, as
    there were dozens of each number, so that is what to add."""
    if commune and looks_like_numbered_ward(query):
        return ctx.t(
            "I found no place named “{query}”. For an old numbered ward, please type it with "
            "its old district (for example: phường 12, gò vấp) and check the spelling.",
            query=query[:60],
        )
    return ctx.t(
        "I found no place named “{query}”. Please check the spelling and "
        "type it again (accents are not needed).",
        query=query[:60],
    )


def province_name(tr: Translator, province: Province | Commune) -> str:
    """A province as a sentence names it: "TP Đà Nẵng", "tỉnh Tuyên Quang"."""
    if province.name.startswith(CITY):
        return tr.t("{name} City", name=province.name.removeprefix(CITY))
    return tr.t("{name} Province", name=province.name)


def _label(tr: Translator, option: Option[Province] | Option[Commune]) -> str:
    """A button: the unit's name; a province offered for an old one says which."""
    if option.former is not None and option.former.kind == PROVINCE:
        return tr.t(
            "{old} (now part of {new})",
            old=option.former.name,
            new=province_name(tr, option.unit),
        )
    return option.unit.name


def _became_lines(
    tr: Translator, became: tuple[Became[Province], ...] | tuple[Became[Commune], ...]
) -> list[str]:
    """ "Quảng Nam nay thuộc TP Đà Nẵng." / "Xã Tam Thanh cũ (thành phố Tam Kỳ) nay thuộc
    Phường Quảng Phú.": one line per old unit."""
    lines = []
    for item in became[:MAX_LINES]:
        old = item.former
        if old.kind == PROVINCE:
            new = ", ".join(province_name(tr, unit) for unit in item.now)
            lines.append(tr.t("{old} is now part of {new}.", old=old.name, new=new))
            continue
        new = ", ".join(unit.name for unit in item.now)
        if old.kind == DISTRICT:
            lines.append(tr.t("The former {old} is now part of {new}.", old=old.name, new=new))
        else:
            within = old.within[:1].lower() + old.within[1:]
            lines.append(
                tr.t(
                    "The former {old} ({district}) is now part of {new}.",
                    old=old.name,
                    district=within,
                    new=new,
                )
            )
    return lines


def _shared_name_lines(
    tr: Translator,
    current: Province | Commune,
    became: tuple[Became[Province], ...] | tuple[Became[Commune], ...],
) -> list[str]:
    """ "Phường Tam Kỳ hiện nay trùng tên với Thành phố Tam Kỳ cũ. Thành phố Tam Kỳ cũ nay
    gồm Phường Bàn Thạch, Phường Tam Kỳ, …": the commune typed, and what the old district of
    that name became, for someone from that district to pick their own."""
    if not became:
        return []
    first = became[0].former.name
    lines = [
        tr.t(
            "Today's {current} shares its name with the former {old}.",
            current=current.name,
            old=first,
        )
    ]
    for item in became[:MAX_LINES]:
        new = ", ".join(unit.name for unit in item.now)
        lines.append(tr.t("The former {old} now comprises {new}.", old=item.former.name, new=new))
    return lines


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
