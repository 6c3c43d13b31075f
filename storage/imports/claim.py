"""An imported officer who registers in the chat: linked to the office's list and approved.

The person who registers keeps their own user (it has their messenger identity, their
conversation and their consent); the imported row, which was only a placeholder from the
list, is removed, and the audit log keeps what it said. Approval needs proof that the number
is theirs: the phone shared from the messenger's contact button, which the platform vouches
for. A typed number proves nothing (anyone can type an officer's number), so such an
officer waits for an admin as usual. The commune must also be the one on the list.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.audit import AuditLog
from storage.imports.officers import IMPORTED
from storage.models import Role, User, UserStatus, utcnow


async def imported_officer(session: AsyncSession, phone: str) -> User | None:
    """The officer pre-registered with this number (E.164), if any: for an admin's
    notification ("on the office's list") even when the number could not be verified."""
    statement = select(User).where(
        User.phone == phone, User.status == IMPORTED, User.role == Role.OFFICER
    )
    return (await session.scalars(statement.order_by(User.id))).first()


async def claim_imported_officer(
    session: AsyncSession,
    user: User,
    phone: str | None,
    *,
    verified: bool,
    now: datetime | None = None,
) -> bool:
    """Approve ``user`` (an officer finishing onboarding) when the office's list has them:
    same phone, verified, same commune. True when approved; then the imported row is gone.
    """
    if not verified or not phone or user.role != Role.OFFICER:
        return False
    listed = await imported_officer(session, phone)
    if listed is None or listed.id == user.id or listed.commune_code != user.commune_code:
        return False
    user.status = UserStatus.ACTIVE
    user.approved_at = now or utcnow()
    user.approved_by = None  # approved by the office's list, not by a person
    AuditLog(session).record(
        user.id,
        "imported_officer_claimed",
        imported_user=listed.id,
        listed_name=listed.full_name,
        commune=listed.commune_code,
    )
    await session.delete(listed)
    await session.flush()
    return True
