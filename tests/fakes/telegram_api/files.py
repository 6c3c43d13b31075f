"""Files both ways: what users send (photos, documents, stickers, voice) and what the bot
uploads, each with a file_id that getFile and the download URL resolve.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any, Final

from aiohttp import web

from tests.fakes.telegram_api.errors import ApiError
from tests.fakes.telegram_api.records import JSONDict, UploadedFile
from tests.fakes.telegram_api.state import ServerState

_FILE_FIELDS: Final[Mapping[str, str]] = {
    "sendDocument": "document",
    "sendPhoto": "photo",
    "setWebhook": "certificate",
}


class FilesMixin(ServerState):
    """Registered files, uploads and downloads."""

    def _register_file(
        self, data: bytes, *, kind: str, extension: str, extra: JSONDict | None = None
    ) -> JSONDict:
        file_id = self._new_id(f"{kind}-")
        file_unique_id = self._new_id("u")
        info: JSONDict = {
            "file_id": file_id,
            "file_unique_id": file_unique_id,
            "file_size": len(data),
            "file_path": f"{kind}s/file_{self._id_counter}.{extension}",
        }
        self._files[file_id] = info
        self._file_data[info["file_path"]] = data
        return {"file_id": file_id, "file_unique_id": file_unique_id, "file_size": len(data)} | (
            extra or {}
        )

    def user_sends_photo(
        self,
        user_id: int,
        *,
        caption: str | None = None,
        sizes: Iterable[tuple[int, int]] = ((90, 68), (320, 240), (800, 600), (1280, 960)),
        first_name: str | None = None,
        language_code: str | None = "vi",
    ) -> JSONDict:
        """Queue a photo message with several PhotoSize entries (smallest first, like Telegram).

        Each size gets downloadable placeholder bytes so ``bot.download`` works.
        """
        photo = []
        for width, height in sizes:
            data = b"\xff\xd8\xff\xe0FAKEJPEG" + f"{width}x{height}".encode() + b"\x00" * 16
            photo.append(
                self._register_file(
                    data, kind="photo", extension="jpg", extra={"width": width, "height": height}
                )
            )
        content: JSONDict = {"photo": photo}
        if caption is not None:
            content["caption"] = caption
        return self._user_message(
            user_id, content, first_name=first_name, language_code=language_code, extra=None
        )

    def user_sends_document(
        self,
        user_id: int,
        file_name: str = "report.xlsx",
        content: bytes = b"fake document content",
        *,
        mime_type: str = "application/octet-stream",
        caption: str | None = None,
        first_name: str | None = None,
        language_code: str | None = "vi",
    ) -> JSONDict:
        """Queue a document message; ``content`` is what ``getFile`` + download returns."""
        extension = file_name.rsplit(".", 1)[-1] if "." in file_name else "bin"
        document = self._register_file(
            content,
            kind="document",
            extension=extension,
            extra={"file_name": file_name, "mime_type": mime_type},
        )
        body: JSONDict = {"document": document}
        if caption is not None:
            body["caption"] = caption
        return self._user_message(
            user_id, body, first_name=first_name, language_code=language_code, extra=None
        )

    def user_sends_sticker(
        self,
        user_id: int,
        emoji: str = "👍",
        *,
        first_name: str | None = None,
        language_code: str | None = "vi",
    ) -> JSONDict:
        """Queue a sticker -- content a form-filling bot must politely reject."""
        sticker = self._register_file(
            b"RIFF-fake-webp",
            kind="sticker",
            extension="webp",
            extra={
                "type": "regular",
                "width": 512,
                "height": 512,
                "is_animated": False,
                "is_video": False,
                "emoji": emoji,
            },
        )
        return self._user_message(
            user_id,
            {"sticker": sticker},
            first_name=first_name,
            language_code=language_code,
            extra=None,
        )

    def user_sends_voice(
        self,
        user_id: int,
        duration: int = 3,
        *,
        first_name: str | None = None,
        language_code: str | None = "vi",
    ) -> JSONDict:
        """Queue a voice note (OGG/Opus placeholder bytes)."""
        voice = self._register_file(
            b"OggS-fake-opus",
            kind="voice",
            extension="oga",
            extra={"duration": duration, "mime_type": "audio/ogg"},
        )
        return self._user_message(
            user_id,
            {"voice": voice},
            first_name=first_name,
            language_code=language_code,
            extra=None,
        )

    def file_bytes(self, file_id: str) -> bytes | None:
        """Bytes behind a file_id (user uploads and documents/photos the bot sent)."""
        info = self._files.get(file_id)
        return self._file_data.get(info["file_path"]) if info else None

    def _resolve_upload(
        self, method: str, params: JSONDict, files: Mapping[str, UploadedFile]
    ) -> UploadedFile | None:
        """Resolve ``attach://`` references, direct uploads, file_ids and URLs."""
        field_name = _FILE_FIELDS.get(method)
        if field_name is None:
            return None
        if field_name in files:
            return files[field_name]
        value = params.get(field_name)
        if value is None:
            if method == "setWebhook":
                return None
            raise ApiError(400, f"Bad Request: there is no {field_name} in the request")
        if not isinstance(value, str):
            raise ApiError(400, f"Bad Request: wrong {field_name} specified")
        if value.startswith("attach://"):
            attached = files.get(value.removeprefix("attach://"))
            if attached is None:
                raise ApiError(400, "Bad Request: wrong file identifier/HTTP URL specified")
            return attached
        if value.startswith(("http://", "https://")):
            return UploadedFile(
                field_name, value.rsplit("/", 1)[-1] or None, None, None, source="url"
            )
        info = self._files.get(value)
        if info is None:
            raise ApiError(400, "Bad Request: wrong file identifier/HTTP URL specified")
        return UploadedFile(
            field_name,
            info.get("file_name"),
            info.get("mime_type"),
            self._file_data.get(info["file_path"]),
            source="file_id",
            file_id=value,
        )

    async def _handle_file(self, request: web.Request) -> web.Response:
        if request.match_info["token"] != self.token:
            return web.json_response(
                {"ok": False, "error_code": 401, "description": "Unauthorized"}, status=401
            )
        data = self._file_data.get(request.match_info["path"])
        if data is None:
            return web.json_response(
                {"ok": False, "error_code": 404, "description": "Not Found"}, status=404
            )
        return web.Response(body=data, content_type="application/octet-stream")

    async def _h_get_file(self, params: JSONDict, upload: UploadedFile | None) -> Any:
        info = self._files.get(str(params.get("file_id") or ""))
        if info is None:
            raise ApiError(400, "Bad Request: invalid file_id")
        return {key: info[key] for key in ("file_id", "file_unique_id", "file_size", "file_path")}
