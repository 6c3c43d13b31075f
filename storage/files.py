"""Files the bot keeps itself, as rows: photos people sent and exports behind download links.

Why in the database and not in a folder: every worker (on any machine) can serve them, a
backup of the database holds them, and SQLite and PostgreSQL both do it. Why in chunks
(:data:`CHUNK_SIZE` each): a file is written and served one chunk at a time, so neither
storing an export nor downloading one ever holds the whole file in memory.

A form keeps a stored photo as a reference (:func:`file_ref`, ``"file:42"``) in place of the
messenger's URL or file id, so later views and exports use our copy.

What expires (exports, documents behind links) is deleted by the retention purge
(:func:`purge_expired_files`, from storage/retention.py: at start-up and nightly). Photos
have no expiry: one an answer keeps goes when its owner's personal data are erased
(:meth:`StoredFiles.delete_owned`, from storage/personal_data.py). A photo no answer keeps
(sent outside a photo question, or as a new person's first message, before they had an
account and so with no owner) is personal data kept for nothing: the same purge drops it
once :data:`ORPHAN_GRACE` has passed (:func:`purge_orphan_photos`).
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterable, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from sqlalchemy import String, cast, delete, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import (
    Conversation,
    FileChunk,
    StoredFile,
    Submission,
    SubmissionRevision,
    utcnow,
)

CHUNK_SIZE = 256 * 1024
REF_PREFIX = "file:"
#: How long a kept photo may wait for an answer to name it. Why not at once: the receiver
#: stores a photo before its message is handled, and a draft in progress holds its photo
#: (the conversation's state is checked too); two days cover both with room to spare.
ORPHAN_GRACE = timedelta(days=2)
#: Where answers keep references: submitted reports, their earlier revisions, and the drafts
#: of conversations in progress (a message the bot sends never carries a stored photo).
_HOLDERS = (Submission.answers, SubmissionRevision.answers, Conversation.data)
_QUOTED_REF = re.compile(r'"' + re.escape(REF_PREFIX) + r'(\d+)"')
_BATCH = 500


class FileKind(StrEnum):
    PHOTO = "photo"  # a photo a user sent, kept as their answer
    EXPORT = "export"  # an export built for a download link
    DOCUMENT = "document"  # any other file sent where the channel cannot carry files


@dataclass(frozen=True)
class FileInfo:
    """What is known of a stored file without reading its bytes."""

    id: int
    kind: str
    owner_id: int | None
    filename: str
    content_type: str
    size: int
    chunks: int
    expires_at: datetime | None

    def expired(self, now: datetime | None = None) -> bool:
        return self.expires_at is not None and self.expires_at <= (now or utcnow())


def file_ref(file_id: int) -> str:
    """How a form answer names a stored file."""
    return f"{REF_PREFIX}{file_id}"


def ref_id(value: object) -> int | None:
    """The stored file an answer names, or None (a messenger's own file id or URL)."""
    if isinstance(value, str) and value.startswith(REF_PREFIX):
        number = value[len(REF_PREFIX) :]
        if number.isdigit():
            return int(number)
    return None


def split(content: bytes) -> Iterator[bytes]:
    """``content`` in chunks of :data:`CHUNK_SIZE` (none for an empty file)."""
    for start in range(0, len(content), CHUNK_SIZE):
        yield content[start : start + CHUNK_SIZE]


async def _each(chunks: Iterator[bytes] | AsyncIterable[bytes]) -> AsyncIterable[bytes]:
    if isinstance(chunks, AsyncIterable):
        async for chunk in chunks:
            yield chunk
    else:
        for chunk in chunks:
            yield chunk


_COLUMNS = (
    StoredFile.id,
    StoredFile.kind,
    StoredFile.owner_id,
    StoredFile.filename,
    StoredFile.content_type,
    StoredFile.size,
    StoredFile.chunks,
    StoredFile.expires_at,
)


class StoredFiles:
    """The files table, in the caller's transaction."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def add(
        self,
        *,
        kind: FileKind,
        filename: str,
        content_type: str,
        chunks: Iterator[bytes] | AsyncIterable[bytes],
        owner_id: int | None = None,
        expires_at: datetime | None = None,
        source: str | None = None,
    ) -> FileInfo:
        """Store a file chunk by chunk (each chunk is written as it comes). The file is
        visible to others only when the caller's transaction commits, complete."""
        result = await self.session.execute(
            insert(StoredFile)
            .values(
                kind=kind,
                owner_id=owner_id,
                filename=filename[:200],
                content_type=content_type[:100],
                size=0,
                chunks=0,
                source=source,
                created_at=utcnow(),
                expires_at=expires_at,
            )
            .returning(StoredFile.id)
        )
        file_id = int(result.scalar_one())
        size = seq = 0
        async for chunk in _each(chunks):
            if not chunk:
                continue
            await self.session.execute(
                insert(FileChunk).values(file_id=file_id, seq=seq, data=chunk)
            )
            size += len(chunk)
            seq += 1
        await self.session.execute(
            update(StoredFile).where(StoredFile.id == file_id).values(size=size, chunks=seq)
        )
        return FileInfo(
            file_id, kind, owner_id, filename[:200], content_type[:100], size, seq, expires_at
        )

    async def info(self, file_id: int) -> FileInfo | None:
        row = (
            await self.session.execute(select(*_COLUMNS).where(StoredFile.id == file_id))
        ).first()
        return FileInfo(*row) if row else None

    async def by_source(self, source: str) -> FileInfo | None:
        statement = select(*_COLUMNS).where(StoredFile.source == source)
        row = (await self.session.execute(statement)).first()
        return FileInfo(*row) if row else None

    async def chunk(self, file_id: int, seq: int) -> bytes | None:
        return await self.session.scalar(
            select(FileChunk.data).where(FileChunk.file_id == file_id, FileChunk.seq == seq)
        )

    async def content(self, file_id: int) -> bytes:
        """The whole file (small ones: a photo to look at, tests)."""
        rows = await self.session.scalars(
            select(FileChunk.data).where(FileChunk.file_id == file_id).order_by(FileChunk.seq)
        )
        return b"".join(rows)

    async def delete(self, file_id: int) -> None:
        await self.session.execute(delete(FileChunk).where(FileChunk.file_id == file_id))
        await self.session.execute(delete(StoredFile).where(StoredFile.id == file_id))

    async def owned(self, owner_id: int, kind: FileKind | None = None) -> list[FileInfo]:
        """The files of one person (their photos; an admin's exports behind links), oldest
        first: what ``/dulieu`` lists."""
        statement = select(*_COLUMNS).where(StoredFile.owner_id == owner_id)
        if kind is not None:
            statement = statement.where(StoredFile.kind == kind)
        rows = await self.session.execute(statement.order_by(StoredFile.id))
        return [FileInfo(*row) for row in rows.all()]

    async def delete_owned(self, owner_id: int) -> int:
        """Delete every file of one person (erasure: a photo is their personal data, and
        an export or document behind a link was only for them); how many."""
        theirs = select(StoredFile.id).where(StoredFile.owner_id == owner_id).scalar_subquery()
        await self.session.execute(delete(FileChunk).where(FileChunk.file_id.in_(theirs)))
        result = await self.session.execute(
            delete(StoredFile).where(StoredFile.owner_id == owner_id)
        )
        return int(result.rowcount or 0)  # type: ignore[attr-defined]


async def photo_ids(session: AsyncSession) -> frozenset[int]:
    """The ids of every stored photo: an export counts, per answer, the photos still kept
    (a few per product idea, so the set stays small)."""
    rows = await session.scalars(select(StoredFile.id).where(StoredFile.kind == FileKind.PHOTO))
    return frozenset(rows)


async def purge_expired_files(session: AsyncSession, now: datetime | None = None) -> int:
    """Delete every file past its expiry (chunks first: no reliance on cascades)."""
    expired = select(StoredFile.id).where(
        StoredFile.expires_at.is_not(None), StoredFile.expires_at <= (now or utcnow())
    )
    await session.execute(delete(FileChunk).where(FileChunk.file_id.in_(expired.scalar_subquery())))
    result = await session.execute(
        delete(StoredFile).where(StoredFile.id.in_(expired.scalar_subquery()))
    )
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


async def referenced_files(session: AsyncSession) -> set[int]:
    """Every stored file an answer or a draft names (``"file:42"``).

    Read as the JSON's text (only rows that hold a reference at all), the same on SQLite
    and PostgreSQL; a value nested in a list (several photos) is found too."""
    found: set[int] = set()
    for column in _HOLDERS:
        text = cast(column, String)
        statement = select(text).where(text.contains(f'"{REF_PREFIX}', autoescape=True))
        for value in await session.scalars(statement):
            found.update(int(number) for number in _QUOTED_REF.findall(value or ""))
    return found


async def purge_orphan_photos(
    session: AsyncSession, now: datetime | None = None, *, grace: timedelta = ORPHAN_GRACE
) -> int:
    """Delete the photos older than ``grace`` that nothing names (with or without an
    owner: see the module docstring); how many."""
    cutoff = (now or utcnow()) - grace
    candidates = set(
        await session.scalars(
            select(StoredFile.id).where(
                StoredFile.kind == FileKind.PHOTO, StoredFile.created_at < cutoff
            )
        )
    )
    if not candidates:
        return 0
    orphans = sorted(candidates - await referenced_files(session))
    for start in range(0, len(orphans), _BATCH):
        batch = orphans[start : start + _BATCH]
        await session.execute(delete(FileChunk).where(FileChunk.file_id.in_(batch)))
        await session.execute(delete(StoredFile).where(StoredFile.id.in_(batch)))
    return len(orphans)
