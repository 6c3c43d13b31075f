"""The queries a reminder run (and its preview) needs: who could be reminded, who filed.

A handful of set-based queries, so a run over every commune of the country stays a few
round trips whatever the number of people.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import exists, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.calendar.chunks import KEY_CHUNK, chunks
from storage.models import (
    Commune,
    Identity,
    Product,
    ProductStatus,
    Province,
    Role,
    Submission,
    User,
    UserStatus,
)
from storage.reach import OA


@dataclass(frozen=True)
class Person:
    """An active user who may be reminded, with where to reach them (None: unreachable)."""

    user_id: int
    name: str
    role: str
    language: str
    province_code: int | None
    province_name: str
    commune_code: int | None
    commune_name: str
    has_product: bool
    channel: str | None
    address: str | None

    @property
    def reachable(self) -> bool:
        return self.channel is not None


@dataclass(frozen=True)
class CertifiedProduct:
    id: int
    user_id: int | None
    name: str
    producer_name: str
    province_code: int | None
    commune_name: str
    certificate_date: date
    # The expiry recorded with the certificate (None for one imported without it: the
    # calendar's validity counts from the date).
    certificate_expires: date | None = None


class ReminderQueries:
    """Read-only queries of a reminder run (and of the preview)."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def people(self) -> list[Person]:
        """Every active officer, producer and province admin, with their delivery identity:
        the reachable one they used last, as :meth:`storage.users.Users.delivery_identity`."""
        has_product = exists().where(Product.user_id == User.id)
        statement = (
            select(User, Commune.name, Province.name, has_product)
            .outerjoin(Commune, Commune.code == User.commune_code)
            .outerjoin(Province, Province.code == User.province_code)
            .where(
                User.status == UserStatus.ACTIVE,
                User.role.in_((Role.OFFICER, Role.PRODUCER, Role.PROVINCE_ADMIN)),
            )
            .order_by(User.id)
        )
        rows = (await self.session.execute(statement)).all()
        identities = await self._delivery_identities([user.id for user, *_ in rows])
        people = []
        for user, commune_name, province_name, product in rows:
            identity = identities.get(user.id)
            people.append(
                Person(
                    user_id=user.id,
                    name=user.full_name or f"#{user.id}",
                    role=user.role or "",
                    language=user.language,
                    province_code=user.province_code,
                    province_name=province_name or "",
                    commune_code=user.commune_code,
                    commune_name=commune_name or "",
                    has_product=bool(product),
                    channel=identity.channel if identity else None,
                    address=identity.external_id if identity else None,
                )
            )
        return people

    async def _delivery_identities(self, user_ids: list[int]) -> dict[int, Identity]:
        """The reachable identity each person used last. A person no messenger reaches
        whose Zalo OA identity remains (they unfollowed the OA) keeps that one: a reminder
        is then planned for them and routed (scheduler/routing.py) by ZNS to their phone,
        or kept as unreachable and counted, never dropped unseen."""
        chosen: dict[int, Identity] = {}
        for chunk in chunks(user_ids, KEY_CHUNK):
            statement = (
                select(Identity)
                .where(
                    Identity.user_id.in_(chunk),
                    or_(Identity.reachable.is_(True), Identity.channel == OA),
                )
                .order_by(
                    Identity.user_id,
                    Identity.reachable.desc(),
                    Identity.last_seen_at.desc(),
                    Identity.id.desc(),
                )
            )
            for identity in (await self.session.scalars(statement)).all():
                chosen.setdefault(identity.user_id, identity)
        return chosen

    async def filed(self, wanted: Iterable[tuple[str, str]]) -> set[tuple[str, str, str]]:
        """(form, period, scope key) of every submission of the given (form, period) pairs."""
        found: set[tuple[str, str, str]] = set()
        by_form: dict[str, set[str]] = {}
        for form_id, period in wanted:
            by_form.setdefault(form_id, set()).add(period)
        for form_id, periods in by_form.items():
            statement = select(Submission.period, Submission.scope_key).where(
                Submission.form_id == form_id, Submission.period.in_(sorted(periods))
            )
            for period, scope_key in (await self.session.execute(statement)).all():
                found.add((form_id, period, scope_key))
        return found

    async def filed_since(self, form_id: str, since: datetime | None) -> tuple[set[int], set[int]]:
        """Users and communes that filed ``form_id`` since ``since`` (a campaign's "done")."""
        statement = select(Submission.user_id, Submission.commune_code).where(
            Submission.form_id == form_id
        )
        if since is not None:
            statement = statement.where(Submission.submitted_at >= since)
        users: set[int] = set()
        communes: set[int] = set()
        for user_id, commune_code in (await self.session.execute(statement)).all():
            if user_id is not None:
                users.add(user_id)
            if commune_code is not None:
                communes.add(commune_code)
        return users, communes

    async def certified_products(self) -> list[CertifiedProduct]:
        statement = (
            select(Product, User.full_name, Commune.name)
            .outerjoin(User, User.id == Product.user_id)
            .outerjoin(Commune, Commune.code == Product.commune_code)
            .where(Product.status == ProductStatus.CERTIFIED, Product.certificate_date.is_not(None))
            .order_by(Product.id)
        )
        rows = (await self.session.execute(statement)).all()
        return [
            CertifiedProduct(
                id=product.id,
                user_id=product.user_id,
                name=product.name,
                producer_name=product.producer_name or owner or "?",
                province_code=product.province_code,
                commune_name=commune or "",
                certificate_date=product.certificate_date,
                certificate_expires=product.certificate_expires,
            )
            for product, owner, commune in rows
            if product.certificate_date is not None
        ]

    async def communes(self, province_codes: Iterable[int]) -> dict[int, list[tuple[int, str]]]:
        """(code, name) of every commune of these provinces, by province, in name order."""
        codes = sorted(set(province_codes))
        result: dict[int, list[tuple[int, str]]] = {code: [] for code in codes}
        if not codes:
            return result
        statement = (
            select(Commune.province_code, Commune.code, Commune.name)
            .where(Commune.province_code.in_(codes))
            .order_by(Commune.province_code, Commune.name_folded)
        )
        for province_code, code, name in (await self.session.execute(statement)).all():
            result[province_code].append((code, name))
        return result
