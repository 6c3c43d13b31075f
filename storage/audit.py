"""Audit log: who did what that an admin may later need to account for."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import AuditEntry


class AuditLog:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    def record(self, user_id: int | None, action: str, **detail: Any) -> None:
        self.session.add(AuditEntry(user_id=user_id, action=action, detail=detail))

    async def status_before_lock(self, user_id: int) -> str | None:
        """What the account was (active, waiting for approval, rejected) when ``/khoa``
        last locked it, so that ``/mokhoa`` gives back exactly that and never approves
        anyone by the way; None when no lock was recorded with it."""
        statement = (
            select(AuditEntry.detail)
            .where(
                AuditEntry.action == "user_disabled",
                AuditEntry.detail["user"].as_integer() == user_id,
            )
            .order_by(AuditEntry.id.desc())
            .limit(1)
        )
        detail = await self.session.scalar(statement)
        was = detail.get("was") if isinstance(detail, dict) else None
        return was if isinstance(was, str) else None
