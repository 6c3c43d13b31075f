"""The sending half of the OA channel: one outbox row → consultation messages → an outcome.

* choices become ``oa.query.show`` buttons (up to :data:`MAX_BUTTONS`, titles up to 100
  characters) whose payload is the label itself: a tap sends the label back as the user's
  message, which is what the chat shows and what the core maps to the choice. More choices
  (or longer labels) are numbered lines, as on the Bot Platform;
* a document Zalo accepts (PDF, DOC, DOCX up to 5 MB) is uploaded and sent as a file;
  anything else (an Excel export) becomes a signed download link, or a note;
* the window: a user who has not written within ``OCOP_ZALO_OA_WINDOW_HOURS`` may not be
  written to freely. Such a row is not sent blindly: it fails at once (logged), and
  reminders never come here outside the window (scheduler/routing.py sends them by ZNS or
  another messenger). Zalo's own "outside the window" answer is treated the same;
* an unfollowed OA (Zalo says the user does not follow it) is :class:`RecipientBlocked`:
  the identity is marked unreachable here.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from pathlib import PurePath
from typing import Any

from bot.channels.base import (
    Capabilities,
    DeliveryError,
    PermanentFailure,
    RecipientBlocked,
    RetryLater,
)
from bot.channels.progress import DeliveryProgress
from bot.channels.zalo.channel import MemoryParts, SentParts, zalo_limiter
from bot.channels.zalo.render import pieces
from bot.channels.zalo_oa.api import (
    NotFollowing,
    OaApi,
    OaError,
    OutsideWindow,
    RateLimited,
    Refused,
    TokenRefused,
    Unavailable,
    buttons_message,
    file_message,
    text_message,
)
from bot.channels.zalo_oa.tokens import NoToken, TokenKeeper
from bot.channels.zalo_oa.updates import CHANNEL
from bot.files.links import Link
from bot.i18n import Translator
from bot.messages import Document, Outbound
from bot.ratelimit import RateLimiter
from bot.render import numbered_text

log = logging.getLogger(__name__)

MAX_TEXT = 2000
MAX_BUTTONS = 5
MAX_TITLE = 100
FILE_TYPES = frozenset({".pdf", ".doc", ".docx"})
MAX_FILE = 5 * 1024 * 1024

#: Whether the user behind an OA id wrote within the window (None: unknown user).
WindowOpen = Callable[[str], Awaitable[bool | None]]
DocumentLink = Callable[[str, Document], Awaitable[Link | None]]
LanguageOf = Callable[[str], Awaitable[str]]


def plan(message: Outbound, note: str | None = None) -> list[dict[str, Any]]:
    """The consultation messages that show ``message``, in order (pure)."""
    choices = message.choices()
    as_buttons = 0 < len(choices) <= MAX_BUTTONS and all(
        0 < len(b.label) <= MAX_TITLE for b in choices
    )
    text = (message.text if as_buttons else numbered_text(message)).strip()
    if note:
        text = f"{text}\n\n{note}" if text else note
    parts = pieces(text, MAX_TEXT) if text.strip() else []
    if not parts and not as_buttons:
        return []
    messages: list[dict[str, Any]] = [text_message(part) for part in parts]
    if as_buttons:
        last = messages.pop()["text"] if messages else "…"
        messages.append(buttons_message(last, [(b.label, b.label) for b in choices]))
    return messages


def sendable_file(document: Document) -> bool:
    return PurePath(document.filename).suffix.lower() in FILE_TYPES and (
        len(document.content) <= MAX_FILE
    )


def delivery_error(exc: Exception) -> DeliveryError:
    if isinstance(exc, NotFollowing):
        return RecipientBlocked(str(exc))
    if isinstance(exc, OutsideWindow):
        return PermanentFailure(f"unreachable: outside the Zalo OA window: {exc.description}")
    if isinstance(exc, RateLimited):
        return RetryLater(str(exc), retry_after=60.0)
    if isinstance(exc, Unavailable | TokenRefused | NoToken):
        return RetryLater(str(exc))
    if isinstance(exc, Refused | OaError):
        return PermanentFailure(str(exc))
    return RetryLater(f"{type(exc).__name__}")


class ZaloOaChannel:
    name = CHANNEL
    capabilities = Capabilities(
        buttons=True, request_contact=False, documents=False, max_text=MAX_TEXT
    )

    def __init__(
        self,
        api: OaApi,
        tokens: TokenKeeper,
        limiter: RateLimiter | None = None,
        *,
        window_open: WindowOpen | None = None,
        document_link: DocumentLink | None = None,
        language_of: LanguageOf | None = None,
        default_language: str = "vi",
    ) -> None:
        self.api = api
        self.tokens = tokens
        self.limiter = zalo_limiter() if limiter is None else limiter
        self.progress = DeliveryProgress()
        self.window_open = window_open
        self.document_link = document_link
        self.language_of = language_of
        self.default_language = default_language

    async def send(
        self, address: str, message: Outbound, *, parts: SentParts | None = None
    ) -> None:
        if self.window_open is not None and await self.window_open(address) is False:
            log.warning("zalo_oa %s: outside the window, not sent", address)
            raise PermanentFailure("unreachable: outside the Zalo OA window, not sent")
        document = message.document
        upload = document is not None and sendable_file(document)
        note = None if document is None or upload else await self._file_note(address, document)
        messages = plan(message, note)
        if upload:
            assert document is not None
            messages.append({"upload": True})
        if not messages:
            raise PermanentFailure("empty message: nothing to send")
        ledger = parts or MemoryParts(self.progress, DeliveryProgress.key(address, message))
        start = await ledger.done()
        for index in range(start, len(messages)):
            body = messages[index]
            async with self.limiter.slot(address):
                try:
                    if body.get("upload"):
                        assert document is not None
                        await self._send_file(address, document)
                    else:
                        await self.tokens.using(lambda t, b=body: self.api.send(t, address, b))
                except (OaError, NoToken) as exc:
                    error = delivery_error(exc)
                    if not isinstance(error, RetryLater):
                        await ledger.clear()
                    raise error from None
            if index + 1 < len(messages):
                await ledger.record(index + 1)
        await ledger.clear()

    async def _send_file(self, address: str, document: Document) -> None:
        async def upload_and_send(token: str) -> Any:
            data = await self.api.upload(
                token, "file", document.filename, document.content, document.mime_type
            )
            file_token = data.get("token")
            if not isinstance(file_token, str):
                raise Refused("upload file", 0, "no token in the answer")
            return await self.api.send(token, address, file_message(file_token))

        await self.tokens.using(upload_and_send)

    async def _file_note(self, address: str, document: Document) -> str:
        tr = Translator(await self._language(address))
        link = None
        if self.document_link is not None:
            try:
                link = await self.document_link(address, document)
            except Exception as exc:
                raise RetryLater(f"no download link yet ({type(exc).__name__})") from None
        if link is not None:
            return link.note(tr, document.filename)
        return tr.t(
            "The file {filename} cannot be sent on Zalo. Please open the bot on Telegram "
            "to receive it, or ask your administrator for a copy.",
            filename=document.filename,
        )

    async def _language(self, address: str) -> str:
        if self.language_of is None:
            return self.default_language
        try:
            return await self.language_of(address)
        except Exception:
            return self.default_language
