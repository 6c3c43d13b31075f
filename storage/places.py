"""Finding provinces and communes by what people type (part of a name, any accents).

The matching is pure and lives with the readers (:mod:`forms.readers.places`); this loads
the units it is matched against.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from forms.readers.places import rank_matches
from storage.models import Commune, Province


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
