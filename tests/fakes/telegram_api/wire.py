"""Request parameters as the handlers want them, whatever encoding the client chose.

aiogram sends form fields (multipart when a file goes along) in which nested objects are
JSON text and numbers and booleans are strings; a JSON body arrives typed already.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any, Final

from tests.fakes.telegram_api.errors import ApiError
from tests.fakes.telegram_api.records import JSONDict

# Form values arrive as strings; these tell the decoder how to type them back.
_JSON_FIELDS: Final[frozenset[str]] = frozenset(
    {
        "reply_markup",
        "allowed_updates",
        "commands",
        "scope",
        "entities",
        "caption_entities",
        "link_preview_options",
        "reply_parameters",
    }
)
_INT_FIELDS: Final[frozenset[str]] = frozenset(
    {
        "offset",
        "limit",
        "timeout",
        "message_id",
        "max_connections",
        "cache_time",
        "message_thread_id",
        "reply_to_message_id",
        "user_id",
    }
)
_BOOL_FIELDS: Final[frozenset[str]] = frozenset(
    {
        "show_alert",
        "drop_pending_updates",
        "disable_notification",
        "protect_content",
        "has_spoiler",
        "disable_web_page_preview",
        "allow_sending_without_reply",
        "disable_content_type_detection",
        "show_caption_above_media",
    }
)


def decode_params(raw: Mapping[str, Any]) -> JSONDict:
    """Type form fields back (aiogram JSON-encodes nested objects and numbers in form bodies)."""
    params: JSONDict = {}
    for key, value in raw.items():
        if not isinstance(value, str):
            params[key] = value
        elif key in _JSON_FIELDS:
            try:
                params[key] = json.loads(value)
            except ValueError as exc:
                raise ApiError(400, f"Bad Request: can't parse {key} JSON object") from exc
        elif key in _INT_FIELDS:
            try:
                params[key] = int(value)
            except ValueError as exc:
                raise ApiError(400, f"Bad Request: invalid {key} specified") from exc
        elif key in _BOOL_FIELDS:
            params[key] = value.strip().lower() in {"true", "1"}
        elif key == "chat_id":
            params[key] = int(value) if re.fullmatch(r"-?\d+", value.strip()) else value
        else:
            params[key] = value
    return params
