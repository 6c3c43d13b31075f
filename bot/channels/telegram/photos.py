"""Where the bytes of a Telegram photo come from: ``getFile``, then the Bot API's file URL.

The photo is kept by the bot like a Zalo photo (bot/files/photos.py): a ``file_id`` works
only with this bot's token, and the form, exports, ``/dulieu`` and erasure need our copy.

The file URL is built from ``OCOP_TELEGRAM_API_BASE``, which the operator configured (often
a local Bot API server on this machine), not from anything a user sent: so the download is
not limited to public addresses, but keeps the other guards (time, size, images only). The
URL holds the token; a failure is reported without it (bot/files/fetch.py names only the
kind of error). A Bot API server in ``--local`` mode (files on its disk) is not supported:
aiogram is configured with a plain base URL (bot/channels/telegram/service.py).
"""

from __future__ import annotations

from aiogram import Bot
from aiogram.exceptions import TelegramAPIError

from bot.files.fetch import Download, DownloadFailed, ImageFetcher
from bot.messages import FileRef

GET_FILE_TIMEOUT = 10  # seconds


class TelegramPhotos:
    """A :data:`~bot.files.photos.PhotoSource` for Telegram."""

    def __init__(self, bot: Bot, fetcher: ImageFetcher) -> None:
        self.bot = bot
        self.fetcher = fetcher

    async def __call__(self, file: FileRef) -> Download:
        if file.size is not None and file.size > self.fetcher.max_bytes:
            raise DownloadFailed("too_large", f"{file.size} bytes announced by Telegram")
        try:
            info = await self.bot.get_file(file.file_id, request_timeout=GET_FILE_TIMEOUT)
        except TelegramAPIError as exc:  # the network errors too: the user sends it again
            raise DownloadFailed("failed", f"getFile: {type(exc).__name__}") from None
        if not info.file_path:
            raise DownloadFailed("failed", "getFile gave no file_path")
        return await self.fetcher.fetch(
            self.bot.session.api.file_url(self.bot.token, info.file_path)
        )
