"""What the page shows: the bot's messages to one browser, read from the outbox.

Only delivered rows (status ``sent``): a reminder queued for after the quiet hours is not
shown before its time, and what the sender has not yet handed over is not shown twice.
Rows are identified by their outbox id, which is also the event id of the stream, so a
page that reconnects asks for what came after the last one it showed.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.channels.web.channel import CHANNEL
from bot.messages import Outbound
from storage.models import OutboxMessage, OutboxStatus

log = logging.getLogger(__name__)

RECENT = 50  # messages a page opens with
BATCH = 100  # messages read at once when catching up


@dataclass(frozen=True)
class Shown:
    id: int
    message: Outbound

    def as_json(self) -> dict[str, Any]:
        """What the page's script reads: text, rows of buttons (label and payload)."""
        return {
            "id": self.id,
            "text": self.message.text,
            "buttons": [
                [{"label": button.label, "payload": button.payload} for button in row]
                for row in self.message.buttons
                if row
            ],
        }


def _conversation(address: str) -> Any:
    return select(OutboxMessage.id, OutboxMessage.payload).where(
        OutboxMessage.channel == CHANNEL,
        OutboxMessage.address == address,
        OutboxMessage.status == OutboxStatus.SENT,
    )


def _shown(rows: list[Any]) -> list[Shown]:
    shown: list[Shown] = []
    for row_id, payload in rows:
        try:
            shown.append(Shown(int(row_id), Outbound.model_validate(payload)))
        except ValidationError:  # written by another version of the bot: skip, never fail
            log.warning("outbox row %s cannot be shown in the browser chat", row_id)
    return shown


async def recent(
    session_factory: async_sessionmaker[AsyncSession], address: str, *, limit: int = RECENT
) -> list[Shown]:
    """The last ``limit`` messages, oldest first."""
    statement = _conversation(address).order_by(OutboxMessage.id.desc()).limit(limit)
    async with session_factory() as session:
        rows = list((await session.execute(statement)).all())
    return _shown(rows[::-1])


async def after(
    session_factory: async_sessionmaker[AsyncSession],
    address: str,
    last: int,
    *,
    limit: int = BATCH,
) -> list[Shown]:
    """Messages after the one with id ``last``, oldest first, at most ``limit``."""
    statement = (
        _conversation(address)
        .where(OutboxMessage.id > last)
        .order_by(OutboxMessage.id)
        .limit(limit)
    )
    async with session_factory() as session:
        rows = list((await session.execute(statement)).all())
    return _shown(rows)
