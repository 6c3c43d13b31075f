"""The reporting calendar's rows, and the queries a reminder run needs.

:class:`CalendarRows` keeps the schedules, provinces' own deadlines and campaigns (copied
from the calendar file, changed by admins). :class:`ReminderQueries` answers "who could be
reminded, and who already filed?" in a handful of set-based queries, so a run over every
commune of the country stays a few round trips. :class:`ReminderOutbox` is the part of the
outbox the scheduler owns: which reminder keys exist, and withdrawing unsent ones before
quiet hours.
"""

from __future__ import annotations

import functools
import uuid
from collections.abc import Awaitable, Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, TypeVar

from sqlalchemy import delete, exists, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import (
    Campaign,
    Commune,
    Identity,
    OutboxMessage,
    OutboxStatus,
    Product,
    ProductStatus,
    Province,
    ProvinceDeadline,
    ReportSchedule,
    Role,
    Submission,
    User,
    UserStatus,
    utcnow,
)

# The fields of a schedule the calendar file provides (and an admin may take over).
SCHEDULE_FIELDS = (
    "period",
    "deadline_day",
    "deadline_month",
    "lock_days",
    "audience",
    "remind_before",
    "remind_after",
    "remind_weekly",
    "reminders_enabled",
)
CAMPAIGN_FIELDS = (
    "title_vi",
    "title_en",
    "deadline",
    "opens",
    "audience",
    "province_code",
    "form_id",
    "remind_before",
)
REMINDER_PREFIXES = ("remind:", "digest:")
KEY_CHUNK = 500


# Where a transaction keeps the calendar it has read (``Session.info``): a batch of messages
# starting fifty reports reads the calendar once, and any change to it drops the copy.
SESSION_CACHE_KEY = "ocop.calendar"

_Method = TypeVar("_Method", bound=Callable[..., Awaitable[Any]])


def _writes(method: _Method) -> _Method:
    """Marks a method that changes the calendar's rows: the transaction's copy is dropped."""

    @functools.wraps(method)
    async def wrapper(self: CalendarRows, *args: Any, **kwargs: Any) -> Any:
        self.session.info.pop(SESSION_CACHE_KEY, None)
        try:
            return await method(self, *args, **kwargs)
        finally:
            self.session.info.pop(SESSION_CACHE_KEY, None)

    return wrapper  # type: ignore[return-value]


class CalendarRows:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def schedules(self) -> Sequence[ReportSchedule]:
        return (await self.session.scalars(select(ReportSchedule))).all()

    async def schedule(self, form_id: str) -> ReportSchedule | None:
        return await self.session.get(ReportSchedule, form_id)

    async def province_deadlines(self) -> Sequence[ProvinceDeadline]:
        return (await self.session.scalars(select(ProvinceDeadline))).all()

    async def province_deadline(self, form_id: str, province_code: int) -> ProvinceDeadline | None:
        return await self.session.get(ProvinceDeadline, (form_id, province_code))

    async def campaigns(self, *, active_only: bool = True) -> Sequence[Campaign]:
        statement = select(Campaign).order_by(Campaign.deadline, Campaign.id)
        if active_only:
            statement = statement.where(Campaign.active.is_(True))
        return (await self.session.scalars(statement)).all()

    async def campaign(self, key: str) -> Campaign | None:
        return (await self.session.scalars(select(Campaign).where(Campaign.key == key))).first()

    # -- the calendar file ----------------------------------------------------------------

    @_writes
    async def sync_from_file(
        self,
        schedules: Mapping[str, Mapping[str, Any]],
        campaigns: Sequence[Mapping[str, Any]],
        *,
        now: datetime | None = None,
    ) -> None:
        """Copy the file into the rows: new report types are added; for existing ones every
        field an admin has not changed follows the file; report types gone from the file are
        removed. File campaigns are added or updated (an admin's cancellation stays), and
        those gone from the file are cancelled. Idempotent, so every leader may run it."""
        now = now or utcnow()
        existing = {row.form_id: row for row in await self.schedules()}
        for form_id, values in schedules.items():
            row = existing.get(form_id)
            if row is None:
                self.session.add(
                    ReportSchedule(form_id=form_id, admin_set=[], updated_at=now, **values)
                )
                continue
            for field in SCHEDULE_FIELDS:
                if field not in (row.admin_set or []) and getattr(row, field) != values[field]:
                    setattr(row, field, values[field])
        for form_id in set(existing) - set(schedules):
            await self.session.delete(existing[form_id])
            await self.session.execute(
                delete(ProvinceDeadline).where(ProvinceDeadline.form_id == form_id)
            )
        rows = {c.key: c for c in await self.campaigns(active_only=False)}
        for values in campaigns:
            campaign = rows.get(values["key"])
            if campaign is None:
                self.session.add(Campaign(source="file", active=True, created_at=now, **values))
            elif campaign.source == "file":
                for field in CAMPAIGN_FIELDS:
                    if getattr(campaign, field) != values[field]:
                        setattr(campaign, field, values[field])
        listed = {values["key"] for values in campaigns}
        for key, campaign in rows.items():
            if campaign.source == "file" and key not in listed and campaign.active:
                campaign.active = False
        await self.session.flush()

    # -- admins' changes ------------------------------------------------------------------

    @_writes
    async def set_schedule(
        self,
        form_id: str,
        file_values: Mapping[str, Any],
        changes: Mapping[str, Any],
        *,
        user_id: int | None,
        now: datetime,
    ) -> ReportSchedule:
        """An admin's change to the national schedule; the changed fields stop following
        the file. The row is created from the file first if the scheduler never ran."""
        row = await self.schedule(form_id)
        if row is None:
            row = ReportSchedule(form_id=form_id, admin_set=[], updated_at=now, **file_values)
            self.session.add(row)
        for field, value in changes.items():
            setattr(row, field, value)
        row.admin_set = sorted(set(row.admin_set or []) | set(changes))
        row.updated_by, row.updated_at = user_id, now
        await self.session.flush()
        return row

    @_writes
    async def reset_schedule(
        self, form_id: str, file_values: Mapping[str, Any], *, user_id: int | None, now: datetime
    ) -> None:
        """Back to the file's values, which the row follows again from now on."""
        row = await self.schedule(form_id)
        if row is None:
            return
        for field in SCHEDULE_FIELDS:
            setattr(row, field, file_values[field])
        row.admin_set = []
        row.updated_by, row.updated_at = user_id, now
        await self.session.flush()

    @_writes
    async def set_province_deadline(
        self,
        form_id: str,
        province_code: int,
        changes: Mapping[str, Any],
        *,
        user_id: int | None,
        now: datetime,
    ) -> ProvinceDeadline:
        row = await self.province_deadline(form_id, province_code)
        if row is None:
            row = ProvinceDeadline(form_id=form_id, province_code=province_code)
            self.session.add(row)
        for field, value in changes.items():
            setattr(row, field, value)
        row.updated_by, row.updated_at = user_id, now
        await self.session.flush()
        return row

    @_writes
    async def clear_province_deadline(self, form_id: str, province_code: int) -> bool:
        result = await self.session.execute(
            delete(ProvinceDeadline).where(
                ProvinceDeadline.form_id == form_id,
                ProvinceDeadline.province_code == province_code,
            )
        )
        return bool(result.rowcount)  # type: ignore[attr-defined]

    @_writes
    async def add_campaign(
        self, *, created_by: int | None, now: datetime, **values: Any
    ) -> Campaign:
        """An admin's campaign, keyed ``dot-<id>`` (short enough to type when cancelling)."""
        campaign = Campaign(source="admin", active=True, created_by=created_by, created_at=now)
        for field, value in values.items():
            setattr(campaign, field, value)
        campaign.key = f"new-{uuid.uuid4().hex}"
        self.session.add(campaign)
        await self.session.flush()
        key = f"dot-{campaign.id}"
        if await self.campaign(key) is not None:  # a file campaign took that name
            key = f"dot-{campaign.id}-{uuid.uuid4().hex[:4]}"
        campaign.key = key
        await self.session.flush()
        return campaign

    @_writes
    async def cancel_campaign(self, key: str, *, province_code: int | None) -> Campaign | None:
        """Cancel an active campaign; a province admin (``province_code``) only their own."""
        campaign = await self.campaign(key)
        if campaign is None or not campaign.active:
            return None
        if province_code is not None and campaign.province_code != province_code:
            return None
        campaign.active = False
        await self.session.flush()
        return campaign


@dataclass(frozen=True)
class Person:
    """An active user who may be reminded, with where to reach them (None: unreachable)."""

    user_id: int
    name: str
    role: str
    language: str
    province_code: int | None
    province_name: str
    commune_code: int | None
    commune_name: str
    has_product: bool
    channel: str | None
    address: str | None

    @property
    def reachable(self) -> bool:
        return self.channel is not None


@dataclass(frozen=True)
class CertifiedProduct:
    id: int
    user_id: int | None
    name: str
    producer_name: str
    province_code: int | None
    commune_name: str
    certificate_date: date


class ReminderQueries:
    """Read-only queries of a reminder run (and of the preview)."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def people(self) -> list[Person]:
        """Every active officer, producer and province admin, with their delivery identity:
        the reachable one they used last, as :meth:`storage.users.Users.delivery_identity`."""
        has_product = exists().where(Product.user_id == User.id)
        statement = (
            select(User, Commune.name, Province.name, has_product)
            .outerjoin(Commune, Commune.code == User.commune_code)
            .outerjoin(Province, Province.code == User.province_code)
            .where(
                User.status == UserStatus.ACTIVE,
                User.role.in_((Role.OFFICER, Role.PRODUCER, Role.PROVINCE_ADMIN)),
            )
            .order_by(User.id)
        )
        rows = (await self.session.execute(statement)).all()
        identities = await self._delivery_identities([user.id for user, *_ in rows])
        people = []
        for user, commune_name, province_name, product in rows:
            identity = identities.get(user.id)
            people.append(
                Person(
                    user_id=user.id,
                    name=user.full_name or f"#{user.id}",
                    role=user.role or "",
                    language=user.language,
                    province_code=user.province_code,
                    province_name=province_name or "",
                    commune_code=user.commune_code,
                    commune_name=commune_name or "",
                    has_product=bool(product),
                    channel=identity.channel if identity else None,
                    address=identity.external_id if identity else None,
                )
            )
        return people

    async def _delivery_identities(self, user_ids: list[int]) -> dict[int, Identity]:
        chosen: dict[int, Identity] = {}
        for chunk in _chunks(user_ids, KEY_CHUNK):
            statement = (
                select(Identity)
                .where(Identity.user_id.in_(chunk), Identity.reachable.is_(True))
                .order_by(Identity.user_id, Identity.last_seen_at.desc(), Identity.id.desc())
            )
            for identity in (await self.session.scalars(statement)).all():
                chosen.setdefault(identity.user_id, identity)
        return chosen

    async def filed(self, wanted: Iterable[tuple[str, str]]) -> set[tuple[str, str, str]]:
        """(form, period, scope key) of every submission of the given (form, period) pairs."""
        found: set[tuple[str, str, str]] = set()
        by_form: dict[str, set[str]] = {}
        for form_id, period in wanted:
            by_form.setdefault(form_id, set()).add(period)
        for form_id, periods in by_form.items():
            statement = select(Submission.period, Submission.scope_key).where(
                Submission.form_id == form_id, Submission.period.in_(sorted(periods))
            )
            for period, scope_key in (await self.session.execute(statement)).all():
                found.add((form_id, period, scope_key))
        return found

    async def filed_since(self, form_id: str, since: datetime | None) -> tuple[set[int], set[int]]:
        """Users and communes that filed ``form_id`` since ``since`` (a campaign's "done")."""
        statement = select(Submission.user_id, Submission.commune_code).where(
            Submission.form_id == form_id
        )
        if since is not None:
            statement = statement.where(Submission.submitted_at >= since)
        users: set[int] = set()
        communes: set[int] = set()
        for user_id, commune_code in (await self.session.execute(statement)).all():
            if user_id is not None:
                users.add(user_id)
            if commune_code is not None:
                communes.add(commune_code)
        return users, communes

    async def certified_products(self) -> list[CertifiedProduct]:
        statement = (
            select(Product, User.full_name, Commune.name)
            .outerjoin(User, User.id == Product.user_id)
            .outerjoin(Commune, Commune.code == Product.commune_code)
            .where(Product.status == ProductStatus.CERTIFIED, Product.certificate_date.is_not(None))
            .order_by(Product.id)
        )
        rows = (await self.session.execute(statement)).all()
        return [
            CertifiedProduct(
                id=product.id,
                user_id=product.user_id,
                name=product.name,
                producer_name=product.producer_name or owner or "?",
                province_code=product.province_code,
                commune_name=commune or "",
                certificate_date=product.certificate_date,
            )
            for product, owner, commune in rows
            if product.certificate_date is not None
        ]

    async def communes(self, province_codes: Iterable[int]) -> dict[int, list[tuple[int, str]]]:
        """(code, name) of every commune of these provinces, by province, in name order."""
        codes = sorted(set(province_codes))
        result: dict[int, list[tuple[int, str]]] = {code: [] for code in codes}
        if not codes:
            return result
        statement = (
            select(Commune.province_code, Commune.code, Commune.name)
            .where(Commune.province_code.in_(codes))
            .order_by(Commune.province_code, Commune.name_folded)
        )
        for province_code, code, name in (await self.session.execute(statement)).all():
            result[province_code].append((code, name))
        return result


class ReminderOutbox:
    """The scheduler's view of the outbox: its rows are the ones keyed ``remind:``/``digest:``."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def existing_keys(self, keys: Iterable[str]) -> set[str]:
        found: set[str] = set()
        for chunk in _chunks(sorted(set(keys)), KEY_CHUNK):
            statement = select(OutboxMessage.dedupe_key).where(OutboxMessage.dedupe_key.in_(chunk))
            found.update(k for k in (await self.session.scalars(statement)).all() if k)
        return found

    async def withdraw_unsent(self) -> int:
        """Drop reminder rows no sender has touched yet, so none goes out in quiet hours.

        Only rows never claimed (``attempts == 0``) go: a claimed row may be on its way to
        the platform, and deleting it could send it twice. The next morning's run writes a
        fresh reminder for whoever still needs one, with the days counted from that day.
        """
        result = await self.session.execute(
            delete(OutboxMessage).where(
                OutboxMessage.status == OutboxStatus.PENDING,
                OutboxMessage.attempts == 0,
                or_(*(OutboxMessage.dedupe_key.startswith(p) for p in REMINDER_PREFIXES)),
            )
        )
        return int(result.rowcount or 0)  # type: ignore[attr-defined]


def _chunks(items: Sequence[Any], size: int) -> Iterable[Sequence[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]
