"""The calendar file: the YAML an operator edits, checked when it is read.

No deadline is a constant in code: they live in ``scheduler/calendar.yaml`` (or the file
``OCOP_CALENDAR_FILE`` names), are copied into the database at start-up and changed there by
admins. A broken file stops start-up with one sentence naming the file, the entry and the
problem, the way a broken form file does.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from forms.periods import PeriodKind
from scheduler.rules import (
    CampaignRule,
    CertificateRule,
    DeadlineRule,
    ReminderPlan,
    ReportRule,
)

DEFAULT_FILE = Path(__file__).with_name("calendar.yaml")

Audience = Literal["commune_officers", "producers", "producers_with_product"]


class CalendarError(Exception):
    """The calendar file cannot be used; the message names the file, the entry and why."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class DeadlineSpec(_Strict):
    day: int = Field(ge=1, le=31)
    month: str = "last"

    @field_validator("month", mode="before")
    @classmethod
    def _text(cls, value: object) -> object:
        return str(value) if isinstance(value, int) else value


class RemindersSpec(_Strict):
    before: tuple[int, ...] = (7, 3, 1, 0)
    after: tuple[int, ...] = (1, 3)
    weekly: bool = True
    enabled: bool = True

    @field_validator("before", "after")
    @classmethod
    def _days(cls, value: tuple[int, ...]) -> tuple[int, ...]:
        if any(not 0 <= n <= 366 for n in value):
            raise ValueError("days must be 0 to 366")
        return tuple(sorted(set(value), reverse=True))


class ReportSpec(_Strict):
    period: Literal["month", "quarter", "year"]
    deadline: DeadlineSpec
    lock_days: int = Field(default=30, ge=0, le=366)
    audience: Audience
    reminders: RemindersSpec = RemindersSpec()

    def rule(self, form_id: str) -> ReportRule:
        kind = PeriodKind(self.period)
        deadline = DeadlineRule(self.deadline.day, self.deadline.month)
        try:
            deadline.check(kind)
        except ValueError as exc:
            raise ValueError(f"deadline: {exc}") from None
        return ReportRule(
            form_id=form_id,
            period=kind,
            deadline_rule=deadline,
            lock_days=self.lock_days,
            audience=self.audience,
            reminders=ReminderPlan(
                before=self.reminders.before,
                after=tuple(sorted(set(self.reminders.after))),
                weekly=self.reminders.weekly,
                enabled=self.reminders.enabled,
            ),
        )


class TitleSpec(_Strict):
    vi: str = Field(min_length=1, max_length=200)
    en: str | None = Field(default=None, max_length=200)


class CampaignSpec(_Strict):
    key: str = Field(pattern=r"^[a-z0-9][a-z0-9_-]{0,59}$")
    title: TitleSpec
    deadline: date
    opens: date | None = None
    audience: Audience = "commune_officers"
    province: int | None = None
    form: str | None = None
    reminders: tuple[int, ...] = (7, 3, 1, 0)

    def rule(self) -> CampaignRule:
        return CampaignRule(
            key=self.key,
            title_vi=self.title.vi,
            title_en=self.title.en,
            deadline=self.deadline,
            audience=self.audience,
            opens=self.opens,
            province_code=self.province,
            form_id=self.form,
            before=tuple(sorted(set(self.reminders), reverse=True)),
        )


class CertificatesSpec(_Strict):
    validity_months: int = Field(default=36, ge=1, le=240)
    remind_before: tuple[int, ...] = (180, 90, 30)
    digest_days: int = Field(default=180, ge=0, le=730)

    def rule(self) -> CertificateRule:
        return CertificateRule(
            validity_months=self.validity_months,
            before=tuple(sorted(set(self.remind_before), reverse=True)),
            digest_days=self.digest_days,
        )


class CalendarFile(_Strict):
    reports: dict[str, ReportSpec] = Field(default_factory=dict)
    certificates: CertificatesSpec = CertificatesSpec()
    campaigns: tuple[CampaignSpec, ...] = ()

    def rules(self) -> dict[str, ReportRule]:
        return {form_id: spec.rule(form_id) for form_id, spec in self.reports.items()}


def _where(loc: tuple[Any, ...]) -> str:
    return ".".join(str(part) for part in loc)


def load_calendar_file(path: Path) -> CalendarFile:
    """Read and check a calendar file; raises :class:`CalendarError` with one sentence."""
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError) as exc:
        raise CalendarError(f"Calendar file {path}: cannot be read: {exc}") from None
    try:
        parsed = CalendarFile.model_validate(data)
    except ValidationError as exc:
        error = exc.errors()[0]
        message = error["msg"].removeprefix("Value error, ")
        raise CalendarError(f"Calendar file {path}: {_where(error['loc'])}: {message}.") from None
    for form_id, spec in parsed.reports.items():
        try:
            spec.rule(form_id)
        except ValueError as exc:
            raise CalendarError(f"Calendar file {path}: reports.{form_id}.{exc}.") from None
    keys = [c.key for c in parsed.campaigns]
    if len(set(keys)) != len(keys):
        raise CalendarError(f"Calendar file {path}: two campaigns have the same key.")
    return parsed


def check_against_forms(calendar: CalendarFile, forms: dict[str, Any], path: Path) -> None:
    """Each report entry must name a form with the same period and a fitting audience, so a
    typo in the file cannot silently leave a report without reminders."""
    for form_id, spec in calendar.reports.items():
        form = forms.get(form_id)
        if form is None:
            raise CalendarError(f"Calendar file {path}: reports.{form_id}: there is no such form.")
        if str(form.period) != spec.period:
            raise CalendarError(
                f"Calendar file {path}: reports.{form_id}: period is {spec.period} but the "
                f"form's period is {form.period}."
            )
        shared_by_commune = form.shared_by == "commune"
        if shared_by_commune != (spec.audience == "commune_officers"):
            raise CalendarError(
                f"Calendar file {path}: reports.{form_id}: audience {spec.audience} does not "
                f"fit a form shared by {form.shared_by}."
            )
    for campaign in calendar.campaigns:
        if campaign.form is not None and campaign.form not in forms:
            raise CalendarError(
                f"Calendar file {path}: campaign {campaign.key}: there is no form {campaign.form}."
            )


_active: dict[str, Path] = {"path": DEFAULT_FILE}
_cache: dict[Path, tuple[float, CalendarFile]] = {}


def use_calendar_file(path: Path | str | None) -> CalendarFile:
    """Make ``path`` (the shipped file when None) the process's calendar file and check it."""
    chosen = Path(path) if path else DEFAULT_FILE
    loaded = calendar_file(chosen)
    _active["path"] = chosen
    return loaded


def active_path() -> Path:
    return _active["path"]


def calendar_file(path: Path | None = None) -> CalendarFile:
    """The parsed calendar file, re-read only when it changed on disk."""
    path = path or _active["path"]
    try:
        mtime = path.stat().st_mtime
    except OSError as exc:
        raise CalendarError(f"Calendar file {path}: cannot be read: {exc}") from None
    cached = _cache.get(path)
    if cached is None or cached[0] != mtime:
        cached = (mtime, load_calendar_file(path))
        _cache[path] = cached
    return cached[1]
