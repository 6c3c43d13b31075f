"""Invite codes: an officer who arrives with one skips the wait for approval."""

from __future__ import annotations

import secrets
from datetime import datetime

from sqlalchemy import update
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

    async def usable(self, code: str) -> Invite | None:
        invite = await self.session.get(Invite, code.strip().upper())
        if invite is None or invite.revoked or invite.uses >= invite.max_uses:
            return None
        if invite.expires_at is not None and invite.expires_at < utcnow():
            return None
        return invite

    async def use(self, code: str) -> None:
        await self.session.execute(
            update(Invite).where(Invite.code == code).values(uses=Invite.uses + 1)
        )
