"""Forms imported from XLSForm workbooks, every version kept (issue 16).

Importing the same workbook twice changes nothing; a changed workbook must carry a new
``version`` (the settings sheet), which becomes the version new reports start with, while a
report already begun keeps the version recorded in its draft (``version_of``).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, replace
from datetime import date, datetime
from typing import Any

from pydantic import ValidationError
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from forms.periods import PeriodKind
from forms.schema import Form
from forms.xlsform.model import XForm
from forms.xlsform.to_form import ChatSettings, to_form
from storage.calendar.rows import CalendarRows
from storage.models import InstalledForm, ReportSchedule

# Who files an attached form, as the calendar says it (scheduler/rules.py), and what the
# form then asks for: officers file one report per commune, producers one each.
CALENDAR_AUDIENCES: dict[str, tuple[str, str]] = {
    "commune_officers": ("officer", "commune"),
    "producers": ("producer", "user"),
    "producers_with_product": ("producer", "user"),
}


class InstallError(Exception):
    """The form cannot be installed as it is; the message says why in one sentence."""


@dataclass(frozen=True)
class Installed:
    row: InstalledForm
    new: bool  # False: this very version was installed already, nothing changed


def fingerprint(form: XForm) -> str:
    """What identifies a version's contents (the form, not the file's bytes or dates)."""
    data = json.dumps(form.model_dump(mode="json"), sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(data.encode()).hexdigest()


def form_of(row: InstalledForm) -> XForm:
    return XForm.model_validate(row.definition)


class InstalledForms:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def install(
        self,
        form: XForm,
        source: dict[str, Any],
        *,
        now: datetime,
        user_id: int | None = None,
        builtin_ids: frozenset[str] = frozenset(),
        chat: ChatSettings | None = None,
    ) -> Installed:
        """Install ``form`` as its version; the chat settings of an earlier version are kept
        unless ``chat`` is given."""
        if form.form_id in builtin_ids:
            raise InstallError(
                f"'{form.form_id}' is a built-in form's id; give another one with --id"
            )
        digest = fingerprint(form)
        existing = await self.get(form.form_id, form.version)
        if existing is not None:
            if existing.sha256 != digest:
                raise InstallError(
                    f"version '{form.version}' of '{form.form_id}' is installed with other "
                    "contents: raise the version on the settings sheet"
                )
            await self._activate(existing)
            if chat is not None:
                existing.chat = chat.as_json()
            return Installed(existing, new=False)
        if chat is None:
            earlier = await self.active(form.form_id)
            chat = ChatSettings.from_json(earlier.chat if earlier else None)
        row = InstalledForm(
            form_id=form.form_id,
            version=form.version,
            title=form.text(form.title, form.default_language)[:200],
            definition=form.model_dump(mode="json"),
            source=source,
            sha256=digest,
            chat=chat.as_json(),
            active=True,
            installed_at=now,
            installed_by=user_id,
        )
        await self.session.execute(
            update(InstalledForm).where(InstalledForm.form_id == form.form_id).values(active=False)
        )
        self.session.add(row)
        await self.session.flush()
        return Installed(row, new=True)

    async def _activate(self, row: InstalledForm) -> None:
        await self.session.execute(
            update(InstalledForm)
            .where(InstalledForm.form_id == row.form_id, InstalledForm.id != row.id)
            .values(active=False)
        )
        row.active = True
        await self.session.flush()

    async def get(self, form_id: str, version: str) -> InstalledForm | None:
        return await self.session.scalar(
            select(InstalledForm).where(
                InstalledForm.form_id == form_id, InstalledForm.version == version
            )
        )

    async def active(self, form_id: str) -> InstalledForm | None:
        """The version new reports start with."""
        return await self.session.scalar(
            select(InstalledForm).where(
                InstalledForm.form_id == form_id, InstalledForm.active.is_(True)
            )
        )

    async def version_of(self, form_id: str, version: str | None) -> InstalledForm | None:
        """The version a draft began with; the active one when the draft names none."""
        if version is None:
            return await self.active(form_id)
        return await self.get(form_id, version)

    async def all(self) -> list[InstalledForm]:
        rows = await self.session.scalars(
            select(InstalledForm).order_by(InstalledForm.form_id, InstalledForm.installed_at)
        )
        return list(rows)

    async def actives(self) -> list[InstalledForm]:
        rows = await self.session.scalars(
            select(InstalledForm)
            .where(InstalledForm.active.is_(True))
            .order_by(InstalledForm.form_id)
        )
        return list(rows)

    async def attach(self, form_id: str, chat: ChatSettings) -> int:
        """Set who files a form and for which period (every version); rows changed."""
        result = await self.session.execute(
            update(InstalledForm)
            .where(InstalledForm.form_id == form_id)
            .values(chat=chat.as_json())
        )
        return int(result.rowcount or 0)  # type: ignore[attr-defined]

    async def chat_forms(self) -> list[tuple[Form, bool]]:
        """Every version as the bot's form, with whether it is the active one. A version
        the bot can no longer hold (its model changed) is left out, never a crash."""
        found: list[tuple[Form, bool]] = []
        for row in await self.all():
            try:
                form = to_form(form_of(row), ChatSettings.from_json(row.chat))
            except (ValidationError, ValueError):
                continue
            found.append((form, row.active))
        return found

    async def signature(self) -> str:
        """What a running bot holds of the imported forms (versions, the active one, who
        files them): it changes exactly when the bot must load them again."""
        rows = await self.session.execute(
            select(
                InstalledForm.form_id,
                InstalledForm.version,
                InstalledForm.active,
                InstalledForm.chat,
            ).order_by(InstalledForm.form_id, InstalledForm.version)
        )
        data = json.dumps([list(r) for r in rows], sort_keys=True, default=str)
        return hashlib.sha256(data.encode()).hexdigest()

    async def attach_to_calendar(
        self,
        form_id: str,
        *,
        period: PeriodKind,
        deadline_day: int,
        deadline_month: str,
        audience: str = "commune_officers",
        lock_days: int = 30,
        remind_before: list[int] | None = None,
        remind_after: list[int] | None = None,
        today: date,
        now: datetime,
        user_id: int | None = None,
    ) -> ReportSchedule | None:
        """Put an imported form on the reporting calendar (the CLI's ``forms attach``, the
        chat's ``/lich ID gan``): who files it and for which period (every version), and
        its row of the calendar, expected from the period that contains ``today`` (the
        local date) on: nobody is late for months before anyone had to file it. None when
        no such form was imported."""
        row = await self.active(form_id)
        if row is None:
            return None
        who, shared_by = CALENDAR_AUDIENCES[audience]
        chat = ChatSettings.from_json(row.chat)
        await self.attach(
            form_id,
            ChatSettings(
                audience=who,  # type: ignore[arg-type]
                period=period,
                shared_by=shared_by,  # type: ignore[arg-type]
                command=chat.command,
            ),
        )
        values = {
            "period": period.value,
            "deadline_day": deadline_day,
            "deadline_month": deadline_month,
            "lock_days": lock_days,
            "audience": audience,
            "remind_before": [7, 3, 1, 0] if remind_before is None else remind_before,
            "remind_after": [1, 3] if remind_after is None else remind_after,
            "remind_weekly": True,
            "reminders_enabled": True,
            "expected_from": today,
        }
        return await self.attach_schedule(form_id, values, now=now, user_id=user_id)

    async def attach_schedule(
        self, form_id: str, values: dict[str, Any], *, now: datetime, user_id: int | None = None
    ) -> ReportSchedule:
        """The form's row of the reporting calendar: reminders, completeness and exports
        follow it."""
        return await CalendarRows(self.session).attach(form_id, values, user_id=user_id, now=now)

    async def detach_from_calendar(self, form_id: str) -> bool:
        """Nobody must file it any more (``forms detach``, ``/lich ID go``): off the
        calendar, and no period asked for; people may still open it, and what was filed is
        kept. False when it was not on the calendar."""
        if not await CalendarRows(self.session).detach(form_id):
            return False
        row = await self.active(form_id)
        chat = ChatSettings.from_json(row.chat if row else None)
        await self.attach(form_id, replace(chat, period=PeriodKind.NONE, shared_by="none"))
        return True
