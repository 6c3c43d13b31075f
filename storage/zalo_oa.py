"""The Zalo OA's rows: its rotating tokens and the daily ZNS spend (storage/models/zalo_oa.py).

Both are shared by every worker, so every change that must happen once is one conditional
UPDATE whose row count says who won: a refresh is claimed (the row's ``version`` must be
the one read, and no other claim alive), a ZNS message takes one of the day's places
(``sent < cap``). That works the same on SQLite and PostgreSQL, without holding a row lock
across the HTTP call to Zalo.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import OutboxMessage, OutboxStatus, User, ZaloOaToken, ZnsSpend, utcnow
from storage.upsert import insert_ignore

TOKENS = "oa"
# How the failed rows of reminders nobody could carry begin (scheduler/routing.py, zns.py).
UNREACHED_PREFIXES = ("unreachable:", "daily ZNS cap")


def digest(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class Tokens:
    """One read of the stored tokens."""

    access_token: str | None
    refresh_token: str
    expires_at: datetime | None
    version: int
    refreshing_until: datetime | None

    def usable(self, now: datetime) -> bool:
        return bool(self.access_token) and (self.expires_at is None or self.expires_at > now)

    def claimed(self, now: datetime) -> bool:
        return self.refreshing_until is not None and self.refreshing_until > now


class TokenRows:
    def __init__(self, session: AsyncSession, name: str = TOKENS) -> None:
        self.session = session
        self.name = name

    async def seed(self, refresh_token: str) -> None:
        """Store the refresh token of the settings unless it is the one stored already
        (then the rotated ones stored since are newer): a new one replaces everything."""
        seed = digest(refresh_token)
        now = utcnow()
        inserted = await insert_ignore(
            self.session,
            ZaloOaToken,
            {
                "name": self.name,
                "access_token": None,
                "refresh_token": refresh_token,
                "expires_at": None,
                "seed_digest": seed,
                "version": 0,
                "refreshing_until": None,
                "updated_at": now,
            },
        )
        if inserted:
            return
        await self.session.execute(
            update(ZaloOaToken)
            .where(ZaloOaToken.name == self.name, ZaloOaToken.seed_digest != seed)
            .values(
                access_token=None,
                refresh_token=refresh_token,
                expires_at=None,
                seed_digest=seed,
                version=ZaloOaToken.version + 1,
                refreshing_until=None,
                updated_at=now,
            )
        )

    async def read(self) -> Tokens | None:
        row = (
            await self.session.execute(
                select(
                    ZaloOaToken.access_token,
                    ZaloOaToken.refresh_token,
                    ZaloOaToken.expires_at,
                    ZaloOaToken.version,
                    ZaloOaToken.refreshing_until,
                ).where(ZaloOaToken.name == self.name)
            )
        ).first()
        return Tokens(*row) if row is not None else None

    async def claim(self, version: int, until: datetime, now: datetime) -> bool:
        """Take the right to refresh: only if nothing changed since ``version`` was read
        and no other claim is alive. True for exactly one of several callers."""
        result = await self.session.execute(
            update(ZaloOaToken)
            .where(
                ZaloOaToken.name == self.name,
                ZaloOaToken.version == version,
                or_(ZaloOaToken.refreshing_until.is_(None), ZaloOaToken.refreshing_until <= now),
            )
            .values(refreshing_until=until, version=ZaloOaToken.version + 1)
        )
        return bool(result.rowcount)  # type: ignore[attr-defined]

    async def store(self, access_token: str, refresh_token: str, expires_at: datetime) -> None:
        """The new pair, unconditionally: the old refresh token is spent, so the new one
        must never be dropped, whoever else wrote meanwhile."""
        await self.session.execute(
            update(ZaloOaToken)
            .where(ZaloOaToken.name == self.name)
            .values(
                access_token=access_token,
                refresh_token=refresh_token,
                expires_at=expires_at,
                version=ZaloOaToken.version + 1,
                refreshing_until=None,
                updated_at=utcnow(),
            )
        )

    async def release(self) -> None:
        """Give up a claim (the refresh failed): another worker may try."""
        await self.session.execute(
            update(ZaloOaToken)
            .where(ZaloOaToken.name == self.name)
            .values(refreshing_until=None, version=ZaloOaToken.version + 1)
        )


class ZnsSpendRows:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def take(self, day: date, cap: int, cost: int) -> bool:
        """Count one ZNS message for ``day`` unless the cap is reached (False then)."""
        await insert_ignore(self.session, ZnsSpend, {"day": day, "sent": 0, "cost": 0})
        result = await self.session.execute(
            update(ZnsSpend)
            .where(ZnsSpend.day == day, ZnsSpend.sent < cap)
            .values(sent=ZnsSpend.sent + 1, cost=ZnsSpend.cost + cost)
        )
        return bool(result.rowcount)  # type: ignore[attr-defined]

    async def give_back(self, day: date, cost: int) -> None:
        """Zalo refused the message: it was not spent."""
        await self.session.execute(
            update(ZnsSpend)
            .where(ZnsSpend.day == day, ZnsSpend.sent > 0)
            .values(sent=ZnsSpend.sent - 1, cost=ZnsSpend.cost - cost)
        )

    async def since(self, first: date) -> list[tuple[date, int, int]]:
        """(day, messages, đồng) of every day from ``first`` that sent any, oldest first."""
        rows = await self.session.execute(
            select(ZnsSpend.day, ZnsSpend.sent, ZnsSpend.cost)
            .where(ZnsSpend.day >= first, ZnsSpend.sent > 0)
            .order_by(ZnsSpend.day)
        )
        return [(day, int(sent), int(cost)) for day, sent, cost in rows.all()]

    async def spent(self, day: date) -> tuple[int, int]:
        """(messages, đồng) of ``day``."""
        row = (
            await self.session.execute(
                select(ZnsSpend.sent, ZnsSpend.cost).where(ZnsSpend.day == day)
            )
        ).first()
        return (int(row[0]), int(row[1])) if row else (0, 0)


async def unreached_by_province(session: AsyncSession, since: datetime) -> dict[int | None, int]:
    """Reminders written since ``since`` that nobody could carry (the Zalo OA's window was
    closed, no ZNS template or over the cap, no other messenger), by the person's province."""
    statement = (
        select(User.province_code, func.count())
        .select_from(OutboxMessage)
        .join(User, User.id == OutboxMessage.user_id)
        .where(
            OutboxMessage.status == OutboxStatus.FAILED,
            OutboxMessage.created_at >= since,
            or_(*(OutboxMessage.error.like(prefix + "%") for prefix in UNREACHED_PREFIXES)),
        )
        .group_by(User.province_code)
    )
    return {province: int(n) for province, n in (await session.execute(statement)).all()}
