"""Audit log: who did what that an admin may later need to account for."""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import AuditEntry


class AuditLog:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    def record(self, user_id: int | None, action: str, **detail: Any) -> None:
        self.session.add(AuditEntry(user_id=user_id, action=action, detail=detail))
