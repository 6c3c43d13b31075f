"""Invite codes: an officer who arrives with one skips the wait for approval."""

from __future__ import annotations

import secrets
from datetime import datetime

from sqlalchemy import or_, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Invite, utcnow

_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: codes are read aloud and typed


def new_code(length: int = 8) -> str:
    return "".join(secrets.choice(_ALPHABET) for _ in range(length))


class Invites:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def create(
        self,
        *,
        role: str,
        province_code: int,
        commune_code: int | None,
        created_by: int | None,
        expires_at: datetime | None = None,
        max_uses: int = 1,
    ) -> Invite:
        invite = Invite(
            code=new_code(),
            role=role,
            province_code=province_code,
            commune_code=commune_code,
            created_by=created_by,
            expires_at=expires_at,
            max_uses=max_uses,
        )
        self.session.add(invite)
        await self.session.flush()
        return invite

    async def usable(self, code: str, *, now: datetime | None = None) -> Invite | None:
        """The invite if it can still be used at ``now``: read when someone starts with it,
        to skip the questions it answers. Only :meth:`claim` makes it theirs."""
        invite = await self.session.get(Invite, code.strip().upper())
        if invite is None or invite.revoked or invite.uses >= invite.max_uses:
            return None
        if invite.expires_at is not None and invite.expires_at <= (now or utcnow()):
            return None
        return invite

    async def claim(self, code: str, *, now: datetime | None = None) -> bool:
        """Take one use of the code if it is still valid at this moment; False if it was
        revoked, expired or used up since it was read.

        One conditional UPDATE, so the check and the use cannot be split: of two people
        claiming the last use at once, the second waits for the first's row lock
        (PostgreSQL) or write lock (SQLite), then finds nothing left to take. It runs in
        the transaction that approves the person, so both happen or neither does.
        """
        moment = now or utcnow()
        result = await self.session.execute(
            update(Invite)
            .where(
                Invite.code == code.strip().upper(),
                Invite.revoked.is_(False),
                Invite.uses < Invite.max_uses,
                or_(Invite.expires_at.is_(None), Invite.expires_at > moment),
            )
            .values(uses=Invite.uses + 1)
        )
        return bool(getattr(result, "rowcount", 0) == 1)
