"""Secrets the bot makes for itself and every worker must share (the key that signs
download links), kept in the database.

Why the database: with ``OCOP_WEBHOOK_WORKERS`` above 1 (or several machines) a secret made
in memory would differ from process to process, and a link signed by one worker would be
refused by the next. The first process to ask inserts a random value; the insert does
nothing when another got there first, and everybody reads the one stored row.
"""

from __future__ import annotations

import secrets

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import AppSecret, utcnow
from storage.upsert import insert_ignore


async def shared_secret(session: AsyncSession, name: str) -> str:
    """The secret stored under ``name``, made (32 random bytes) if there is none yet."""
    await insert_ignore(
        session,
        AppSecret,
        {"name": name, "value": secrets.token_urlsafe(32), "created_at": utcnow()},
    )
    value = await session.scalar(select(AppSecret.value).where(AppSecret.name == name))
    assert value is not None  # inserted above, or by whoever won the race
    return value
