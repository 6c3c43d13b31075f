"""The calendar's rows: report schedules, provinces' own deadlines and campaigns.

They are copied from the calendar file (every leader may run the copy: it is idempotent) and
changed by admins, whose changes win over the file's. Every write drops the transaction's
cached copy of the calendar, so a change is seen by the very next message.
"""

from __future__ import annotations

import functools
import uuid
from collections.abc import Awaitable, Callable, Mapping, Sequence
from datetime import datetime
from typing import Any, TypeVar

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Campaign, ProvinceDeadline, ReportSchedule, utcnow

# The fields of a schedule the calendar file provides (and an admin may take over).
# In ``admin_set``: the row is an imported form's, attached by an admin, not the file's.
ATTACHED = "attached"
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
            if ATTACHED in (existing[form_id].admin_set or []):
                continue  # an imported form an admin attached (storage/installed_forms.py)
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
    async def attach(
        self, form_id: str, values: Mapping[str, Any], *, user_id: int | None, now: datetime
    ) -> ReportSchedule:
        """An imported form's row (storage/installed_forms.py), marked as an admin's: the
        calendar file never overrides nor removes it."""
        row = await self.schedule(form_id)
        if row is None:
            row = ReportSchedule(form_id=form_id, updated_at=now, **values)
            self.session.add(row)
        else:
            for field, value in values.items():
                setattr(row, field, value)
        row.admin_set = [*SCHEDULE_FIELDS, ATTACHED]
        row.updated_by, row.updated_at = user_id, now
        await self.session.flush()
        return row

    @_writes
    async def detach(self, form_id: str) -> bool:
        """An attached form off the calendar, with its provinces' own deadlines; False for
        a report of the calendar file, which only the file removes."""
        row = await self.schedule(form_id)
        if row is None or ATTACHED not in (row.admin_set or []):
            return False
        await self.session.delete(row)
        await self.session.execute(
            delete(ProvinceDeadline).where(ProvinceDeadline.form_id == form_id)
        )
        await self.session.flush()
        return True

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
