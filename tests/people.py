"""People the notice and broadcast tests need: identities on several messengers, each last
seen some time ago and reachable or not (storage/reach.py decides from those), and the outbox
rows a person was given."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Identity, OutboxMessage, utcnow

if TYPE_CHECKING:
    from bot.app import App

# (channel, last seen how long ago, reachable)
Seen = tuple[str, timedelta, bool]


def add_identities(
    session: AsyncSession, user_id: int, identities: Iterable[Seen], *, now: datetime | None = None
) -> None:
    now = now or utcnow()
    for channel, ago, reachable in identities:
        session.add(
            Identity(
                user_id=user_id,
                channel=channel,
                external_id=f"{channel}-{user_id}",
                last_seen_at=now - ago,
                reachable=reachable,
            )
        )


async def outbox_rows(app: App, user_id: int) -> list[OutboxMessage]:
    async with app.session_factory() as session:
        return list(
            (
                await session.scalars(
                    select(OutboxMessage)
                    .where(OutboxMessage.user_id == user_id)
                    .order_by(OutboxMessage.id)
                )
            ).all()
        )
