"""What a handler leaves behind for others, made ready to store: the handlers' stores on one
session, and its notifications as outbox rows.

The pipeline (a chat message) and the web dashboard (a click that runs the chat's own
handler) both do this; one place keeps a notice from the dashboard identical to the same
notice from the chat: same language, same messenger choice, same numbered answers. Notices
written outside a handler (an operator's approval from the command line, an announcement's
report to its author) go the same way through :func:`queue_notifications`.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from bot.i18n import Translator
from handlers.context import Notification, Stores
from storage.audit import AuditLog
from storage.broadcasts import Broadcasts
from storage.invites import Invites
from storage.links import Links
from storage.offers import OfferChanges, Offers
from storage.outbox import Outbox, row_values
from storage.places import Places
from storage.progress import Progress
from storage.submissions import Products, Submissions
from storage.users import Users

log = logging.getLogger(__name__)


def stores_for(session: AsyncSession, users: Users | None = None) -> Stores:
    """The handlers' stores on ``session``; ``users`` when the caller already holds one."""
    return Stores(
        users=users or Users(session),
        places=Places(session),
        invites=Invites(session),
        audit=AuditLog(session),
        submissions=Submissions(session),
        products=Products(session),
        progress=Progress(session),
        broadcasts=Broadcasts(session),
        links=Links(session),
    )


async def notification_rows(
    users: Users, notifications: Iterable[Notification], offers: OfferChanges
) -> list[dict[str, Any]]:
    """Outbox rows for ``notifications``, each in its reader's language, on a messenger that
    can carry it now, else kept as a failed row counted as unreachable (storage/reach.py),
    never sent blindly into a closed Zalo OA window. ``offers`` learns which notices offer
    choices, so a typed number answers them on text-only messengers."""
    rows: list[dict[str, Any]] = []
    for note in notifications:
        target = await users.notice_target(note.user.id, via=note.via)
        if target is None:
            log.info("user %s has no identity; notification dropped", note.user.id)
            continue
        message = note.compose(Translator(note.user.language))
        if message.language is None:
            message = message.model_copy(update={"language": note.user.language})
        rows.append(
            row_values(
                channel=target.channel,
                address=target.address,
                message=message,
                user_id=note.user.id,
                dedupe_key=note.dedupe_key,
                error=target.error,
            )
        )
        if target.error is None:
            offers.notified(note.user.id, message)
    return rows


async def queue_notifications(
    session: AsyncSession, notifications: Iterable[Notification], users: Users | None = None
) -> None:
    """Queue ``notifications`` on ``session`` as :func:`notification_rows` makes them, and
    remember the choices they offer: for a notice that comes from no chat message (so that,
    like a handler's, one nobody can carry now is kept and counted, not skipped)."""
    offers = OfferChanges()
    rows = await notification_rows(users or Users(session), notifications, offers)
    if rows:
        await Outbox(session).enqueue_all(rows)
        await Offers(session).save_all(offers)
