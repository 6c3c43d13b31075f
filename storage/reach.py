"""Which of a person's messengers can carry a message now: one decision, shared by the
notifications handlers send (approvals, "cần bổ sung", product-cycle steps, announcements:
:meth:`storage.users.Users.notice_target`) and the reminders the scheduler plans
(scheduler/routing.py).

Why it is needed: a Zalo Official Account may write to a person only for a while after the
person's last message there (``OCOP_ZALO_OA_WINDOW_HOURS``, 48 by default; that message is
the identity's ``last_seen_at``); outside it Zalo refuses, and the OA channel fails such a
message without calling Zalo. Every other messenger (Telegram, the Zalo Bot Platform, the
console, the web dashboard) can be written to whenever the identity is reachable (an
unfollow or a block makes it unreachable). So, in order of the messenger used last:

1. the one used last, if it can be written to now;
2. otherwise the next one (linked with ``/lienket``) that can;
3. otherwise none: the caller keeps the message as a failed row whose error begins with
   ``unreachable:`` (counted in the admin digest and the dashboard's failures, as
   storage/zalo_oa.py ``UNREACHED_PREFIXES`` says) instead of sending it blindly.

A message may wait in the outbox a little before it goes, so a window counts as open only
until :data:`MARGIN` before it closes; a notice for a person with no other messenger still
goes to the OA while the window is open without that margin (it leaves within seconds).
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Protocol, TypeVar

from sqlalchemy import exists, or_

from storage.models import Identity

OA = "zalo_oa"
DEFAULT_WINDOW = timedelta(hours=48)
MARGIN = timedelta(hours=1)
NOTICE_UNREACHABLE = (
    "unreachable: no messenger can carry it now (Zalo OA window closed or unfollowed, "
    "no other linked messenger)"
)

_window = DEFAULT_WINDOW


def set_oa_window(window: timedelta) -> None:
    """The OA window of this process, from the settings (bot/app.py): like the calendar, a
    property of the deployment that every caller of :meth:`Users.notice_target` shares."""
    global _window
    _window = window


def oa_window() -> timedelta:
    return _window


class Reachable(Protocol):
    """What the decision reads of an identity (an ORM :class:`~storage.models.Identity` or
    a plain row)."""

    @property
    def channel(self) -> str: ...

    @property
    def last_seen_at(self) -> datetime: ...

    @property
    def reachable(self) -> bool: ...


R = TypeVar("R", bound=Reachable)


def writable_now(
    identity: Reachable, now: datetime, window: timedelta, margin: timedelta = MARGIN
) -> bool:
    """Whether a message to this identity can go now (see the module docstring)."""
    if not identity.reachable:
        return False
    if identity.channel != OA:
        return True
    return identity.last_seen_at >= now - window + margin


def choose(
    identities: Sequence[R],
    now: datetime,
    window: timedelta,
    *,
    not_instead: Collection[str] = (),
    margin: timedelta = MARGIN,
) -> R | None:
    """The identity to write to, from ``identities`` ordered most recently used first; None
    when none can be written to now. ``not_instead``: channels never taken in place of the
    one used last (reminders do not go to the console or the web dashboard)."""
    usable = [identity for identity in identities if identity.reachable]
    for position, identity in enumerate(usable):
        if position > 0 and identity.channel in not_instead:
            continue
        if writable_now(identity, now, window, margin):
            return identity
    return None


def choose_for_notice(identities: Sequence[R], now: datetime, window: timedelta) -> R | None:
    """:func:`choose` for a notice: the margin decides between messengers, but with no
    other messenger an OA whose window is still open is written to."""
    return choose(identities, now, window) or choose(identities, now, window, margin=timedelta())


def notice_reachable_sql(user_id: Any, now: datetime, window: timedelta) -> Any:
    """:func:`choose_for_notice` finds a messenger for ``user_id`` (a column), as an SQL
    condition, for counts made in the database (an announcement's preview): some identity
    that can be written to now, with no margin, as the notice's last resort allows. Keep it
    in step with :func:`writable_now`."""
    return exists().where(
        Identity.user_id == user_id,
        Identity.reachable.is_(True),
        or_(Identity.channel != OA, Identity.last_seen_at >= now - window),
    )


@dataclass(frozen=True)
class NoticeTarget:
    """Where a notice goes; ``error`` set: nothing can carry it now, so its row is kept as
    failed with that error (counted as unreachable), never sent."""

    channel: str
    address: str
    error: str | None = None
