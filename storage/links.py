"""One person on several messengers: link codes, wrong tries, and joining two users.

A person asks for a code on one messenger (``/lienket``) and types it on another. Codes are
short (six characters of an alphabet without look-alikes, so they can be read aloud and
typed on a phone), so three things keep them safe: only a hash is stored, a code is valid
for minutes and taken once with one conditional UPDATE (of two messengers typing it at the
same moment, one gets it), and a messenger that types too many wrong codes is stopped for a
while. Which of two users survives a join is the conversation's decision
(handlers/linking.py); here it is carried out, in the message's transaction.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from sqlalchemy import Column, UniqueConstraint, delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.invites import new_code
from storage.models import Base, Conversation, Identity, LinkAttempt, LinkCode, User

CODE_LENGTH = 6
CODE_VALID = timedelta(minutes=10)
MAX_WRONG = 5  # wrong codes from one messenger within WRONG_WINDOW ...
WRONG_WINDOW = timedelta(minutes=10)  # ... stop it until the oldest of them is this old
KEEP_SPENT = timedelta(days=1)  # used and expired codes, to say "used" rather than "wrong"
# Rows that exist only for a person or only log what happened: they never make a user
# "hold data" that a join would lose (the identities are moved, the conversation dropped).
NOT_RECORDS = frozenset(
    {"identities", "conversations", "outbox", "audit_log", "jobs", "link_codes", "link_attempts"}
)


class Found(StrEnum):
    LIVE = "live"
    WRONG = "wrong"
    USED = "used"
    EXPIRED = "expired"


def normalise(typed: str) -> str:
    """What people type: any case, spaces or dashes inside (``abc 234``, ``ABC-234``)."""
    return "".join(ch for ch in typed.upper() if ch.isalnum())


def code_hash(code: str) -> str:
    return hashlib.sha256(normalise(code).encode()).hexdigest()


def _references() -> list[Column[Any]]:
    """Every column that points at users.id, but the identities' own (moved explicitly)."""
    return [
        fk.parent
        for table in Base.metadata.sorted_tables
        for fk in table.foreign_keys
        if fk.column.table.name == "users" and fk.column.name == "id"
    ]


def _one_per_user(column: Column[Any]) -> bool:
    """A row that exists once per user (the conversation): the survivor keeps its own."""
    return bool(column.primary_key or column.unique) or any(
        isinstance(constraint, UniqueConstraint) and list(constraint.columns) == [column]
        for constraint in column.table.constraints
    )


class Links:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    # -- codes -------------------------------------------------------------------------------

    async def issue(self, user_id: int, identity_id: int, *, now: datetime) -> str:
        """A new code for this user, asked for on this identity; the one they asked for
        before stops working (a person follows the newest code they were given)."""
        await self.session.execute(
            update(LinkCode)
            .where(
                LinkCode.user_id == user_id,
                LinkCode.used_at.is_(None),
                LinkCode.expires_at > now,
            )
            .values(expires_at=now)
            .execution_options(synchronize_session=False)
        )
        await self.session.execute(
            delete(LinkCode)
            .where(LinkCode.expires_at < now - KEEP_SPENT)
            .execution_options(synchronize_session=False)
        )
        for _ in range(20):  # 32**6 codes: a clash with a kept one is rare, two are rarer
            code = new_code(CODE_LENGTH)
            hashed = code_hash(code)
            if await self.session.scalar(select(LinkCode.id).where(LinkCode.code_hash == hashed)):
                continue
            self.session.add(
                LinkCode(
                    code_hash=hashed,
                    user_id=user_id,
                    identity_id=identity_id,
                    created_at=now,
                    expires_at=now + CODE_VALID,
                )
            )
            await self.session.flush()
            return code
        raise RuntimeError("no free link code")  # pragma: no cover - 20 clashes in a row

    async def find(self, typed: str, *, now: datetime) -> tuple[Found, LinkCode | None]:
        """The code typed and whether it can still be taken; only :meth:`take` takes it."""
        if len(normalise(typed)) != CODE_LENGTH:
            return Found.WRONG, None
        code = await self.session.scalar(
            select(LinkCode).where(LinkCode.code_hash == code_hash(typed))
        )
        if code is None:
            return Found.WRONG, None
        if code.used_at is not None:
            return Found.USED, code
        if code.expires_at <= now:
            return Found.EXPIRED, code
        return Found.LIVE, code

    async def take(self, code: LinkCode, *, now: datetime) -> bool:
        """Use the code if nobody did meanwhile and it is still valid at ``now``.

        One conditional UPDATE: of two messengers taking it at once, the second waits for
        the first's row lock (PostgreSQL) or write lock (SQLite), then finds it used. It runs
        in the transaction that joins the users, so both happen or neither does."""
        result = await self.session.execute(
            update(LinkCode)
            .where(LinkCode.id == code.id, LinkCode.used_at.is_(None), LinkCode.expires_at > now)
            .values(used_at=now)
            .execution_options(synchronize_session=False)
        )
        taken = getattr(result, "rowcount", 0) == 1
        if taken:
            code.used_at = now
        return bool(taken)

    # -- wrong tries -------------------------------------------------------------------------

    async def wait_after_wrong(self, identity_id: int, *, now: datetime) -> timedelta | None:
        """How long this messenger must wait before typing another code; None: it may."""
        recent = (
            await self.session.scalars(
                select(LinkAttempt.created_at)
                .where(
                    LinkAttempt.identity_id == identity_id,
                    LinkAttempt.created_at > now - WRONG_WINDOW,
                )
                .order_by(LinkAttempt.created_at.desc())
                .limit(MAX_WRONG)
            )
        ).all()
        if len(recent) < MAX_WRONG:
            return None
        return recent[-1] + WRONG_WINDOW - now

    async def note_wrong(self, identity_id: int, *, now: datetime) -> None:
        await self.session.execute(
            delete(LinkAttempt).where(
                LinkAttempt.identity_id == identity_id,
                LinkAttempt.created_at <= now - WRONG_WINDOW,
            )
        )
        self.session.add(LinkAttempt(identity_id=identity_id, created_at=now))
        await self.session.flush()

    # -- the two users -----------------------------------------------------------------------

    async def lock_user(self, user_id: int) -> User | None:
        """The user as storage says now, locked until the commit (PostgreSQL), so their
        rights cannot change between the decision and the join."""
        return await self.session.scalar(
            select(User)
            .where(User.id == user_id)
            .with_for_update()
            .execution_options(populate_existing=True)
        )

    async def identity(self, identity_id: int) -> Identity | None:
        return await self.session.get(Identity, identity_id)

    async def identities(self, user_id: int) -> Sequence[Identity]:
        statement = select(Identity).where(Identity.user_id == user_id).order_by(Identity.id)
        return (await self.session.scalars(statement)).all()

    async def channels_of(self, user_ids: Iterable[int]) -> dict[int, list[str]]:
        """Each user's messengers, in the order they started using them (admin lists)."""
        ids = sorted(set(user_ids))
        if not ids:
            return {}
        rows = await self.session.execute(
            select(Identity.user_id, Identity.channel)
            .where(Identity.user_id.in_(ids))
            .order_by(Identity.user_id, Identity.id)
        )
        found: dict[int, list[str]] = {}
        for user_id, channel in rows:
            found.setdefault(user_id, []).append(channel)
        return found

    async def records_of(self, user_id: int) -> int:
        """How many kept records point at the user (reports, revisions, products, reviews,
        approvals, invites, announcements...): a user with any is not joined into another."""
        total = 0
        for column in _references():
            if column.table.name in NOT_RECORDS:
                continue
            total += int(
                await self.session.scalar(
                    select(func.count()).select_from(column.table).where(column == user_id)
                )
                or 0
            )
        return total

    async def join(self, survivor: User, absorbed: User) -> None:
        """Make ``absorbed`` part of ``survivor``: its identities move over, what points at
        it (its audit entries, the messages sent to it) points at the survivor, its open
        conversation is dropped and its row deleted. Only for an absorbed user without
        records (:meth:`records_of`): nothing kept is re-assigned to another person."""
        await self.session.flush()  # what this message added so far is re-pointed as well
        for identity in await self.identities(absorbed.id):  # ORM objects the pipeline holds
            identity.user_id = survivor.id
        await self.session.flush()
        await self.session.execute(delete(Conversation).where(Conversation.user_id == absorbed.id))
        for column in _references():
            if column.table.name in ("identities", "conversations"):
                continue
            if _one_per_user(column):
                statement: Any = delete(column.table).where(column == absorbed.id)
            else:
                statement = (
                    update(column.table)
                    .where(column == absorbed.id)
                    .values({column.name: survivor.id})
                )
            await self.session.execute(statement.execution_options(synchronize_session=False))
        await self.session.delete(absorbed)
        await self.session.flush()
