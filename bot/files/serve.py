"""The download route, ``GET OCOP_PUBLIC_URL/files/<token>``, on the bot's one HTTP server.

Checks, in order: the token's signature and expiry (no database read for a forged or
expired link), then the file: still there, still the user's, the same expiry as signed.
Refusals are short pages in Vietnamese and English, never a traceback: 403 for a link we
did not make (or not for this file's owner), 410 for one past its time or whose file the
purge deleted, 503 when the database cannot be reached.

The file is streamed one stored chunk at a time, each read in a short session of its own:
a slow download holds neither the whole file in memory nor a database connection.
"""

from __future__ import annotations

import html
import logging
import re
from urllib.parse import quote

from aiohttp import web

from bot.files.links import FileLinks
from bot.files.signing import BadLink, Claim, ExpiredLink, LinkRefused
from bot.http import HttpServer
from bot.i18n import N_, Translator
from storage.files import FileInfo, StoredFiles

log = logging.getLogger(__name__)

PAGES = {
    403: (
        N_("This download link is not valid."),
        N_("Please ask the bot for the file again in your chat."),
    ),
    410: (
        N_("This download link has expired."),
        N_("Please ask the bot for the file again in your chat."),
    ),
    503: (
        N_("The file cannot be downloaded right now."),
        N_("Please try again in a few minutes."),
    ),
}


def mount_files(http: HttpServer, links: FileLinks) -> None:
    """Serve download links on the bot's HTTP server."""
    http.add_get(links.route, make_file_handler(links), owner="OCOP_PUBLIC_URL")


def make_file_handler(links: FileLinks) -> web.Handler:
    async def handle(request: web.Request) -> web.StreamResponse:
        try:
            claim = links.signer.verify(request.match_info["token"], now=links.clock().timestamp())
            info = await _file(links, claim)
        except LinkRefused as exc:
            log.info("download link refused (%s): %s", exc.status, exc)
            return page(exc.status)
        except Exception as exc:  # the database is away: say so, never a traceback
            log.error("a download could not be served: %s", type(exc).__name__)
            return page(503)
        return await _stream(request, links, info)

    return handle


async def _file(links: FileLinks, claim: Claim) -> FileInfo:
    async with links.session_factory() as session:
        info = await StoredFiles(session).info(claim.file_id)
    if info is None:
        raise ExpiredLink("the file was deleted")
    if info.owner_id != claim.user_id or info.expires_at is None:
        raise BadLink("the file is not this user's")
    if int(info.expires_at.timestamp()) != claim.expires:
        raise BadLink("the expiry does not match the file")
    if info.expired(links.clock()):
        raise ExpiredLink("the file has expired")
    return info


async def _stream(request: web.Request, links: FileLinks, info: FileInfo) -> web.StreamResponse:
    response = web.StreamResponse(
        headers={
            "Content-Type": info.content_type,
            "Content-Disposition": _disposition(info.filename),
            "Cache-Control": "private, no-store",
            "X-Content-Type-Options": "nosniff",
            "Referrer-Policy": "no-referrer",
        }
    )
    response.content_length = info.size
    await response.prepare(request)
    if request.method == "HEAD":
        return response
    for seq in range(info.chunks):
        async with links.session_factory() as session:
            data = await StoredFiles(session).chunk(info.id, seq)
        if data is None:  # purged while being downloaded: the client sees a short body
            log.warning("file %s disappeared during a download", info.id)
            raise ConnectionResetError("the file was deleted during the download")
        await response.write(data)
    await response.write_eof()
    return response


def _disposition(filename: str) -> str:
    """``attachment`` with an ASCII fallback name and the exact name in UTF-8 (RFC 6266)."""
    fallback = re.sub(r"[^A-Za-z0-9._-]+", "_", filename) or "file"
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(filename, safe='')}"


def page(status: int) -> web.Response:
    """A small refusal page in both languages (the reader's is not known here)."""
    title, advice = PAGES[status]
    parts = []
    for language in ("vi", "en"):
        tr = Translator(language)
        parts.append(
            f'<section lang="{language}"><h1>{html.escape(tr.t(title))}</h1>'
            f"<p>{html.escape(tr.t(advice))}</p></section>"
        )
    body = (
        '<!doctype html><html><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>OCOP</title></head><body>{''.join(parts)}</body></html>"
    )
    return web.Response(
        status=status,
        text=body,
        content_type="text/html",
        charset="utf-8",
        headers={"Cache-Control": "no-store", "Referrer-Policy": "no-referrer"},
    )
