"""Finding provinces and communes by what people type (part of a name, any accents)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TypeVar

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.text import fold
from storage.models import Commune, Province
from storage.units import search_key

Unit = TypeVar("Unit", Province, Commune)


def initials(name: str) -> tuple[str, str]:
    """ "Thành phố Hồ Chí Minh" → ("hcm", "tphcm"): the abbreviations people type."""
    full = "".join(word[0] for word in fold(name).split())
    short = "".join(word[0] for word in search_key(name).split())
    return short, full


def rank_matches(query: str, units: Sequence[Unit]) -> list[Unit]:
    """Units whose name has a word starting with each word typed, best first.

    ``ha`` finds Hà Nội and Hải Phòng but not Thanh Hóa; when no name fits that way, any
    name holding the words anywhere is taken (people type parts of words too). An exact
    name wins; then names that start with the query; then the rest by name.
    """
    key = search_key(query)
    if not key:
        return []
    words = key.split()

    def word_prefixes(unit: Unit) -> bool:
        name_words = unit.name_folded.split()
        return all(any(nw.startswith(w) for nw in name_words) for w in words)

    found = [u for u in units if word_prefixes(u)]
    if not found:
        found = [u for u in units if all(word in u.name_folded for word in words)]
    if not found and len(words) == 1:  # initials, as in "hcm" or "tphcm"
        found = [u for u in units if key in initials(u.name)]

    def score(unit: Unit) -> tuple[int, str]:
        if unit.name_folded == key:
            return (0, unit.name_folded)
        if unit.name_folded.startswith(key):
            return (1, unit.name_folded)
        if f" {key}" in f" {unit.name_folded}":
            return (2, unit.name_folded)
        return (3, unit.name_folded)

    return sorted(found, key=score)


def unique(matches: Sequence[Unit], query: str) -> Unit | None:
    """The unit the person meant: the only match, or the only one named exactly so."""
    if len(matches) == 1:
        return matches[0]
    exact = [m for m in matches if m.name_folded == search_key(query)]
    return exact[0] if len(exact) == 1 else None


class Places:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def provinces(self) -> Sequence[Province]:
        return (await self.session.scalars(select(Province).order_by(Province.code))).all()

    async def communes_of(self, province_code: int) -> Sequence[Commune]:
        statement = select(Commune).where(Commune.province_code == province_code)
        return (await self.session.scalars(statement.order_by(Commune.code))).all()

    async def province(self, code: int) -> Province | None:
        return await self.session.get(Province, code)

    async def commune(self, code: int) -> Commune | None:
        return await self.session.get(Commune, code)

    async def search_provinces(self, query: str) -> list[Province]:
        return rank_matches(query, await self.provinces())

    async def search_communes(self, province_code: int, query: str) -> list[Commune]:
        return rank_matches(query, await self.communes_of(province_code))
