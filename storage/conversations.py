"""The open conversation of each user, saved after every message so nothing is lost.

Loaded with the sender (storage/arrivals.py) and saved on every message, as Core statements
built once: no ORM object, and no second look-up to decide between INSERT and UPDATE (the
loader tells :meth:`Conversations.known` whether the row exists).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import bindparam, delete, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Conversation, utcnow

_TABLE = Conversation.__table__
_LOAD = select(_TABLE.c.flow, _TABLE.c.step, _TABLE.c.data).where(
    _TABLE.c.user_id == bindparam("uid")
)
_INSERT = insert(_TABLE)
_UPDATE = update(_TABLE).where(_TABLE.c.user_id == bindparam("uid"))  # SET: the other keys
_DELETE = delete(_TABLE).where(_TABLE.c.user_id == bindparam("uid"))


@dataclass
class ConversationState:
    """A plain copy of the row that handlers change freely; saved back at the end."""

    flow: str
    step: str
    data: dict[str, Any] = field(default_factory=dict)


class Conversations:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session
        self._stored: dict[int, bool] = {}

    def known(self, user_id: int, *, stored: bool) -> None:
        """Whether the user has a row, as read by a query of the caller's own."""
        self._stored[user_id] = stored

    async def save_all(self, states: dict[int, ConversationState | None]) -> None:
        """Store several users' states: one statement each for the updates, the new rows
        and the closed conversations."""
        connection = await self.session.connection()
        unknown = [uid for uid in states if uid not in self._stored]
        for uid in unknown:
            self._stored[uid] = (await connection.execute(_LOAD, {"uid": uid})).first() is not None
        now = utcnow()
        updates: list[dict[str, Any]] = []
        inserts: list[dict[str, Any]] = []
        deletes: list[dict[str, Any]] = []
        for uid, state in states.items():
            if state is None:
                if self._stored[uid]:
                    deletes.append({"uid": uid})
                self._stored[uid] = False
                continue
            values = {"flow": state.flow, "step": state.step, "data": dict(state.data),
                      "updated_at": now}  # fmt: skip
            if self._stored[uid]:
                updates.append({"uid": uid, **values})
            else:
                inserts.append({"user_id": uid, **values})
            self._stored[uid] = True
        for statement, rows in ((_UPDATE, updates), (_INSERT, inserts), (_DELETE, deletes)):
            if rows:
                await connection.execute(statement, rows)
