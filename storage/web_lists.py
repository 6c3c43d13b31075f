"""Lists the dashboard pages through: people and products in a reader's scope, a page at
a time, with the counts that go with them. Always through a :class:`~storage.scope.Scope`."""

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


def _people(scope: Scope) -> Any:
    return scope.filter(province=User.province_code, commune=User.commune_code, owner=User.id)


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

    async def pending_officers(self, scope: Scope, *, limit: int = 100) -> Page:
        """Officers waiting for approval in scope, the longest waiting first."""
        where = [User.status == UserStatus.PENDING, User.role == Role.OFFICER, _people(scope)]
        total = await self.session.scalar(select(func.count()).select_from(User).where(*where))
        statement = (
            select(User, Commune)
            .outerjoin(Commune, Commune.code == User.commune_code)
            .where(*where)
            .order_by(User.created_at, User.id)
            .limit(limit)
        )
        rows = (await self.session.execute(statement)).all()
        return Page([(user, commune) for user, commune in rows], int(total or 0))

    async def product_counts(self, scope: Scope) -> dict[str, int]:
        statement = (
            select(Product.status, func.count())
            .where(
                scope.filter(
                    province=Product.province_code,
                    commune=Product.commune_code,
                    owner=Product.user_id,
                )
            )
            .group_by(Product.status)
        )
        return {status: int(n) for status, n in (await self.session.execute(statement)).all()}

    async def products(
        self, scope: Scope, status: str, *, offset: int = 0, limit: int = 30
    ) -> Sequence[tuple[Product, Commune | None]]:
        """Products in one state, the most recently moved first (a column of the board)."""
        statement = (
            select(Product, Commune)
            .outerjoin(Commune, Commune.code == Product.commune_code)
            .where(
                Product.status == status,
                scope.filter(
                    province=Product.province_code,
                    commune=Product.commune_code,
                    owner=Product.user_id,
                ),
            )
            .order_by(
                func.coalesce(Product.status_changed_at, Product.updated_at).desc(), Product.id
            )
            .offset(max(0, offset))
            .limit(limit)
        )
        return [(p, c) for p, c in (await self.session.execute(statement)).all()]
