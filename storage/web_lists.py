"""Lists the dashboard pages through: people and products in a reader's scope, a page at
a time, with the counts that go with them. Always through a :class:`~storage.scope.Scope`.

A list that is paged counts its rows first and then reads the page asked for, brought
within the pages there are: an address kept from yesterday (page 3 of a list since shortened
to 2) shows the last page, not an empty one."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Commune, Product, Role, User, UserStatus
from storage.scope import Scope


@dataclass(frozen=True)
class Page:
    rows: Sequence[Any]
    total: int
    # Which page of how many (``size`` rows to a page); 1 of 1 for a list read whole.
    number: int = 1
    size: int = 0

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.size)) if self.size else 1

    @property
    def after(self) -> int:
        """How many rows come after this page."""
        return max(0, self.total - (self.number - 1) * self.size - len(self.rows))


def page_asked(raw: str) -> int:
    """The page number of an address: a plain number (one too large for any list is taken
    as a page past the end, which :func:`within` makes the last), else the first page."""
    if not (raw.isascii() and raw.isdigit()):
        return 1
    return int(raw) if len(raw) < 7 else 10**6


def within(number: int, total: int, size: int) -> int:
    """``number`` brought within the pages ``total`` rows make, ``size`` to a page."""
    return min(max(1, number), max(1, -(-total // size)))


def _people(scope: Scope) -> Any:
    return scope.filter(province=User.province_code, commune=User.commune_code, owner=User.id)


def _products(scope: Scope) -> Any:
    return scope.filter(
        province=Product.province_code, commune=Product.commune_code, owner=Product.user_id
    )


class WebLists:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def people(
        self,
        scope: Scope,
        *,
        status: str | None = None,
        role: str | None = None,
        name: str | None = None,
        offset: int = 0,
        limit: int = 50,
    ) -> Page:
        """Registered people in scope (with their commune), newest first."""
        where = [User.status.not_in([UserStatus.NEW, UserStatus.ERASED]), _people(scope)]
        if status:
            where.append(User.status == status)
        if role:
            where.append(User.role == role)
        if name:
            where.append(func.lower(User.full_name).contains(name.lower(), autoescape=True))
        total = await self.session.scalar(select(func.count()).select_from(User).where(*where))
        statement = (
            select(User, Commune)
            .outerjoin(Commune, Commune.code == User.commune_code)
            .where(*where)
            .order_by(User.id.desc())
            .offset(max(0, offset))
            .limit(limit)
        )
        rows = (await self.session.execute(statement)).all()
        return Page([(user, commune) for user, commune in rows], int(total or 0))

    async def pending_officers(self, scope: Scope, *, page: int = 1, size: int = 100) -> Page:
        """Officers waiting for approval in scope, the longest waiting first: page ``page``
        (within those there are) of ``size``."""
        where = [User.status == UserStatus.PENDING, User.role == Role.OFFICER, _people(scope)]
        total = int(
            await self.session.scalar(select(func.count()).select_from(User).where(*where)) or 0
        )
        number = within(page, total, size)
        statement = (
            select(User, Commune)
            .outerjoin(Commune, Commune.code == User.commune_code)
            .where(*where)
            .order_by(User.created_at, User.id)
            .offset((number - 1) * size)
            .limit(size)
        )
        rows = (await self.session.execute(statement)).all()
        return Page([(user, commune) for user, commune in rows], total, number, size)

    async def product_counts(self, scope: Scope) -> dict[str, int]:
        statement = (
            select(Product.status, func.count()).where(_products(scope)).group_by(Product.status)
        )
        return {status: int(n) for status, n in (await self.session.execute(statement)).all()}

    async def product_column(
        self, scope: Scope, status: str, *, page: int = 1, size: int = 30
    ) -> Page:
        """One state's products in scope, in the board's order: page ``page`` (within those
        there are) of ``size``, so page 1 is the board's column and page 2 goes on from it."""
        total = int(
            await self.session.scalar(
                select(func.count())
                .select_from(Product)
                .where(Product.status == status, _products(scope))
            )
            or 0
        )
        number = within(page, total, size)
        rows = await self.products(scope, status, offset=(number - 1) * size, limit=size)
        return Page(rows, total, number, size)

    async def products(
        self, scope: Scope, status: str, *, offset: int = 0, limit: int = 30
    ) -> Sequence[tuple[Product, Commune | None]]:
        """Products in one state, the most recently moved first (a column of the board)."""
        statement = (
            select(Product, Commune)
            .outerjoin(Commune, Commune.code == Product.commune_code)
            .where(Product.status == status, _products(scope))
            .order_by(
                func.coalesce(Product.status_changed_at, Product.updated_at).desc(), Product.id
            )
            .offset(max(0, offset))
            .limit(limit)
        )
        return [(p, c) for p, c in (await self.session.execute(statement)).all()]
