"""Who has reported: the submissions of one report and period inside a scope, and who was
expected to report. Queries only, always through a :class:`~storage.scope.Scope`."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import String, cast, exists, literal, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Commune, Product, Province, Role, Submission, User, UserStatus
from storage.receipts import receipt_key
from storage.scope import Reach, Scope


@dataclass(frozen=True)
class Expected:
    """One commune (or producer) that should report, and what it did."""

    key: str  # the submission scope key: "commune:6193" or "user:12"
    name: str
    province_code: int | None
    province_name: str
    submitted_at: datetime | None
    review_status: str | None
    receipt: str | None


@dataclass(frozen=True)
class Rates:
    """Completeness as DHIS2 counts it: of the reports expected, how many were received
    (reporting rate) and how many by the deadline (on-time rate). Fractions from 0 to 1;
    None when nothing is expected."""

    expected: int
    received: int
    on_time: int = 0

    @property
    def reporting(self) -> float | None:
        return self.received / self.expected if self.expected else None

    @property
    def timely(self) -> float | None:
        return self.on_time / self.expected if self.expected else None


class Progress:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def submissions(self, form_id: str, period: str, scope: Scope) -> Sequence[Submission]:
        statement = select(Submission).where(
            Submission.form_id == form_id,
            Submission.period == period,
            scope.filter(
                province=Submission.province_code,
                commune=Submission.commune_code,
                owner=Submission.user_id,
            ),
        )
        return (await self.session.scalars(statement.order_by(Submission.id))).all()

    async def get(self, submission_id: int, scope: Scope) -> Submission | None:
        statement = select(Submission).where(
            Submission.id == submission_id,
            scope.filter(
                province=Submission.province_code,
                commune=Submission.commune_code,
                owner=Submission.user_id,
            ),
        )
        return (await self.session.scalars(statement)).first()

    async def by_receipt(self, receipt: str, scope: Scope) -> Submission | None:
        statement = select(Submission).where(
            Submission.receipt == receipt_key(receipt),
            scope.filter(
                province=Submission.province_code,
                commune=Submission.commune_code,
                owner=Submission.user_id,
            ),
        )
        return (await self.session.scalars(statement)).first()

    async def expected_communes(self, form_id: str, period: str, scope: Scope) -> list[Expected]:
        """Every commune in scope, with its submission for the period if there is one."""
        if scope.reach not in (Reach.NATIONAL, Reach.PROVINCE, Reach.COMMUNE):
            return []
        statement = (
            select(Commune, Province, Submission)
            .join(Province, Province.code == Commune.province_code)
            .outerjoin(
                Submission,
                (Submission.form_id == form_id)
                & (Submission.period == period)
                & (
                    Submission.scope_key == literal("commune:", String) + cast(Commune.code, String)
                ),
            )
            .where(scope.filter(province=Commune.province_code, commune=Commune.code))
            .order_by(Province.code, Commune.name_folded)
        )
        rows = (await self.session.execute(statement)).all()
        return [
            Expected(
                f"commune:{c.code}",
                c.name,
                p.code,
                p.name,
                s.submitted_at if s else None,
                s.review_status if s else None,
                s.receipt if s else None,
            )
            for c, p, s in rows
        ]

    async def expected_producers(
        self, form_id: str, period: str, scope: Scope, *, with_product: bool
    ) -> list[Expected]:
        """Every active producer in scope (only those with a product when the form says so)."""
        if scope.reach not in (Reach.NATIONAL, Reach.PROVINCE, Reach.COMMUNE):
            return []
        statement = (
            select(User, Province)
            .join(Province, Province.code == User.province_code)
            .where(
                User.role == Role.PRODUCER,
                User.status == UserStatus.ACTIVE,
                scope.filter(province=User.province_code, commune=User.commune_code),
            )
            .order_by(Province.code, User.full_name)
        )
        if with_product:
            statement = statement.where(exists().where(Product.user_id == User.id))
        users = (await self.session.execute(statement)).all()
        filed = {s.scope_key: s for s in await self.submissions(form_id, period, scope)}
        result = []
        for user, province in users:
            s = filed.get(f"user:{user.id}")
            result.append(
                Expected(
                    f"user:{user.id}",
                    user.full_name or "?",
                    province.code,
                    province.name,
                    s.submitted_at if s else None,
                    s.review_status if s else None,
                    s.receipt if s else None,
                )
            )
        return result
