"""The senders of inbound messages, read in one statement.

Every message needs three things before a handler runs: the user, the identity it came
through, and the open conversation (with the choices of the latest notification the user
got, storage/offers.py). Reading them with one joined SELECT (locking the user's
row on PostgreSQL, so two messages of one user queue up) saves two round trips per message
on the path every update takes; a batch of messages (bot/batching.py) reads all its senders
with the same statement.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import bindparam, select, tuple_
from sqlalchemy.ext.asyncio import AsyncSession

from storage.conversations import Conversations, ConversationState
from storage.models import Conversation, Identity, Offer, User
from storage.offers import Notice

_SENDERS = (
    select(
        User,
        Identity,
        Conversation.flow,
        Conversation.step,
        Conversation.data,
        Offer.choices,
        Offer.offered_at,
    )
    .join(Identity, Identity.user_id == User.id)
    .outerjoin(Conversation, Conversation.user_id == User.id)
    .outerjoin(Offer, Offer.user_id == User.id)
    .where(tuple_(Identity.channel, Identity.external_id).in_(bindparam("keys", expanding=True)))
    # Locks taken in one order: two batches (or a batch and an admin's change) never wait
    # for each other in a circle.
    .order_by(User.id)
    .with_for_update(of=User)
)


@dataclass
class Sender:
    user: User
    identity: Identity
    state: ConversationState | None
    # The latest notification's choices, when the user's conversation said nothing since.
    notice: Notice | None = None


async def load_senders(
    session: AsyncSession, conversations: Conversations, keys: Sequence[tuple[str, str]]
) -> dict[tuple[str, str], Sender]:
    """The senders known for these ``(channel, external_id)`` keys, with their
    conversations; ``conversations`` learns which rows exist, so saving them later needs no
    second look-up. Someone never seen is missing from the result."""
    if not keys:
        return {}
    result = await session.execute(_SENDERS, {"keys": list(keys)})
    found: dict[tuple[str, str], Sender] = {}
    for user, identity, flow, step, data, choices, offered_at in result:
        state = None
        if flow is not None:
            state = ConversationState(flow=flow, step=step, data=dict(data or {}))
        conversations.known(user.id, stored=state is not None)
        notice = Notice(list(choices), offered_at) if choices else None
        found[(identity.channel, identity.external_id)] = Sender(user, identity, state, notice)
    return found
