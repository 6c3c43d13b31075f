"""Parameter checks shared by the sending and editing methods, worded as Telegram does."""

from __future__ import annotations

from typing import Any

from tests.fakes.telegram_api.errors import ApiError
from tests.fakes.telegram_api.records import ChatId, JSONDict


def require_chat(params: JSONDict) -> ChatId:
    chat_id = params.get("chat_id")
    if chat_id is None or chat_id == "":
        raise ApiError(400, "Bad Request: chat_id is empty")
    if not isinstance(chat_id, int | str):
        raise ApiError(400, "Bad Request: chat not found")
    return chat_id


def require_message_id(params: JSONDict) -> int:
    message_id = params.get("message_id")
    if not isinstance(message_id, int):
        raise ApiError(400, "Bad Request: message identifier is not specified")
    return message_id


def check_markup(markup: Any, *, inline_only: bool = False) -> JSONDict | None:
    """Validate reply_markup like Telegram; return it only if it is an inline keyboard."""
    if markup is None:
        return None
    if not isinstance(markup, dict):
        raise ApiError(400, "Bad Request: can't parse reply keyboard markup JSON object")
    if "inline_keyboard" in markup:
        rows = markup["inline_keyboard"]
        if not isinstance(rows, list) or not all(isinstance(r, list) for r in rows):
            raise ApiError(400, "Bad Request: can't parse inline keyboard JSON object")
        for row in rows:
            for button in row:
                if not isinstance(button, dict) or not isinstance(button.get("text"), str):
                    raise ApiError(400, "Bad Request: can't parse inline keyboard button")
                actions = set(button) - {"text", "style", "icon_custom_emoji_id"}
                if not actions:
                    raise ApiError(
                        400,
                        "Bad Request: can't parse inline keyboard button: Text buttons are "
                        "unallowed in the inline keyboard",
                    )
                data = button.get("callback_data")
                if data is not None and not 1 <= len(str(data).encode("utf-8")) <= 64:
                    raise ApiError(400, "Bad Request: BUTTON_DATA_INVALID")
        return markup
    if inline_only:
        raise ApiError(400, "Bad Request: inline keyboard expected")
    if "keyboard" in markup:
        rows = markup["keyboard"]
        if not isinstance(rows, list) or not all(isinstance(r, list) for r in rows):
            raise ApiError(400, "Bad Request: can't parse keyboard JSON object")
        return None
    if "remove_keyboard" in markup or "force_reply" in markup:
        return None
    raise ApiError(400, "Bad Request: can't parse reply keyboard markup JSON object")
