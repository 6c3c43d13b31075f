"""Background jobs as rows: written in the transaction of the message that asked for them,
claimed by one process at a time, and found again after a restart."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.leases import alive_holders
from storage.models import BackgroundJob, JobStatus, utcnow

# A job running this long was left behind, whatever its process says (an export takes
# seconds to a few minutes); another process may take it over.
STALE_AFTER = timedelta(minutes=30)


def _abandoned(now: datetime):  # type: ignore[no-untyped-def]
    """Running, but its process stopped beating (killed), or for far too long."""
    return (BackgroundJob.status == JobStatus.RUNNING) & (
        BackgroundJob.started_by.is_(None)
        | BackgroundJob.started_by.not_in(alive_holders(now))
        | (BackgroundJob.started_at < now - STALE_AFTER)
    )


class Jobs:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def add(
        self,
        *,
        kind: str,
        params: dict[str, Any],
        user_id: int,
        channel: str,
        address: str,
        language: str,
    ) -> int:
        job = BackgroundJob(
            kind=kind,
            params=params,
            user_id=user_id,
            channel=channel,
            address=address,
            language=language,
            status=JobStatus.PENDING,
            attempts=0,
        )
        self.session.add(job)
        await self.session.flush()
        return job.id

    async def claim(
        self, job_id: int, holder: str, now: datetime | None = None
    ) -> BackgroundJob | None:
        """Mark the job running for this process; None when another has it or it is over."""
        now = now or utcnow()
        result = await self.session.execute(
            update(BackgroundJob)
            .where(
                BackgroundJob.id == job_id,
                or_(BackgroundJob.status == JobStatus.PENDING, _abandoned(now)),
            )
            .values(
                status=JobStatus.RUNNING,
                started_at=now,
                started_by=holder,
                attempts=BackgroundJob.attempts + 1,
            )
            .execution_options(synchronize_session=False)
        )
        if not result.rowcount:  # type: ignore[attr-defined]
            return None
        return await self.session.get(BackgroundJob, job_id, populate_existing=True)

    async def finish(self, job_id: int, *, error: str | None = None) -> None:
        await self.session.execute(
            update(BackgroundJob)
            .where(BackgroundJob.id == job_id)
            .values(
                status=JobStatus.FAILED if error else JobStatus.DONE,
                error=error,
                finished_at=utcnow(),
            )
        )

    async def unfinished(self, now: datetime | None = None) -> Sequence[int]:
        """Jobs to take up: pending, or abandoned by a process that is gone."""
        now = now or utcnow()
        statement = select(BackgroundJob.id).where(
            or_(BackgroundJob.status == JobStatus.PENDING, _abandoned(now))
        )
        return (await self.session.scalars(statement.order_by(BackgroundJob.id))).all()
