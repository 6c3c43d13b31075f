"""Finding provinces and communes by what people type (part of a name, any accents, a name
from before the July-2025 merger).

The matching is pure and lives with the readers (:mod:`forms.readers.places`,
:mod:`forms.readers.places_former`); this loads the units it is matched against, and the
old units from :mod:`storage.places_former`.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from forms.readers.places import rank_matches
from forms.readers.places_former import COMMUNE, PROVINCE, Search, find_place, now_in
from storage.models import Commune, Province
from storage.places_former import FormerDataMissing, FormerUnits, load_former_units

log = logging.getLogger(__name__)


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

    async def find_province(self, query: str, *, limit: int) -> Search[Province]:
        """The province ``query`` names, by its name now or one it had before July 2025."""
        provinces = await self.provinces()
        former = await _former()
        olds = former.provinces if former else ()
        return find_place(query, provinces, olds, now_in(provinces), level=PROVINCE, limit=limit)

    async def find_commune(self, province_code: int, query: str, *, limit: int) -> Search[Commune]:
        """The commune of the province that ``query`` names, by its name now, or an old
        commune's or district's name (what it became, in this province)."""
        communes = await self.communes_of(province_code)
        former = await _former()
        olds = former.by_province.get(province_code, ()) if former else ()
        return find_place(query, communes, olds, now_in(communes), level=COMMUNE, limit=limit)


async def _former() -> FormerUnits | None:
    """The old units, or None (said once in the log) when their package is missing: then
    only current names are found."""
    global _warned
    try:
        return await load_former_units()
    except FormerDataMissing as missing:
        if not _warned:
            log.warning("Names from before July 2025 will not be found: %s", missing)
            _warned = True
        return None


_warned = False
