"""The Bot API methods the fake speaks, and which of them a user would notice.

The sets decide what is recorded in ``sent``, what faults aim at by default, and what the
flood limits count, so they live apart from any one part of the server.
"""

from __future__ import annotations

from typing import Final

#: Every Bot API method the fake implements (canonical spelling; matching is case-insensitive
#: like the real API).
ALL_METHODS: Final[frozenset[str]] = frozenset(
    {
        "getMe",
        "getUpdates",
        "setWebhook",
        "deleteWebhook",
        "getWebhookInfo",
        "sendMessage",
        "sendChatAction",
        "sendDocument",
        "sendPhoto",
        "editMessageText",
        "editMessageReplyMarkup",
        "answerCallbackQuery",
        "deleteMessage",
        "getFile",
        "setMyCommands",
        "getMyCommands",
        "deleteMyCommands",
        "getChat",
    }
)


#: Methods counted by the global / per-chat flood limits (Telegram limits *messages*).
RATE_LIMITED_METHODS: Final[frozenset[str]] = frozenset(
    {"sendMessage", "sendDocument", "sendPhoto"}
)


#: User-visible methods: recorded in ``sent`` on success and the default target of faults.
ACTION_METHODS: Final[frozenset[str]] = RATE_LIMITED_METHODS | frozenset(
    {
        "sendChatAction",
        "editMessageText",
        "editMessageReplyMarkup",
        "answerCallbackQuery",
        "deleteMessage",
    }
)
