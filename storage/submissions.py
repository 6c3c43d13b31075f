"""Filed forms and their revisions (products registered through ideas: storage/products.py)."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Submission, SubmissionRevision, User
from storage.products import Products  # noqa: F401  (re-exported: the pipeline imports it here)
from storage.receipts import receipt_of

_FIND = select(Submission).where(
    Submission.form_id == bindparam("form_id"),
    Submission.period == bindparam("period"),
    Submission.scope_key == bindparam("scope_key"),
)
_FIND_LOCKED = _FIND.with_for_update()


class Submissions:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session
        # What this message has looked up already: starting a form asks twice (which period
        # is open, then whether it was filed). One instance serves one message.
        self._found: dict[tuple[str, str, str], Submission | None] = {}

    async def find(
        self, form_id: str, period: str, scope_key: str, *, lock: bool = False
    ) -> Submission | None:
        key = (form_id, period, scope_key)
        if not lock and key in self._found:
            return self._found[key]
        params = {"form_id": form_id, "period": period, "scope_key": scope_key}
        found = (await self.session.scalars(_FIND_LOCKED if lock else _FIND, params)).first()
        self._found[key] = found
        return found

    async def get(self, submission_id: int) -> Submission | None:
        return await self.session.get(Submission, submission_id)

    async def create(
        self,
        *,
        form_id: str,
        period: str,
        scope_key: str,
        receipt_prefix: str,
        user: User,
        answers: dict[str, Any],
        now: datetime,
    ) -> Submission:
        """File a first revision. Two officers racing here meet the unique key; the loser's
        message is replayed by the pipeline and then finds the winner's report."""
        submission = Submission(
            form_id=form_id,
            period=period,
            scope_key=scope_key,
            province_code=user.province_code,
            commune_code=user.commune_code,
            user_id=user.id,
            revision=1,
            # The receipt needs the id; until the next statement sets it, a placeholder of
            # its own. A shared one ("pending") made every concurrent filing wait on the
            # unique index for the first one's commit.
            receipt=f"pending-{uuid.uuid4().hex[:16]}",
            answers=answers,
            submitted_at=now,
            updated_at=now,
            updated_by=user.id,
        )
        self.session.add(submission)
        await self.session.flush()
        submission.receipt = receipt_of(receipt_prefix, submission.id)
        self.session.add(
            SubmissionRevision(
                submission_id=submission.id,
                revision=1,
                answers=answers,
                user_id=user.id,
                created_at=now,
            )
        )
        await self.session.flush()
        self._found[(form_id, period, scope_key)] = submission
        return submission

    async def revise(
        self, submission: Submission, *, user: User, answers: dict[str, Any], now: datetime
    ) -> Submission:
        """A new revision becomes the report; the earlier ones stay in the history."""
        submission.revision += 1
        submission.answers = answers
        submission.updated_at = now
        submission.updated_by = user.id
        submission.status = "submitted"
        submission.review_status = None  # a fixed report waits for a new review
        self.session.add(
            SubmissionRevision(
                submission_id=submission.id,
                revision=submission.revision,
                answers=answers,
                user_id=user.id,
                created_at=now,
            )
        )
        await self.session.flush()
        return submission

    async def revisions(self, submission_id: int) -> Sequence[SubmissionRevision]:
        statement = (
            select(SubmissionRevision)
            .where(SubmissionRevision.submission_id == submission_id)
            .order_by(SubmissionRevision.revision)
        )
        return (await self.session.scalars(statement)).all()

    async def count_for_user(self, form_id: str, user_id: int) -> int:
        statement = select(func.count()).where(
            Submission.form_id == form_id, Submission.user_id == user_id
        )
        return int(await self.session.scalar(statement) or 0)

    async def earlier_answers(
        self, form_id: str, scope_key: str, *, before: str, limit: int = 12
    ) -> list[dict[str, Any]]:
        """The answers of the same report in the periods before ``before`` (latest first, at
        most ``limit``): what a check compares a new month's numbers with (``usual()``).
        Period keys of one kind sort as text ("2024-06" < "2024-07")."""
        statement = (
            select(Submission.answers)
            .where(
                Submission.form_id == form_id,
                Submission.scope_key == scope_key,
                Submission.period < before,
                Submission.period != "",
            )
            .order_by(Submission.period.desc())
            .limit(limit)
        )
        return [dict(answers) for answers in (await self.session.scalars(statement)).all()]
