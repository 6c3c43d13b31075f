"""Storing a file for one user and giving them a signed link to it.

Used where a channel cannot carry files (Zalo): the ``/xuat`` export job stores the
workbook it built (from a temporary file, chunk by chunk) and sends the link as text; the
Zalo channel does the same for any other document in an outbox row (its ``document_link``
hook). The file is kept until the link expires (``OCOP_LINK_TTL_HOURS``), then the
retention purge deletes it.

The signing secret is ``OCOP_LINK_SECRET``, or one made once and kept in the database
(:func:`link_secret`), so that every worker signs and checks alike.
"""

from __future__ import annotations

import asyncio
import hashlib
import math
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import BinaryIO
from urllib.parse import urlsplit

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.files.signing import Claim, LinkSigner
from bot.i18n import Translator
from bot.messages import Document
from storage.app_secrets import shared_secret
from storage.files import CHUNK_SIZE, FileInfo, FileKind, StoredFiles, split
from storage.models import utcnow

ROUTE = "/files/{token}"
SECRET_NAME = "link_secret"


async def link_secret(session: AsyncSession, configured: str | None) -> str:
    """``OCOP_LINK_SECRET`` if set, else the one kept in the database (made on first use)."""
    return configured or await shared_secret(session, SECRET_NAME)


@dataclass(frozen=True)
class Link:
    """A download link and when it stops working."""

    url: str
    expires_at: datetime

    def note(self, tr: Translator, filename: str, *, now: datetime | None = None) -> str:
        """What the user reads: where to download, for how long, and not to forward it."""
        left = (self.expires_at - (now or utcnow())).total_seconds()
        hours = max(1, math.ceil(left / 3600))
        return (
            tr.t("Download {filename} here: {url}", filename=filename, url=self.url)
            + "\n"
            + tr.tn(
                "The link works for {n} hour. Anyone who has it can download the file, so "
                "please do not forward it.",
                "The link works for {n} hours. Anyone who has it can download the file, so "
                "please do not forward it.",
                hours,
            )
        )


class FileLinks:
    """Stores files for users and signs links to them under ``OCOP_PUBLIC_URL``."""

    def __init__(
        self,
        session_factory: async_sessionmaker[AsyncSession],
        signer: LinkSigner,
        *,
        public_url: str,
        ttl: timedelta,
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        self.session_factory = session_factory
        self.signer = signer
        self.public_url = public_url.rstrip("/")
        self.ttl = ttl
        self.clock = clock

    @property
    def route(self) -> str:
        """The local route: a reverse proxy forwards the public path unchanged."""
        return urlsplit(self.public_url).path.rstrip("/") + ROUTE

    def link(self, info: FileInfo, user_id: int) -> Link:
        """The link to a stored file for ``user_id``, valid as long as the file is kept."""
        assert info.expires_at is not None, "only files that expire are linked"
        claim = Claim(info.id, user_id, int(info.expires_at.timestamp()))
        token = self.signer.token(claim)
        return Link(f"{self.public_url}/files/{token}", info.expires_at)

    async def publish_path(
        self, *, user_id: int, path: Path, filename: str, content_type: str
    ) -> Link:
        """Store the file at ``path`` (read chunk by chunk, off the event loop) for
        ``user_id``; its link."""
        with path.open("rb") as handle:
            return await self._publish(
                user_id=user_id,
                kind=FileKind.EXPORT,
                filename=filename,
                content_type=content_type,
                chunks=_read_chunks(handle),
            )

    async def publish_document(self, user_id: int, document: Document) -> Link:
        """Store a document from an outbox row for ``user_id``; its link. Sending the same
        document again (a retried delivery) reuses the stored copy and gives the same link,
        so the text of a retried message does not change."""
        digest = hashlib.sha256(document.content).hexdigest()
        source = f"document:{user_id}:{digest}"
        async with self.session_factory() as session, session.begin():
            files = StoredFiles(session)
            found = await files.by_source(source)
            if found is not None and not found.expired(self.clock()):
                return self.link(found, user_id)
            if found is not None:
                await files.delete(found.id)
        return await self._publish(
            user_id=user_id,
            kind=FileKind.DOCUMENT,
            filename=document.filename,
            content_type=document.mime_type,
            chunks=split(document.content),
            source=source,
        )

    async def _publish(
        self,
        *,
        user_id: int,
        kind: FileKind,
        filename: str,
        content_type: str,
        chunks: Iterator[bytes] | AsyncIterator[bytes],
        source: str | None = None,
    ) -> Link:
        expires_at = (self.clock() + self.ttl).replace(microsecond=0)
        async with self.session_factory() as session, session.begin():
            info = await StoredFiles(session).add(
                kind=kind,
                owner_id=user_id,
                filename=filename,
                content_type=content_type,
                chunks=chunks,
                expires_at=expires_at,
                source=source,
            )
        return self.link(info, user_id)


async def _read_chunks(handle: BinaryIO) -> AsyncIterator[bytes]:
    """A file's chunks, each read in a thread: the event loop never waits on the disk."""
    while chunk := await asyncio.to_thread(handle.read, CHUNK_SIZE):
        yield chunk
