"""Users and their identities on each messenger."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import datetime, timedelta

from sqlalchemy import bindparam, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage import personal_data
from storage.imports.claim import claim_imported_officer
from storage.models import Identity, Role, User, UserStatus, utcnow
from storage.reach import NOTICE_UNREACHABLE, NoticeTarget, choose_for_notice, oa_window
from storage.scope import Scope

log = logging.getLogger(__name__)

TOUCH_EVERY = timedelta(minutes=1)

# Built once (building a statement per call cost as much as running it). The pipeline reads
# senders with their conversations in storage/arrivals.py.
_BY_IDENTITY = (
    select(User, Identity)
    .join(Identity, Identity.user_id == User.id)
    .where(
        Identity.channel == bindparam("channel"), Identity.external_id == bindparam("external_id")
    )
)


class Users:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def by_identity(self, channel: str, external_id: str) -> tuple[User, Identity] | None:
        row = (
            await self.session.execute(
                _BY_IDENTITY, {"channel": channel, "external_id": external_id}
            )
        ).first()
        return (row[0], row[1]) if row else None

    async def create_with_identity(
        self, channel: str, external_id: str, *, language: str, role: str | None = None
    ) -> tuple[User, Identity]:
        user = User(language=language, role=role, status=UserStatus.NEW)
        self.session.add(user)
        await self.session.flush()
        identity = Identity(user_id=user.id, channel=channel, external_id=external_id)
        self.session.add(identity)
        await self.session.flush()
        return user, identity

    async def get(self, user_id: int) -> User | None:
        return await self.session.get(User, user_id)

    async def find_by_phone(self, phone: str, *, exclude: int | None = None) -> Sequence[User]:
        statement = select(User).where(User.phone == phone)
        if exclude is not None:
            statement = statement.where(User.id != exclude)
        return (await self.session.scalars(statement)).all()

    async def admins_for_province(self, province_code: int | None) -> Sequence[User]:
        """Who approves an officer of this province: its admins, and the national admins."""
        roles = [Role.NATIONAL_ADMIN]
        statement = select(User).where(User.status == UserStatus.ACTIVE)
        if province_code is not None:
            statement = statement.where(
                (User.role == Role.NATIONAL_ADMIN)
                | ((User.role == Role.PROVINCE_ADMIN) & (User.province_code == province_code))
            )
        else:
            statement = statement.where(User.role.in_(roles))
        return (await self.session.scalars(statement.order_by(User.id))).all()

    async def pending_officers(self, province_code: int | None) -> Sequence[User]:
        statement = select(User).where(User.status == UserStatus.PENDING, User.role == Role.OFFICER)
        if province_code is not None:
            statement = statement.where(User.province_code == province_code)
        return (await self.session.scalars(statement.order_by(User.created_at))).all()

    async def in_scope(
        self, scope: Scope, *, status: str | None = None, limit: int = 50
    ) -> Sequence[User]:
        """Registered people an admin may see (never those outside their scope)."""
        statement = select(User).where(
            User.status.not_in([UserStatus.NEW, UserStatus.ERASED]),
            scope.filter(province=User.province_code, commune=User.commune_code, owner=User.id),
        )
        if status is not None:
            statement = statement.where(User.status == status)
        return (await self.session.scalars(statement.order_by(User.id).limit(limit))).all()

    async def get_in_scope(self, user_id: int, scope: Scope) -> User | None:
        statement = select(User).where(
            User.id == user_id,
            User.status != UserStatus.ERASED,
            scope.filter(province=User.province_code, commune=User.commune_code, owner=User.id),
        )
        return (await self.session.scalars(statement)).first()

    async def officers_of_commune(self, commune_code: int) -> Sequence[User]:
        statement = select(User).where(
            User.commune_code == commune_code,
            User.role == Role.OFFICER,
            User.status == UserStatus.ACTIVE,
        )
        return (await self.session.scalars(statement.order_by(User.id))).all()

    async def claim_imported(
        self, user: User, phone: str | None, *, verified: bool, now: datetime | None = None
    ) -> bool:
        """An officer pre-registered by ``ocop-bot import officers`` who registers with that
        phone, verified and in the same commune, is approved (see storage/imports/claim.py)."""
        return await claim_imported_officer(self.session, user, phone, verified=verified, now=now)

    # -- personal data (Decree 13/2023/NĐ-CP; see storage/personal_data.py) ------------------

    async def kept_data(self, user: User) -> personal_data.KeptData:
        return await personal_data.kept_data(self.session, user)

    async def erase(self, user: User, *, drop_row: bool = True) -> None:
        """Erase ``user``'s personal data now. ``drop_row``: also delete the anonymous row
        when no report points at it (not for the person writing: their reply is still to
        be queued under it; the daily purge removes it)."""
        await personal_data.erase(self.session, user.id)
        if drop_row and await personal_data.drop_placeholders(self.session, user.id):
            self.session.expunge(user)

    async def forget_answers(self, user: User, *, full_name: str | None, phone: str | None) -> None:
        """Consent declined: the typed name and phone leave the messages sent to them."""
        await personal_data.forget_answers(self.session, user.id, full_name=full_name, phone=phone)

    async def identities(self, user_id: int) -> Sequence[Identity]:
        """All of a person's identities, the one used most recently first."""
        statement = (
            select(Identity)
            .where(Identity.user_id == user_id)
            .order_by(Identity.last_seen_at.desc(), Identity.id.desc())
        )
        return (await self.session.scalars(statement)).all()

    async def delivery_identity(
        self, user_id: int, *, now: datetime | None = None
    ) -> Identity | None:
        """Where to send what the user did not ask for (approvals, review notices): the
        messenger they used last if it can be written to now, else another linked one that
        can (a Zalo OA whose window has closed cannot: storage/reach.py); None: none can."""
        return choose_for_notice(await self.identities(user_id), now or utcnow(), oa_window())

    async def notice_target(
        self, user_id: int, *, via: Identity | None = None, now: datetime | None = None
    ) -> NoticeTarget | None:
        """Where a notification's outbox row goes: ``via`` (a handler's own choice), else
        :meth:`delivery_identity`, else, when no messenger can carry it now, the one used
        last with the ``unreachable`` error (the row is kept as failed and counted, not sent
        blindly and not lost). None: the person has no identity at all (erased)."""
        if via is not None:
            return NoticeTarget(via.channel, via.external_id)
        identities = await self.identities(user_id)
        if not identities:
            return None
        chosen = choose_for_notice(identities, now or utcnow(), oa_window())
        if chosen is not None:
            return NoticeTarget(chosen.channel, chosen.external_id)
        last = identities[0]
        log.warning("user %s unreachable now: notification kept as failed", user_id)
        return NoticeTarget(last.channel, last.external_id, NOTICE_UNREACHABLE)

    async def mark_unreachable(self, channel: str, external_id: str) -> None:
        found = await self.by_identity(channel, external_id)
        if found:
            found[1].reachable = False

    @staticmethod
    def touch(identity: Identity) -> None:
        """Note that the user wrote: they are reachable again, and this is the messenger
        they use now. A minute's precision is enough, and saves an UPDATE per message."""
        now = utcnow()
        if not identity.reachable or now - identity.last_seen_at > TOUCH_EVERY:
            identity.last_seen_at = now
            identity.reachable = True
