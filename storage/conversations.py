"""The open conversation of each user, saved after every message so nothing is lost."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import delete
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Conversation


@dataclass
class ConversationState:
    """A plain copy of the row that handlers change freely; saved back at the end."""

    flow: str
    step: str
    data: dict[str, Any] = field(default_factory=dict)


class Conversations:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def load(self, user_id: int) -> ConversationState | None:
        row = await self.session.get(Conversation, user_id)
        if row is None:
            return None
        return ConversationState(flow=row.flow, step=row.step, data=dict(row.data or {}))

    async def save(self, user_id: int, state: ConversationState | None) -> None:
        """Store the state, or close the conversation when it is None."""
        row = await self.session.get(Conversation, user_id)
        if state is None:
            if row is not None:
                await self.session.execute(
                    delete(Conversation).where(Conversation.user_id == user_id)
                )
            return
        if row is None:
            self.session.add(
                Conversation(user_id=user_id, flow=state.flow, step=state.step, data=state.data)
            )
        else:
            row.flow, row.step, row.data = state.flow, state.step, dict(state.data)
