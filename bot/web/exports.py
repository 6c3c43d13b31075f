"""Exports: choose the report, the period, the area and the format; the file downloads.

The file is written by the export the chat and the command line use (storage/exports/), in
the admin's scope, to a temporary file outside the request's transaction, then streamed to
the browser in chunks and deleted: neither memory nor a database connection holds a large
export while it downloads. Each export is audited as the chat's ``/xuat`` is.
"""

from __future__ import annotations

import asyncio
import tempfile
from pathlib import Path
from urllib.parse import quote

from aiohttp import web
from sqlalchemy import select

from bot.export_job import calendar_for_export
from bot.web.pages import secure
from bot.web.sessions import Visit
from forms.periods import parse_period
from forms.registry import FORMS
from storage.audit import AuditLog
from storage.exports import FORMATS, ExportError, export, export_filename
from storage.models import Province
from storage.scope import scope_of

CHUNK = 64 * 1024
TYPES = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "csv": "text/csv; charset=utf-8",
}


async def choose(visit: Visit, *, error: str | None = None) -> web.StreamResponse:
    """GET /admin/exports: the choices (a national admin may narrow to one province)."""
    provinces: list[Province] = []
    if visit.national:
        provinces = list((await visit.db.scalars(select(Province).order_by(Province.code))).all())
    lang = visit.tr.language
    return visit.render(
        "exports.html",
        status=422 if error else 200,
        forms=[(f.id, f.title(lang)) for f in FORMS.values()],
        provinces=[(p.code, p.name) for p in provinces],
        formats=FORMATS,
        error=error,
        chosen={k: visit.value(k) for k in ("report", "period", "province", "format")},
    )


async def download(visit: Visit) -> web.StreamResponse:
    """POST /admin/exports: check the choices, audit, then stream the file."""
    report = visit.value("report") or None
    period = visit.value("period") or None
    fmt = visit.value("format") or "xlsx"
    raw_province = visit.value("province")
    if report is not None and report not in FORMS:
        return await choose(visit, error=visit.tr.t("Please choose a report."))
    if fmt not in FORMATS:
        return await choose(visit, error=visit.tr.t("Please choose a format."))
    if period is not None and parse_period(period) is None:
        return await choose(
            visit,
            error=visit.tr.t(
                "“{text}” is not a period. Write it like 2024-Q2, 2024-06 or 2024.",
                text=period[:20],
            ),
        )
    province: int | None = None
    if visit.national and raw_province.isdigit() and len(raw_province) < 6:
        province = int(raw_province)
    elif not visit.national:
        province = visit.user.province_code
    AuditLog(visit.db).record(
        visit.user.id, "export", report=report, period=period, province=province, web=True
    )
    dashboard, user, config, request = visit.dashboard, visit.user, visit.config, visit.request
    tr = visit.tr

    async def stream() -> web.StreamResponse:
        filename = export_filename(report, period, fmt)  # type: ignore[arg-type]
        with tempfile.TemporaryDirectory(prefix="ocop-web-export-") as folder:
            path = Path(folder) / filename
            judged = await calendar_for_export(dashboard.session_factory, config.zone)
            try:
                await export(
                    dashboard.session_factory,
                    path,
                    scope=scope_of(user),
                    report=report,
                    period=period,
                    province_code=province,
                    fmt=fmt,  # type: ignore[arg-type]
                    zone=config.zone,
                    on_time=judged.on_time,
                    was_asked=judged.asked,
                )
            except ExportError as exc:
                return dashboard.refused(
                    422, tr.t("The export could not be made: {detail}", detail=str(exc))
                )
            response = web.StreamResponse(
                headers={
                    "Content-Type": TYPES[fmt],
                    "Content-Disposition": f"attachment; filename*=UTF-8''{quote(filename)}",
                }
            )
            response.content_length = path.stat().st_size
            secure(response)
            await response.prepare(request)
            with path.open("rb") as handle:  # a local file: each read is short, off the loop
                while chunk := await asyncio.to_thread(handle.read, CHUNK):
                    await response.write(chunk)
            await response.write_eof()
            return response

    visit.after = stream
    return web.Response(status=204)
