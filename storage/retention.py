"""Retention: what the outbox keeps once a message is delivered, and for how long.

A delivered message has done its work; what it said (names, phone numbers, a workbook of
reports) is personal data kept for no purpose. So:

- an export's file leaves the outbox as soon as it is delivered (:func:`without_document`,
  called when a row is marked sent; the purge catches any that slipped through);
- delivered rows are deleted after ``OCOP_OUTBOX_RETENTION_DAYS`` (default 30). A row with a
  dedupe key (a reminder, an announcement) is reduced to its key instead: the key is the
  promise that the reminder is never sent twice, and it holds no personal data;
- leftovers of erased people (a message queued in the same instant, their conversation)
  and anonymous placeholders that no report points at any more are removed;
- files past their expiry (exports behind download links: storage/files.py) are deleted;
- kept photos that no report, earlier revision or draft in progress names (one sent
  outside a photo question, or as a new person's first message, which has no owner) are
  deleted after a grace period (``storage.files.ORPHAN_GRACE``, two days).

The purge runs at start-up and daily (scheduler/runner.py); each step is one statement
(the documents aside, which are few), so it is cheap on a large outbox.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import String, cast, delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from storage.files import purge_expired_files, purge_orphan_photos
from storage.models import (
    BackgroundJob,
    Conversation,
    JobStatus,
    OutboxMessage,
    OutboxStatus,
    SetAsideMessage,
    User,
    UserStatus,
    utcnow,
)
from storage.personal_data import drop_placeholders

log = logging.getLogger(__name__)

DEFAULT_DAYS = 30
DELIVERED = (OutboxStatus.SENT, OutboxStatus.FAILED, OutboxStatus.BLOCKED)
_TABLE = OutboxMessage.__table__
_DOCUMENT = '"document": {'  # how a row with a file looks in its stored JSON, on both backends


@dataclass(frozen=True)
class Purged:
    documents: int = 0  # files dropped from delivered rows
    deleted: int = 0  # delivered rows deleted
    reduced: int = 0  # delivered rows reduced to their dedupe key
    conversations: int = 0  # conversations of erased people
    placeholders: int = 0  # anonymous users no report points at
    files: int = 0  # stored files past their expiry (download links)
    photos: int = 0  # kept photos no answer names (after the grace period)


def without_document(payload: dict[str, Any]) -> dict[str, Any] | None:
    """The payload of a delivered row without its file, or None when it carried none.

    For the sender: ``mark_sent`` stores this instead of the payload, so an export never
    stays in the database once the admin has it.
    """
    if not payload.get("document"):
        return None
    return {**payload, "document": None}


async def purge(
    session: AsyncSession, *, days: int = DEFAULT_DAYS, now: datetime | None = None
) -> Purged:
    """Apply the retention rules above, in the caller's transaction."""
    cutoff = (now or utcnow()) - timedelta(days=days)
    delivered = _TABLE.c.status.in_(DELIVERED)
    documents = await forget_documents(session)
    erased = select(User.id).where(User.status == UserStatus.ERASED).scalar_subquery()
    leftovers = await session.execute(delete(_TABLE).where(delivered, _TABLE.c.user_id.in_(erased)))
    conversations = await session.execute(
        delete(Conversation.__table__).where(Conversation.user_id.in_(erased))
    )
    old = func.coalesce(_TABLE.c.sent_at, _TABLE.c.created_at) < cutoff
    deleted = await session.execute(
        delete(_TABLE).where(delivered, old, _TABLE.c.dedupe_key.is_(None))
    )
    reduced = await session.execute(
        update(_TABLE)
        .where(delivered, old, _TABLE.c.dedupe_key.is_not(None), _TABLE.c.address != "")
        .values(payload={"text": ""}, address="", error=None)
    )
    placeholders = await drop_placeholders(session)
    files = await purge_expired_files(session, now)
    photos = await purge_orphan_photos(session, now)
    # What was set aside, and finished background jobs, hold typed text and personal
    # parameters too: they go with the same period.
    await session.execute(delete(SetAsideMessage).where(SetAsideMessage.created_at < cutoff))
    await session.execute(
        delete(BackgroundJob).where(
            BackgroundJob.status.in_((JobStatus.DONE, JobStatus.FAILED)),
            BackgroundJob.created_at < cutoff,
        )
    )
    return Purged(
        documents=documents,
        deleted=_count(deleted) + _count(leftovers),
        reduced=_count(reduced),
        conversations=_count(conversations),
        placeholders=placeholders,
        files=files,
        photos=photos,
    )


async def forget_documents(session: AsyncSession) -> int:
    """Drop the file of every delivered row that still carries one."""
    statement = select(_TABLE.c.id, _TABLE.c.payload).where(
        _TABLE.c.status.in_(DELIVERED),
        cast(_TABLE.c.payload, String).contains(_DOCUMENT, autoescape=True),
    )
    changed = 0
    for row_id, payload in (await session.execute(statement)).all():
        lighter = without_document(payload)
        if lighter is not None:
            await session.execute(
                update(_TABLE).where(_TABLE.c.id == row_id).values(payload=lighter)
            )
            changed += 1
    return changed


async def purge_now(
    session_factory: async_sessionmaker[AsyncSession], *, days: int, now: datetime | None = None
) -> Purged:
    """One purge in a transaction of its own (the scheduler's daily run)."""
    async with session_factory() as session, session.begin():
        purged = await purge(session, days=days, now=now)
    if purged != Purged():
        log.info("retention purge: %s", purged)
    return purged


def _count(result: Any) -> int:
    return int(result.rowcount or 0)
