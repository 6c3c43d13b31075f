"""What a user may see, decided once from their role and applied inside every query.

Scoping lives in storage, not in the chat commands, so that a new command cannot forget it:
repositories that return reports or people take a :class:`Scope` and filter by it.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from sqlalchemy import false

from storage.models import Role, User, UserStatus


class Reach(StrEnum):
    NATIONAL = "national"  # everything
    PROVINCE = "province"  # one province
    COMMUNE = "commune"  # one commune (officers)
    OWN = "own"  # only what the user filed (producers)
    NOTHING = "nothing"  # not registered, pending, disabled


@dataclass(frozen=True)
class Scope:
    reach: Reach
    province_code: int | None = None
    commune_code: int | None = None
    user_id: int | None = None

    def filter(self, *, province: Any, commune: Any, owner: Any = None) -> Any:
        """A WHERE clause for a table with these province/commune/owner columns."""
        if self.reach is Reach.NATIONAL:
            return province.is_not(None) | province.is_(None)
        if self.reach is Reach.PROVINCE:
            return province == self.province_code
        if self.reach is Reach.COMMUNE:
            return commune == self.commune_code
        if self.reach is Reach.OWN and owner is not None:
            return owner == self.user_id
        return false()

    def covers(self, province_code: int | None, commune_code: int | None) -> bool:
        if self.reach is Reach.NATIONAL:
            return True
        if self.reach is Reach.PROVINCE:
            return province_code == self.province_code
        if self.reach is Reach.COMMUNE:
            return commune_code == self.commune_code
        return False


def scope_of(user: User) -> Scope:
    if user.status != UserStatus.ACTIVE:
        return Scope(Reach.NOTHING)
    if user.role == Role.NATIONAL_ADMIN:
        return Scope(Reach.NATIONAL)
    if user.role == Role.PROVINCE_ADMIN:
        return Scope(Reach.PROVINCE, province_code=user.province_code)
    if user.role == Role.OFFICER:
        return Scope(
            Reach.COMMUNE, province_code=user.province_code, commune_code=user.commune_code
        )
    if user.role == Role.PRODUCER:
        return Scope(Reach.OWN, user_id=user.id)
    return Scope(Reach.NOTHING)


def rights_of(user: User) -> list[object]:
    """The user's rights as they stand: role, status and the scope these give.

    A conversation keeps this when it starts and compares it with storage at every later
    step, so a change of commune, a disabling or a demotion made meanwhile (by the user in
    /toi, or by an admin) is seen at the very next message. A plain list, because it is kept
    in the conversation's JSON state; a producer's scope is their own filings wherever they
    live, so their moving commune changes nothing here.
    """
    scope = scope_of(user)
    return [
        str(user.role) if user.role else None,
        str(user.status),
        scope.reach.value,
        scope.province_code,
        scope.commune_code,
        scope.user_id,
    ]
