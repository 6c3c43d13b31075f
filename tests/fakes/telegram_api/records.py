"""What the fake records and reports: the files, requests and calls a test inspects.

Plain frozen dataclasses, so a test compares them with ``==`` and prints them readably.
"""

from __future__ import annotations

import enum
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Final, Literal

JSONDict = dict[str, Any]
ChatId = int | str


class Sentinel(enum.Enum):
    """Typed sentinel so ``secret=None`` can mean "send no header"."""

    USE_WEBHOOK_SECRET = enum.auto()


#: Default for ``secret=``: send the secret_token configured with setWebhook (if any).
USE_WEBHOOK_SECRET: Final = Sentinel.USE_WEBHOOK_SECRET


@dataclass(frozen=True)
class UploadedFile:
    """A file the bot sent: uploaded bytes, or a reference (file_id / URL) to an existing one.

    ``data`` is ``None`` only for URL references, because the fake never fetches the internet.
    """

    field: str
    filename: str | None
    content_type: str | None
    data: bytes | None
    source: Literal["upload", "file_id", "url"] = "upload"
    file_id: str | None = None


# A Bot API method's implementation: decoded parameters and the upload, if any, in; the
# ``result`` of the answer out (an ApiError for an error answer).
Handler = Callable[[JSONDict, UploadedFile | None], Awaitable[Any]]


@dataclass(frozen=True)
class RecordedRequest:
    """Every request that reached the fake, failed or not, for debugging and flood assertions."""

    method: str
    params: JSONDict
    status: int
    response: JSONDict
    timestamp: float
    source: Literal["http", "webhook_reply"] = "http"
    files: Mapping[str, UploadedFile] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        """True when the fake answered ``{"ok": true}``."""
        return self.status == 200


@dataclass(frozen=True)
class RecordedCall:
    """A successful user-visible call; what a real user would have seen on their phone.

    ``text`` is the message text (sendMessage / editMessageText) or the notification text of
    answerCallbackQuery; ``caption`` is the media caption.  ``filename``/``file_bytes`` describe
    the document or photo of sendDocument/sendPhoto.
    """

    method: str
    chat_id: ChatId | None
    text: str | None
    caption: str | None
    reply_markup: JSONDict | None
    message_id: int | None
    filename: str | None
    file_bytes: bytes | None
    params: JSONDict
    result: Any
    timestamp: float


@dataclass(frozen=True)
class WebhookConfig:
    """What the bot registered with setWebhook (the fake never calls it on its own)."""

    url: str
    secret_token: str | None
    allowed_updates: list[str] | None
    max_connections: int
    ip_address: str | None
    has_custom_certificate: bool
    drop_pending_updates: bool


@dataclass(frozen=True)
class WebhookDelivery:
    """One POST the fake made to a webhook URL, and how the receiver answered."""

    url: str
    update_id: int | None
    status: int
    secret_sent: str | None
    reply_method: str | None
    timestamp: float
