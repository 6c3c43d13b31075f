"""Products along the OCOP cycle: ideas registered by producers, the steps officers and admins
take with them, and the history of those steps.

Every read that a person asks for goes through a :class:`~storage.scope.Scope`, so an
officer reaches the ideas of their commune, a province admin those of their province, a
producer their own. Every step is checked against :mod:`storage.products_cycle` here, where
it is written, so no command can move a product where the cycle does not go.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Product, ProductEvent, ProductStatus, Submission, User
from storage.products_cycle import MIN_CERTIFIED_STARS, WITH_REASON, may_move, stars_for
from storage.receipts import receipt_key
from storage.scope import Scope


class CycleError(Exception):
    """A step the cycle does not allow from where the product stands (someone else moved
    it meanwhile, or a certificate for a product without stars)."""


@dataclass(frozen=True)
class Evaluation:
    """The council's result: the total score, and the round and year it was given in."""

    score: int
    round: int
    year: int

    @property
    def stars(self) -> int | None:
        return stars_for(self.score)


@dataclass(frozen=True)
class Certificate:
    number: str
    granted: date
    expires: date  # granted + the validity (36 months), worked out by the caller's calendar


def _in(scope: Scope) -> Any:
    return scope.filter(
        province=Product.province_code, commune=Product.commune_code, owner=Product.user_id
    )


class Products:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def add_idea(
        self,
        submission: Submission,
        *,
        user: User,
        name: str,
        producer_name: str | None,
        group: str | None,
    ) -> Product:
        """A registered idea becomes a product, "submitted"; its history starts here."""
        product = Product(
            submission_id=submission.id,
            user_id=user.id,
            province_code=user.province_code,
            commune_code=user.commune_code,
            name=name,
            producer_name=producer_name,
            product_group=group,
            status=ProductStatus.SUBMITTED,
            status_changed_at=submission.submitted_at,
        )
        self.session.add(product)
        await self.session.flush()
        self.session.add(
            ProductEvent(
                product_id=product.id,
                user_id=user.id,
                from_status=None,
                to_status=ProductStatus.SUBMITTED,
                details={"receipt": submission.receipt},
                created_at=submission.submitted_at,
            )
        )
        await self.session.flush()
        return product

    async def of_user(self, user_id: int) -> Sequence[Product]:
        statement = select(Product).where(Product.user_id == user_id).order_by(Product.id)
        return (await self.session.scalars(statement)).all()

    async def for_submission(self, submission_id: int) -> Product | None:
        statement = select(Product).where(Product.submission_id == submission_id)
        return (await self.session.scalars(statement)).first()

    async def get(self, product_id: int, scope: Scope, *, lock: bool = False) -> Product | None:
        """The product if ``scope`` reaches it; locked for the step about to be written."""
        statement = select(Product).where(Product.id == product_id, _in(scope))
        if lock:
            statement = statement.with_for_update()
        return (await self.session.scalars(statement)).first()

    async def by_receipt(self, receipt: str, scope: Scope) -> tuple[Product, Submission] | None:
        """The idea registered under ``receipt`` (``YT-000001``, any case) in ``scope``."""
        statement = (
            select(Product, Submission)
            .join(Submission, Submission.id == Product.submission_id)
            .where(Submission.receipt == receipt_key(receipt), _in(scope))
        )
        row = (await self.session.execute(statement)).first()
        return (row[0], row[1]) if row is not None else None

    async def receipts(self, products: Iterable[Product]) -> dict[int, str]:
        """The receipt of each product registered as an idea (imported ones have none)."""
        ids = {p.submission_id: p.id for p in products if p.submission_id is not None}
        if not ids:
            return {}
        statement = select(Submission.id, Submission.receipt).where(Submission.id.in_(ids))
        return {ids[sid]: receipt for sid, receipt in (await self.session.execute(statement)).all()}

    async def history(self, product_id: int) -> Sequence[ProductEvent]:
        statement = (
            select(ProductEvent)
            .where(ProductEvent.product_id == product_id)
            .order_by(ProductEvent.created_at, ProductEvent.id)
        )
        return (await self.session.scalars(statement)).all()

    async def histories(self, product_ids: Iterable[int]) -> dict[int, list[ProductEvent]]:
        ids = sorted(set(product_ids))
        result: dict[int, list[ProductEvent]] = {i: [] for i in ids}
        if not ids:
            return result
        statement = (
            select(ProductEvent)
            .where(ProductEvent.product_id.in_(ids))
            .order_by(ProductEvent.product_id, ProductEvent.created_at, ProductEvent.id)
        )
        for event in (await self.session.scalars(statement)).all():
            result[event.product_id].append(event)
        return result

    async def last_step_to(self, product_id: int, status: str) -> ProductEvent | None:
        """The latest step that moved the product to ``status`` (who asked for more
        information, to tell them the producer answered)."""
        statement = (
            select(ProductEvent)
            .where(ProductEvent.product_id == product_id, ProductEvent.to_status == status)
            .order_by(ProductEvent.created_at.desc(), ProductEvent.id.desc())
            .limit(1)
        )
        return (await self.session.scalars(statement)).first()

    async def move(
        self,
        product: Product,
        to: str,
        *,
        user_id: int,
        now: datetime,
        reason: str | None = None,
        evaluation: Evaluation | None = None,
        certificate: Certificate | None = None,
    ) -> ProductEvent:
        """Take one step of the cycle (an officer's or admin's): the product's columns say
        where it stands now, the event says who moved it, when, from where, and why.

        Raises :class:`CycleError` when the cycle does not go from the product's state to
        ``to``, or the step lacks what it needs (a reason, the council's result, a
        certificate for a ranked product)."""
        current = product.status
        if not may_move(current, to):
            raise CycleError(f"{current} → {to}")
        details: dict[str, Any] = {}
        if to in WITH_REASON and not (reason and reason.strip()):
            raise CycleError(f"{to} needs a reason")
        if to == ProductStatus.EVALUATED:
            if evaluation is None:
                raise CycleError("evaluated needs the council's result")
            product.score, product.stars = evaluation.score, evaluation.stars
            product.evaluation_round, product.evaluation_year = evaluation.round, evaluation.year
            details = {
                "score": evaluation.score,
                "stars": evaluation.stars,
                "round": evaluation.round,
                "year": evaluation.year,
            }
        if to == ProductStatus.CERTIFIED:
            if certificate is None:
                raise CycleError("certified needs a certificate")
            if (product.stars or 0) < MIN_CERTIFIED_STARS:
                raise CycleError("only a ranked product is certified")
            product.certificate_number = certificate.number
            product.certificate_date = certificate.granted
            product.certificate_expires = certificate.expires
            details = {
                "stars": product.stars,
                "certificate": certificate.number,
                "granted": certificate.granted.isoformat(),
                "expires": certificate.expires.isoformat(),
            }
        return await self._step(product, to, user_id, now, reason, details)

    async def answer_info(
        self, product: Product, *, user_id: int, now: datetime, text: str
    ) -> ProductEvent:
        """The producer sends the information asked for: back to "under review"."""
        if product.status != ProductStatus.NEEDS_INFO or product.user_id != user_id:
            raise CycleError(f"{product.status}: no information was asked for")
        return await self._step(product, ProductStatus.UNDER_REVIEW, user_id, now, text, {})

    async def _step(
        self,
        product: Product,
        to: str,
        user_id: int,
        now: datetime,
        reason: str | None,
        details: dict[str, Any],
    ) -> ProductEvent:
        event = ProductEvent(
            product_id=product.id,
            user_id=user_id,
            from_status=product.status,
            to_status=to,
            reason=reason.strip() if reason else None,
            details=details,
            created_at=now,
        )
        product.status = to
        product.status_reason = event.reason if to in WITH_REASON else None
        product.status_changed_at = now
        product.updated_at = now
        self.session.add(event)
        await self.session.flush()
        return event


async def count_by_state(session: AsyncSession) -> dict[int | None, dict[str, int]]:
    """How many products stand in each state, by province (the admins' digest)."""
    statement = select(Product.province_code, Product.status, func.count()).group_by(
        Product.province_code, Product.status
    )
    counts: dict[int | None, dict[str, int]] = {}
    for province, status, n in (await session.execute(statement)).all():
        counts.setdefault(province, {})[status] = int(n)
    return counts
