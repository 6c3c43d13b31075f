"""Broadcasts: who receives an announcement, and telling its author how it went."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import exists, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import (
    Broadcast,
    Identity,
    OutboxMessage,
    OutboxStatus,
    User,
    UserStatus,
    utcnow,
)
from storage.scope import Scope


class Broadcasts:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def recipients(
        self,
        scope: Scope,
        *,
        role: str | None,
        province_code: int | None,
        commune_code: int | None,
        exclude: int | None = None,
    ) -> Sequence[User]:
        """Active users the admin may reach, of a role and place, who can be reached at all."""
        statement = select(User).where(
            User.status == UserStatus.ACTIVE,
            scope.filter(province=User.province_code, commune=User.commune_code),
            exists().where(Identity.user_id == User.id, Identity.reachable.is_(True)),
        )
        if role is not None:
            statement = statement.where(User.role == role)
        if province_code is not None:
            statement = statement.where(User.province_code == province_code)
        if commune_code is not None:
            statement = statement.where(User.commune_code == commune_code)
        if exclude is not None:
            statement = statement.where(User.id != exclude)
        return (await self.session.scalars(statement.order_by(User.id))).all()

    async def create(
        self,
        *,
        author_id: int,
        text: str,
        audience: str,
        province_code: int | None,
        commune_code: int | None,
        recipients: int,
    ) -> Broadcast:
        broadcast = Broadcast(
            author_id=author_id,
            text=text,
            audience=audience,
            province_code=province_code,
            commune_code=commune_code,
            recipients=recipients,
        )
        self.session.add(broadcast)
        await self.session.flush()
        return broadcast

    async def finished_unreported(self) -> list[tuple[Broadcast, dict[str, int]]]:
        """Broadcasts whose every message has a final status, not yet reported to the author."""
        pending = await self.session.scalars(
            select(Broadcast).where(Broadcast.reported_at.is_(None))
        )
        done: list[tuple[Broadcast, dict[str, int]]] = []
        for broadcast in pending:
            prefix = f"broadcast:{broadcast.id}:"
            rows = await self.session.execute(
                select(OutboxMessage.status, func.count())
                .where(OutboxMessage.dedupe_key.startswith(prefix))
                .group_by(OutboxMessage.status)
            )
            counts = {status: int(n) for status, n in rows}
            if counts.get(OutboxStatus.PENDING, 0) == 0:
                done.append((broadcast, counts))
        return done

    @staticmethod
    def mark_reported(broadcast: Broadcast) -> None:
        broadcast.reported_at = utcnow()
