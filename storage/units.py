"""Administrative units (34 provinces, 3,321 communes/wards) from the vietnam-provinces package.

The package ships the official post-2025 list with its codes; we copy it into our tables so
that reports can join on codes and the database stays usable by other tools (exports, BI).
"""

from __future__ import annotations

import re

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession
from vietnam_provinces import Province as VpProvince
from vietnam_provinces import Ward as VpWard

from forms.readers.places import search_key
from storage.models import Commune, Province

# The bot writes the tone mark on the vowel as most official lists and the bot's own
# messages do ("Hòa", "Thủy", "hủy"); the package writes 22 names the other way ("Hoà",
# "Thuỷ"). At the end of a syllable only ("Hoàng" stays), never after "q" ("Quý" stays).
_TONE_MOVES = dict(
    zip(
        "àáảãạèéẻẽẹỳýỷỹỵ",
        ["òa", "óa", "ỏa", "õa", "ọa", "òe", "óe", "ỏe", "õe", "ọe", "ùy", "úy", "ủy", "ũy", "ụy"],
        strict=True,
    )
)
_TONE_AT_END = re.compile(r"(?<![qQ])([oOuU])([àáảãạèéẻẽẹỳýỷỹỵ])(?![^\W\d_])")


def _move_tone(match: re.Match[str]) -> str:
    first, marked = match.group(1), match.group(2)
    if (first.lower() == "u" and marked not in "ỳýỷỹỵ") or (
        first.lower() == "o" and marked in "ỳýỷỹỵ"
    ):
        return match.group(0)
    moved = _TONE_MOVES[marked]
    return moved[0].upper() + moved[1] if first.isupper() else moved


def tidy(name: str) -> str:
    """A unit's name as the bot shows it: single spaces (the package writes a few with two,
    "Xã  Phú Hữu") and one convention for the tone mark ("Xã Chiêm Hóa", not "Hoá")."""
    return _TONE_AT_END.sub(_move_tone, " ".join(name.split()))


async def load_units(session: AsyncSession) -> int:
    """Insert the package's units that are not in the tables yet; returns how many were added.

    Cheap when nothing changed (two counts), so it runs at every start-up.
    """
    provinces = list(VpProvince.iter_all())
    wards = list(VpWard.iter_all())
    have_p = await session.scalar(select(func.count()).select_from(Province))
    have_c = await session.scalar(select(func.count()).select_from(Commune))
    if have_p == len(provinces) and have_c == len(wards):
        return 0
    known_p = set(await session.scalars(select(Province.code)))
    known_c = set(await session.scalars(select(Commune.code)))
    added = 0
    for p in provinces:
        if int(p.code) not in known_p:
            session.add(
                Province(
                    code=int(p.code),
                    name=tidy(p.name),
                    name_folded=search_key(p.name),
                    division_type=p.division_type.value,
                )
            )
            added += 1
    await session.flush()
    for w in wards:
        if int(w.code) not in known_c:
            session.add(
                Commune(
                    code=int(w.code),
                    province_code=int(w.province_code),
                    name=tidy(w.name),
                    name_folded=search_key(w.name),
                    division_type=w.division_type.value,
                )
            )
            added += 1
    await session.flush()
    return added
