"""Sending methods: messages, chat actions, documents and photos, checked like Telegram."""

from __future__ import annotations

import copy
import time
from typing import Any, Final

from tests.fakes.telegram_api.errors import ApiError
from tests.fakes.telegram_api.formatting import check_formatting
from tests.fakes.telegram_api.records import ChatId, JSONDict, UploadedFile
from tests.fakes.telegram_api.state import ServerState
from tests.fakes.telegram_api.validation import check_markup, require_chat

_CHAT_ACTIONS: Final[frozenset[str]] = frozenset(
    {
        "typing",
        "upload_photo",
        "record_video",
        "upload_video",
        "record_voice",
        "upload_voice",
        "upload_document",
        "choose_sticker",
        "find_location",
        "record_video_note",
        "upload_video_note",
    }
)


class SendingMixin(ServerState):
    """The send* methods and the messages they leave."""

    def _bot_message(self, chat_id: ChatId, content: JSONDict, markup: JSONDict | None) -> JSONDict:
        message: JSONDict = {
            "message_id": self._next_message_id(chat_id),
            "from": dict(self.bot_user),
            "chat": self._chat(chat_id),
            "date": int(time.time()),
            **content,
        }
        if markup is not None:
            message["reply_markup"] = markup
        self._messages[(chat_id, message["message_id"])] = message
        return copy.deepcopy(message)

    def _check_caption(self, params: JSONDict) -> JSONDict:
        caption = params.get("caption")
        if caption is None:
            return {}
        if len(caption) > 1024:
            raise ApiError(400, "Bad Request: message caption is too long")
        check_formatting(caption, params.get("parse_mode"), strict=self.strict_formatting)
        return {"caption": caption}

    def _reply_to(self, chat_id: ChatId, params: JSONDict) -> JSONDict:
        reply_id = params.get("reply_to_message_id")
        reply_parameters = params.get("reply_parameters")
        if isinstance(reply_parameters, dict):
            reply_id = reply_parameters.get("message_id", reply_id)
        original = self._messages.get((chat_id, reply_id)) if isinstance(reply_id, int) else None
        return {"reply_to_message": copy.deepcopy(original)} if original else {}

    async def _h_send_message(self, params: JSONDict, upload: UploadedFile | None) -> Any:
        chat_id = require_chat(params)
        text = params.get("text")
        if not isinstance(text, str) or not text.strip():
            raise ApiError(400, "Bad Request: message text is empty")
        if len(text) > 4096:
            raise ApiError(400, "Bad Request: message is too long")
        check_formatting(text, params.get("parse_mode"), strict=self.strict_formatting)
        markup = check_markup(params.get("reply_markup"))
        return self._bot_message(chat_id, {"text": text, **self._reply_to(chat_id, params)}, markup)

    async def _h_send_chat_action(self, params: JSONDict, upload: UploadedFile | None) -> Any:
        require_chat(params)
        if params.get("action") not in _CHAT_ACTIONS:
            raise ApiError(400, "Bad Request: wrong parameter action in request")
        return True

    async def _h_send_document(self, params: JSONDict, upload: UploadedFile | None) -> Any:
        chat_id = require_chat(params)
        assert upload is not None
        caption = self._check_caption(params)
        markup = check_markup(params.get("reply_markup"))
        if upload.source == "file_id" and upload.file_id in self._files:
            info = self._files[upload.file_id]
            document: JSONDict = {
                "file_id": info["file_id"],
                "file_unique_id": info["file_unique_id"],
                "file_size": info["file_size"],
            }
        else:
            data = upload.data or b""
            name = upload.filename or "document"
            document = self._register_file(
                data,
                kind="document",
                extension=name.rsplit(".", 1)[-1] if "." in name else "bin",
            )
        if upload.filename:
            document["file_name"] = upload.filename
            if upload.file_id is None:
                self._files[document["file_id"]]["file_name"] = upload.filename
        if upload.content_type:
            document["mime_type"] = upload.content_type
        return self._bot_message(chat_id, {"document": document, **caption}, markup)

    async def _h_send_photo(self, params: JSONDict, upload: UploadedFile | None) -> Any:
        chat_id = require_chat(params)
        assert upload is not None
        caption = self._check_caption(params)
        markup = check_markup(params.get("reply_markup"))
        data = upload.data or b""
        photo = [
            self._register_file(
                data, kind="photo", extension="jpg", extra={"width": w, "height": h}
            )
            for w, h in ((90, 90), (320, 320), (800, 800))
        ]
        return self._bot_message(chat_id, {"photo": photo, **caption}, markup)
