"""Reports of one province in every state, written straight into storage."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import select

from bot.app import App
from storage.models import Commune, Province, ReviewStatus, Submission

VN = ZoneInfo("Asia/Ho_Chi_Minh")
DEADLINE = datetime(2024, 6, 15, 23, 59, 59, tzinfo=VN)  # end of 15/06/2024
BEFORE = datetime(2024, 6, 10, 9, 0, tzinfo=VN)
AFTER = datetime(2024, 6, 20, 9, 0, tzinfo=VN)


async def province_named(app: App, fragment: str) -> Province:
    async with app.session_factory() as session:
        return (
            await session.scalars(select(Province).where(Province.name.like(f"%{fragment}%")))
        ).one()


async def seed_states(
    app: App, province: Province, *, keep: frozenset[int] = frozenset()
) -> dict[str, int]:
    """In ``province``, for commune_report 2024-Q2 (deleting what is there): 3 communes on
    time, 2 late, 1 on time but sent back for fixing, 1 late and accepted; the others
    missing (``keep``: communes left out of the seven). Returns how many communes the
    province has and how many of each state."""
    async with app.session_factory() as session, session.begin():
        for old in (await session.scalars(select(Submission))).all():
            await session.delete(old)
        communes = (
            await session.scalars(
                select(Commune)
                .where(Commune.province_code == province.code)
                .order_by(Commune.name_folded)
            )
        ).all()
        filing = [c for c in communes if c.code not in keep]
        plan = [
            (BEFORE, None),
            (BEFORE, None),
            (BEFORE, None),
            (AFTER, None),
            (AFTER, None),
            (BEFORE, ReviewStatus.NEEDS_FIX),
            (AFTER, ReviewStatus.ACCEPTED),
        ]
        for number, ((sent, review), commune) in enumerate(zip(plan, filing, strict=False)):
            session.add(
                Submission(
                    form_id="commune_report",
                    period="2024-Q2",
                    scope_key=f"commune:{commune.code}",
                    province_code=province.code,
                    commune_code=commune.code,
                    receipt=f"BCX-9{number:05d}",
                    answers={"products_registered": number},
                    submitted_at=sent,
                    updated_at=sent,
                    review_status=review,
                )
            )
    return {
        "communes": len(communes),
        "received": 7,
        "on_time": 4,
        "late": 3,
        "needs_fix": 1,
        "accepted": 1,
        "missing": len(communes) - 7,
    }
