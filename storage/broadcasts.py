"""Broadcasts: who receives an announcement, and telling its author how it went."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import case, exists, func, or_, select
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
from storage.reach import notice_reachable_sql, oa_window
from storage.scope import Scope
from storage.zalo_oa import UNREACHED_PREFIXES


@dataclass(frozen=True)
class AudienceFilter:
    """Who an announcement is for: active people of a role and place within the author's
    scope, the author left out. The preview counts them and the sending lists them with
    the same conditions (:meth:`conditions`)."""

    scope: Scope
    role: str | None = None
    province_code: int | None = None
    commune_code: int | None = None
    exclude: int | None = None

    def conditions(self) -> list[Any]:
        """The conditions on ``users``; a person with no messenger at all is not counted."""
        where: list[Any] = [
            User.status == UserStatus.ACTIVE,
            self.scope.filter(province=User.province_code, commune=User.commune_code),
            exists().where(Identity.user_id == User.id),
        ]
        if self.role is not None:
            where.append(User.role == self.role)
        if self.province_code is not None:
            where.append(User.province_code == self.province_code)
        if self.commune_code is not None:
            where.append(User.commune_code == self.commune_code)
        if self.exclude is not None:
            where.append(User.id != self.exclude)
        return where


@dataclass(frozen=True)
class Audience:
    """Who an announcement would go to, for the admin's preview."""

    people: int
    # ...of whom no messenger can carry it now: their message will be kept as a failed
    # 'unreachable:' row (storage/reach.py), so the preview says so before it is sent.
    unreachable: int


@dataclass(frozen=True)
class Outcome:
    """How an announcement's messages ended, for its author's report."""

    delivered: int
    # Not delivered, for any reason (blocked, refused, nothing could carry it)...
    failed: int
    # ...of which kept unsent because no messenger of theirs could carry it (storage/reach.py).
    unreached: int


class Broadcasts:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def recipients(self, audience: AudienceFilter) -> Sequence[User]:
        """Active users the admin may reach, of a role and place, with a messenger at all.

        Also those no messenger can carry a message to now (unfollowed, blocked, a closed
        Zalo OA window): like every notice, theirs is kept as a failed row counted as
        unreachable (storage/reach.py) and in the author's report, not left out unseen."""
        statement = select(User).where(*audience.conditions())
        return (await self.session.scalars(statement.order_by(User.id))).all()

    async def audience(self, audience: AudienceFilter, *, now: datetime | None = None) -> Audience:
        """How many :meth:`recipients` there are, and how many of them no messenger can
        reach now (as ``Users.notice_target`` will find when the message is queued),
        counted in the database."""
        unreachable = case((~notice_reachable_sql(User.id, now or utcnow(), oa_window()), 1))
        row = (
            await self.session.execute(
                select(func.count(), func.count(unreachable)).where(*audience.conditions())
            )
        ).one()
        return Audience(people=int(row[0]), unreachable=int(row[1]))

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

    async def finished_unreported(self) -> list[tuple[Broadcast, Outcome]]:
        """Broadcasts whose every message has a final status, not yet reported to the author."""
        pending = await self.session.scalars(
            select(Broadcast).where(Broadcast.reported_at.is_(None))
        )
        unreached = case(
            (or_(*(OutboxMessage.error.like(p + "%") for p in UNREACHED_PREFIXES)), 1), else_=0
        )
        done: list[tuple[Broadcast, Outcome]] = []
        for broadcast in pending:
            prefix = f"broadcast:{broadcast.id}:"
            rows = await self.session.execute(
                select(OutboxMessage.status, func.count(), func.sum(unreached))
                .where(OutboxMessage.dedupe_key.startswith(prefix))
                .group_by(OutboxMessage.status)
            )
            counts = {status: (int(n), int(u or 0)) for status, n, u in rows}
            if OutboxStatus.PENDING in counts:
                continue
            failed = [counts.get(s, (0, 0)) for s in (OutboxStatus.FAILED, OutboxStatus.BLOCKED)]
            outcome = Outcome(
                delivered=counts.get(OutboxStatus.SENT, (0, 0))[0],
                failed=sum(n for n, _ in failed),
                unreached=sum(u for _, u in failed),
            )
            done.append((broadcast, outcome))
        return done

    @staticmethod
    def mark_reported(broadcast: Broadcast) -> None:
        broadcast.reported_at = utcnow()
