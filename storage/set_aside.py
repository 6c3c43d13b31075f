"""Messages set aside: handled again and again without success while the database
answered. They are kept (not dropped, not retried for ever) for an admin to look at."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.messages import Inbound
from storage.models import SetAsideMessage

MAX_TEXT = 4000


class SetAside:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def keep(self, inbound: Inbound, *, attempts: int, error: str) -> None:
        typed = inbound.text if inbound.text is not None else inbound.payload
        self.session.add(
            SetAsideMessage(
                channel=inbound.channel,
                message_id=inbound.message_id[:100],
                address=inbound.user_id[:100],
                kind=str(inbound.kind),
                text=typed[:MAX_TEXT] if typed is not None else None,
                attempts=attempts,
                error=error,
            )
        )
        await self.session.flush()

    async def latest(self, limit: int = 50) -> Sequence[SetAsideMessage]:
        statement = select(SetAsideMessage).order_by(SetAsideMessage.id.desc()).limit(limit)
        return (await self.session.scalars(statement)).all()

    async def count(self) -> int:
        return int(
            await self.session.scalar(select(func.count()).select_from(SetAsideMessage)) or 0
        )
