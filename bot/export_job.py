"""The ``/xuat`` export, run after the admin's message is committed: the workbook is built
outside the message transaction (it may take seconds) and sent back as an outbox row."""

from __future__ import annotations

import io
import logging
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.i18n import N_, Translator
from bot.jobs import JobFailed
from bot.messages import Document, Outbound
from handlers.context import HandlerConfig, Job
from storage.exports import ExportError, export, export_filename, on_time_by_deadline
from storage.models import User, UserStatus
from storage.outbox import Outbox
from storage.scope import scope_of

log = logging.getLogger(__name__)
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def export_runner(session_factory: async_sessionmaker[AsyncSession], config: HandlerConfig):  # type: ignore[no-untyped-def]
    async def run(job: Job) -> None:
        tr = Translator(job.language)
        params = job.params
        async with session_factory() as session:
            user = await session.get(User, job.user_id)
        if user is None or not user.is_admin or user.status != UserStatus.ACTIVE:
            # Rights are read again now: they may have been withdrawn since the request.
            raise JobFailed(N_("only an active administrator may export"))
        buffer = io.BytesIO()
        try:
            summary = await export(
                session_factory,
                buffer,
                scope=scope_of(user),
                report=params.get("report"),
                period=params.get("period"),
                province_code=params.get("province_code"),
                fmt="xlsx",
                zone=ZoneInfo(str(config.zone)),
                on_time=on_time_by_deadline(config.deadline_of),
            )
            message = Outbound(
                text=tr.t("Here is the export: {rows} reports.", rows=summary.submissions),
                document=Document(
                    filename=export_filename(params.get("report"), params.get("period"), "xlsx"),
                    content=buffer.getvalue(),
                    mime_type=XLSX,
                ),
            )
        except ExportError as exc:
            raise JobFailed(
                N_("the export does not match the data ({detail})"), detail=str(exc)
            ) from exc
        async with session_factory() as session, session.begin():
            await Outbox(session).enqueue(
                channel=job.channel, address=job.address, message=message, user_id=job.user_id
            )

    return run
