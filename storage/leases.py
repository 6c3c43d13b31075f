"""Who holds the outbox's leases, and freeing those of a sender that is gone.

A sender claims rows with a lease (``next_attempt_at`` moved a minute ahead) so that two
senders never send the same row. If the sender dies, its rows would wait out the lease: an
officer hears nothing for a minute after a restart. So each lease names its holder, each
live sender writes a heartbeat every few seconds, and any sender frees the leases of
holders whose heartbeat stopped. A live sender keeps beating while it works, so its rows are
never taken from it; only one stalled longer than ``DEAD_AFTER`` would be (and then its
lease would have been as good as lost anyway).
"""

from __future__ import annotations

import os
import socket
import uuid
from collections.abc import Sequence
from datetime import datetime, timedelta

from sqlalchemy import Select, delete, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import OutboxMessage, OutboxStatus, SenderHeartbeat

BEAT_EVERY = timedelta(seconds=2)
DEAD_AFTER = timedelta(seconds=10)
FORGET_AFTER = timedelta(days=1)  # heartbeats of long-gone holders are only weight

_process: tuple[int, str] | None = None


def this_process() -> str:
    """This process's name as a holder: unique across hosts, processes and restarts (and
    renewed in a forked worker, whose pid differs)."""
    global _process
    if _process is None or _process[0] != os.getpid():
        name = f"{socket.gethostname()[:30]}:{os.getpid()}:{uuid.uuid4().hex[:12]}"
        _process = (os.getpid(), name)
    return _process[1]


def alive_holders(now: datetime) -> Select[tuple[str]]:
    """The holders that beat recently (a subquery for "is its holder still alive?")."""
    return select(SenderHeartbeat.holder).where(SenderHeartbeat.beat_at > now - DEAD_AFTER)


class Leases:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def beat(self, holder: str, now: datetime) -> None:
        """This holder is alive at ``now``."""
        connection = await self.session.connection()
        module = postgresql if connection.dialect.name == "postgresql" else sqlite
        statement = module.insert(SenderHeartbeat.__table__).values(holder=holder, beat_at=now)
        statement = statement.on_conflict_do_update(
            index_elements=["holder"], set_={"beat_at": statement.excluded.beat_at}
        )
        await connection.execute(statement)

    async def free_dead(self, now: datetime) -> int:
        """Leases of holders with no recent heartbeat become due now; returns how many."""
        alive = alive_holders(now)
        result = await self.session.execute(
            update(OutboxMessage)
            .where(
                OutboxMessage.status == OutboxStatus.PENDING,
                OutboxMessage.leased_by.is_not(None),
                OutboxMessage.leased_by.not_in(alive),
                OutboxMessage.next_attempt_at > now,
            )
            .values(next_attempt_at=now, leased_by=None)
            .execution_options(synchronize_session=False)
        )
        await self.session.execute(
            delete(SenderHeartbeat).where(SenderHeartbeat.beat_at < now - FORGET_AFTER)
        )
        return int(result.rowcount)  # type: ignore[attr-defined]

    async def leave(self, holder: str, now: datetime, channels: Sequence[str]) -> None:
        """A sender stopping cleanly: its leases (on its channels; the process's other
        senders may still be at work on theirs) are due now."""
        await self.session.execute(
            update(OutboxMessage)
            .where(
                OutboxMessage.status == OutboxStatus.PENDING,
                OutboxMessage.leased_by == holder,
                OutboxMessage.channel.in_(channels),
            )
            .values(next_attempt_at=now, leased_by=None)
            .execution_options(synchronize_session=False)
        )
