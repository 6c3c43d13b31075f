"""Changing what was sent: edits, deletions and answers to button presses.

"Message is not modified" and answering a callback query twice are refused as Telegram
refuses them: both are mistakes a bot makes easily and only sees in production.
"""

from __future__ import annotations

import copy
import time
from typing import Any

from tests.fakes.telegram_api.errors import ApiError
from tests.fakes.telegram_api.formatting import check_formatting
from tests.fakes.telegram_api.records import JSONDict, UploadedFile
from tests.fakes.telegram_api.state import ServerState
from tests.fakes.telegram_api.validation import check_markup, require_chat, require_message_id


class EditingMixin(ServerState):
    """Edits, deletions and callback answers."""

    def _editable(self, params: JSONDict) -> JSONDict:
        chat_id = require_chat(params)
        message_id = require_message_id(params)
        message = self._messages.get((chat_id, message_id))
        if message is None:
            raise ApiError(400, "Bad Request: message to edit not found")
        if message.get("from", {}).get("id") != self.bot_id:
            raise ApiError(400, "Bad Request: message can't be edited")
        return message

    async def _h_edit_message_text(self, params: JSONDict, upload: UploadedFile | None) -> Any:
        text = params.get("text")
        if not isinstance(text, str) or not text.strip():
            raise ApiError(400, "Bad Request: text must be non-empty")
        if len(text) > 4096:
            raise ApiError(400, "Bad Request: MESSAGE_TOO_LONG")
        check_formatting(text, params.get("parse_mode"), strict=self.strict_formatting)
        markup = check_markup(params.get("reply_markup"), inline_only=True)
        if params.get("inline_message_id"):
            return True
        message = self._editable(params)
        if "text" not in message:
            raise ApiError(400, "Bad Request: there is no text in the message to edit")
        if message["text"] == text and message.get("reply_markup") == markup:
            raise ApiError(
                400,
                "Bad Request: message is not modified: specified new message content and reply "
                "markup are exactly the same as a current content and reply markup of the message",
            )
        message["text"] = text
        message["edit_date"] = int(time.time())
        if markup is None:
            message.pop("reply_markup", None)
        else:
            message["reply_markup"] = markup
        return copy.deepcopy(message)

    async def _h_edit_message_reply_markup(
        self, params: JSONDict, upload: UploadedFile | None
    ) -> Any:
        markup = check_markup(params.get("reply_markup"), inline_only=True)
        if params.get("inline_message_id"):
            return True
        message = self._editable(params)
        if message.get("reply_markup") == markup:
            raise ApiError(
                400,
                "Bad Request: message is not modified: specified new message content and reply "
                "markup are exactly the same as a current content and reply markup of the message",
            )
        message["edit_date"] = int(time.time())
        if markup is None:
            message.pop("reply_markup", None)
        else:
            message["reply_markup"] = markup
        return copy.deepcopy(message)

    async def _h_answer_callback_query(self, params: JSONDict, upload: UploadedFile | None) -> Any:
        query_id = str(params.get("callback_query_id") or "")
        if query_id not in self._callback_queries or query_id in self._answered_callbacks:
            raise ApiError(
                400,
                "Bad Request: query is too old and response timeout expired or query ID is invalid",
            )
        text = params.get("text")
        if isinstance(text, str) and len(text) > 200:
            raise ApiError(400, "Bad Request: MESSAGE_TOO_LONG")
        self._answered_callbacks.add(query_id)
        return True

    async def _h_delete_message(self, params: JSONDict, upload: UploadedFile | None) -> Any:
        chat_id = require_chat(params)
        message_id = require_message_id(params)
        if self._messages.pop((chat_id, message_id), None) is None:
            raise ApiError(400, "Bad Request: message to delete not found")
        return True
