"""Error answers as the real Bot API words them, since aiogram maps them to exceptions.

aiogram turns the status and description into ``TelegramRetryAfter``,
``TelegramForbiddenError``... so the bot's retry and "blocked" logic only meets realistic
errors if the words and ``parameters`` are Telegram's own.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Final

from tests.fakes.telegram_api.records import JSONDict

BLOCKED_DESCRIPTION: Final[str] = "Forbidden: bot was blocked by the user"
DEFAULT_DESCRIPTIONS: Final[Mapping[int, str]] = {
    400: "Bad Request: chat not found",
    401: "Unauthorized",
    403: BLOCKED_DESCRIPTION,
    404: "Not Found",
    409: "Conflict: terminated by other getUpdates request; "
    "make sure that only one bot instance is running",
    500: "Internal Server Error",
    502: "Bad Gateway",
    503: "Service Unavailable",
    504: "Gateway Timeout",
}


class ApiError(Exception):
    """Raised inside handlers; turned into the Bot API error envelope by the dispatcher."""

    def __init__(self, status: int, description: str, parameters: JSONDict | None = None) -> None:
        super().__init__(description)
        self.status = status
        self.description = description
        self.parameters = parameters

    def body(self) -> JSONDict:
        body: JSONDict = {
            "ok": False,
            "error_code": self.status,
            "description": self.description,
        }
        if self.parameters:
            body["parameters"] = self.parameters
        return body


def too_many_requests(retry_after: int) -> ApiError:
    return ApiError(
        429,
        f"Too Many Requests: retry after {retry_after}",
        {"retry_after": retry_after},
    )
