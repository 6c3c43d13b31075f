"""Keeping the photos people send: downloaded at once and stored by the bot, on every
messenger (Zalo and Telegram; a channel gives only how to get the bytes).

Why keep them ourselves: Zalo gives a photo as a URL on its servers, and such URLs expire;
Telegram gives a ``file_id`` that works only with this bot's token, so a new token (or the
bot moved to Zalo) would lose every photo of every product idea; and neither can be shown in
an export, deleted on request or backed up with the reports. So the receiver, before the
message goes to the pipeline, fetches the image (bot/files/fetch.py: bounded time and size,
images only, and for a URL someone sent, public addresses only) and stores it
(storage/files.py); the message then carries our reference (``file:42``) instead of the
messenger's, and that is what the form keeps.

Why in the receiver and not in the pipeline: the download takes up to seconds and must not
hold the message's transaction (on SQLite, the write lock) or run inside a handler. Why not
as a job: the answer would first be kept as the messenger's id and changed later behind the
conversation's back. The cost: a poller, which is sequential, waits for the download
(bounded by its time-out).

A repeat of the same message (a webhook redelivered, a retry after an outage) finds the copy
it stored before (``source`` = channel and message id) and downloads nothing. A photo that
cannot be taken raises :class:`~bot.files.fetch.DownloadFailed`; the receiver tells the user
(:func:`refusal`) to send it again, and nothing of their conversation changes.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable

from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.files.fetch import MAX_BYTES, Download, DownloadFailed
from bot.i18n import N_
from bot.messages import FileRef, Inbound
from bot.pipeline import StorageUnavailable
from storage.files import FileInfo, FileKind, StoredFiles, file_ref, split
from storage.users import Users

log = logging.getLogger(__name__)

#: How a channel gets the bytes of the photo a message names (Zalo: its URL; Telegram:
#: ``getFile`` and the Bot API's file download). Raises :class:`DownloadFailed`.
PhotoSource = Callable[[FileRef], Awaitable[Download]]

#: What the user reads when their photo could not be taken (``{mb}``: the size limit).
REFUSALS = {
    "too_large": N_(
        "Sorry, that photo is too large (more than {mb} MB). Please send a smaller photo."
    ),
    "not_image": N_(
        "Sorry, what you sent is not a photo the bot can read. Please send the photo again."
    ),
    "failed": N_("Sorry, the photo could not be received. Please send the photo again."),
}


def refusal(exc: DownloadFailed) -> tuple[str, dict[str, object]]:
    """The msgid and its parameters for a failed download."""
    return REFUSALS[exc.reason], {"mb": MAX_BYTES // (1024 * 1024)}


class PhotoKeeper:
    """Fetches and stores a photo message's image; see the module docstring."""

    def __init__(
        self, session_factory: async_sessionmaker[AsyncSession], source: PhotoSource
    ) -> None:
        self.session_factory = session_factory
        self.source = source

    async def keep(self, inbound: Inbound) -> Inbound:
        """The same message, naming our stored copy instead of the messenger's file.

        Raises :class:`DownloadFailed` (tell the user) and :class:`StorageUnavailable`."""
        assert inbound.file is not None
        source = f"{inbound.channel}:{inbound.message_id}"
        try:
            async with self.session_factory() as session:
                stored = await StoredFiles(session).by_source(source)
            if stored is None:
                stored = await self._download(inbound, inbound.file, source)
        except (DBAPIError, OSError) as exc:
            raise StorageUnavailable(str(exc)) from exc
        reference = FileRef(
            file_id=file_ref(stored.id),
            name=stored.filename,
            mime_type=stored.content_type,
            size=stored.size,
        )
        return inbound.model_copy(update={"file": reference})

    async def _download(self, inbound: Inbound, file: FileRef, source: str) -> FileInfo:
        download = await self.source(file)
        log.info(
            "%s photo of %s kept (%d bytes)",
            inbound.channel,
            inbound.user_id,
            len(download.content),
        )
        try:
            async with self.session_factory() as session, session.begin():
                known = await Users(session).by_identity(inbound.channel, inbound.user_id)
                return await StoredFiles(session).add(
                    kind=FileKind.PHOTO,
                    owner_id=known[0].id if known else None,
                    filename=f"{inbound.channel}-{inbound.message_id}.{download.extension}",
                    content_type=download.content_type,
                    chunks=split(download.content),
                    source=source,
                )
        except IntegrityError:
            # The same message was stored meanwhile (a redelivery handled in parallel).
            async with self.session_factory() as session:
                stored = await StoredFiles(session).by_source(source)
            if stored is None:
                raise
            return stored
