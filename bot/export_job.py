"""The ``/xuat`` export, run after the admin's message is committed: the workbook is built
outside the message transaction (it may take seconds) and sent back as an outbox row.

Where the channel carries files (Telegram, the console) the row holds the workbook as a
document. Where it cannot (Zalo), the workbook never goes into the outbox: it is written to
a temporary file, stored chunk by chunk (storage/files.py) and the row is only the text with
a signed download link (bot/files/links.py), so neither the outbox nor memory holds it.

Every export (this job, the dashboard's, ``ocop-bot export``) judges "on time" by
:func:`calendar_for_export`: the calendar as the database has it when the export starts.
"""

from __future__ import annotations

import io
import logging
import tempfile
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.files.links import FileLinks
from bot.i18n import N_, Translator
from bot.jobs import JobFailed
from bot.messages import Document, Outbound
from handlers.context import HandlerConfig, Job
from scheduler.calendar import load_calendar
from storage.deadlines import Deadlines
from storage.exports import ExportError, export, export_filename
from storage.exports.columns import Asked, OnTime
from storage.models import Submission, User, UserStatus
from storage.outbox import Outbox
from storage.scope import scope_of

log = logging.getLogger(__name__)
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

#: For a channel, how to link to files instead of sending them (None: send them).
LinksFor = Callable[[str], FileLinks | None]


@dataclass(frozen=True)
class ExportCalendar:
    """An export's judgement by the calendar the database has now (admins' /lich changes,
    national and provinces' own), read once when the export starts: the same deadlines
    (``Calendar.deadlines``) as /tiendo and the dashboard read in their own transaction, and
    which periods anyone was asked for. Not the process's copy (``current_calendar``): the
    scheduler refreshes it only every half minute, and nothing refreshes it in
    ``ocop-bot export``."""

    on_time: OnTime
    asked: Asked


async def calendar_for_export(
    session_factory: async_sessionmaker[AsyncSession], zone: ZoneInfo
) -> ExportCalendar:
    async with session_factory() as session:
        calendar = await load_calendar(session, zone=zone)
    periods: dict[tuple[str, str], Deadlines] = {}

    def on_time(submission: Submission) -> bool | None:
        key = (submission.form_id, submission.period)
        deadlines = periods.get(key)
        if deadlines is None:  # an export asks for the same few periods on every row
            deadlines = periods[key] = calendar.deadlines(*key)
        return deadlines.on_time(submission.province_code, submission.submitted_at)

    def asked(form_id: str, period_key: str) -> bool:
        return calendar.asked_from(form_id, period_key) is None

    return ExportCalendar(on_time, asked)


def export_runner(
    session_factory: async_sessionmaker[AsyncSession],
    config: HandlerConfig,
    *,
    links_for: LinksFor | None = None,
) -> Callable[[Job], Awaitable[None]]:
    async def run(job: Job) -> None:
        tr = Translator(job.language)
        params = job.params
        async with session_factory() as session:
            user = await session.get(User, job.user_id)
        if user is None or not user.is_admin or user.status != UserStatus.ACTIVE:
            # Rights are read again now: they may have been withdrawn since the request.
            raise JobFailed(N_("only an active administrator may export"))
        filename = export_filename(params.get("report"), params.get("period"), "xlsx")
        zone = ZoneInfo(str(config.zone))

        async def build(out: io.BytesIO | Path) -> int:
            judged = await calendar_for_export(session_factory, zone)
            try:
                summary = await export(
                    session_factory,
                    out,
                    scope=scope_of(user),
                    report=params.get("report"),
                    period=params.get("period"),
                    province_code=params.get("province_code"),
                    fmt="xlsx",
                    zone=zone,
                    on_time=judged.on_time,
                    was_asked=judged.asked,
                )
            except ExportError as exc:
                raise JobFailed(
                    N_("the export does not match the data ({detail})"), detail=str(exc)
                ) from exc
            return summary.submissions

        links = links_for(job.channel) if links_for is not None else None
        if links is not None:
            with tempfile.TemporaryDirectory(prefix="ocop-export-") as folder:
                path = Path(folder) / filename
                rows = await build(path)
                link = await links.publish_path(
                    user_id=user.id, path=path, filename=filename, content_type=XLSX
                )
            text = tr.t("Here is the export: {rows} reports.", rows=rows)
            message = Outbound(text=text + "\n\n" + link.note(tr, filename))
        else:
            buffer = io.BytesIO()
            rows = await build(buffer)
            message = Outbound(
                text=tr.t("Here is the export: {rows} reports.", rows=rows),
                document=Document(filename=filename, content=buffer.getvalue(), mime_type=XLSX),
            )
        await _send(session_factory, job, message)

    return run


async def _send(
    session_factory: async_sessionmaker[AsyncSession], job: Job, message: Outbound
) -> None:
    async with session_factory() as session, session.begin():
        await Outbox(session).enqueue(
            channel=job.channel, address=job.address, message=message, user_id=job.user_id
        )
