"""The HTTP layer: one route for every method, and the order every request goes through.

Authenticate, decode, draw a fault, check the blocked users and the flood limits, run the
method, record the request (and, for what a user sees, the call): the same order for a
request over HTTP and for a method answered in a webhook's reply.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from typing import Any, Literal

from aiohttp import web

from tests.fakes.telegram_api.errors import BLOCKED_DESCRIPTION, ApiError, too_many_requests
from tests.fakes.telegram_api.methods import ACTION_METHODS, RATE_LIMITED_METHODS
from tests.fakes.telegram_api.records import (
    ChatId,
    JSONDict,
    RecordedCall,
    RecordedRequest,
    UploadedFile,
)
from tests.fakes.telegram_api.state import ServerState
from tests.fakes.telegram_api.wire import decode_params


class DispatchMixin(ServerState):
    """Requests in, answers and records out."""

    async def _handle_not_found(self, request: web.Request) -> web.Response:
        return web.json_response(
            {"ok": False, "error_code": 404, "description": "Not Found"}, status=404
        )

    async def _handle_api(self, request: web.Request) -> web.Response:
        token = request.match_info["token"]
        method = request.match_info["method"]
        raw: dict[str, Any] = dict(request.query)
        files: dict[str, UploadedFile] = {}
        try:
            if request.content_type == "application/json":
                body = await request.json()
                if isinstance(body, dict):
                    raw.update(body)
            elif request.can_read_body:
                form = await request.post()
                for key, value in form.items():
                    if isinstance(value, web.FileField):
                        files[key] = UploadedFile(
                            key, value.filename, value.content_type, value.file.read()
                        )
                    else:
                        raw[key] = value
        except web.HTTPRequestEntityTooLarge:
            return self._finish(
                method, raw, files, ApiError(413, "Request Entity Too Large"), source="http"
            )
        except ValueError:
            return self._finish(
                method,
                raw,
                files,
                ApiError(400, "Bad Request: can't parse request body"),
                source="http",
            )
        status, body = await self._process(token, method, raw, files, source="http")
        return web.json_response(body, status=status)

    def _finish(
        self,
        method: str,
        params: JSONDict,
        files: Mapping[str, UploadedFile],
        error: ApiError,
        *,
        source: Literal["http", "webhook_reply"],
    ) -> web.Response:
        self._record_request(method, params, files, error.status, error.body(), source)
        return web.json_response(error.body(), status=error.status)

    def _record_request(
        self,
        method: str,
        params: JSONDict,
        files: Mapping[str, UploadedFile],
        status: int,
        body: JSONDict,
        source: Literal["http", "webhook_reply"],
    ) -> None:
        self.requests.append(
            RecordedRequest(
                method=method,
                params=params,
                status=status,
                response=body,
                timestamp=time.monotonic(),
                source=source,
                files=dict(files),
            )
        )
        self.stats["requests"] += 1
        if status == 200:
            self.stats["ok"] += 1
        else:
            self.stats[str(status)] += 1
            if status >= 500:
                self.stats["5xx"] += 1
        self._notify()

    async def _process(
        self,
        token: str,
        method: str,
        raw: Mapping[str, Any],
        files: Mapping[str, UploadedFile],
        *,
        source: Literal["http", "webhook_reply"],
    ) -> tuple[int, JSONDict]:
        """Authenticate, inject faults, enforce limits, run the handler, record everything."""
        canonical = self._method_names.get(method.lower(), method)
        params: JSONDict = dict(raw)
        call: RecordedCall | None = None
        try:
            if token != self.token:
                raise ApiError(401, "Unauthorized")
            if canonical not in self._handlers:
                raise ApiError(404, "Not Found: method not found")
            params = decode_params(raw)
            result, upload = await self._execute(canonical, params, files)
            status, body = 200, {"ok": True, "result": result}
            if canonical in ACTION_METHODS:
                call = self._make_call(canonical, params, result, upload)
        except ApiError as err:
            status, body = err.status, err.body()
        if call is not None:
            self.sent.append(call)
            self.stats["sent"] += 1
        self._record_request(canonical, params, files, status, body, source)
        return status, body

    async def _execute(
        self, method: str, params: JSONDict, files: Mapping[str, UploadedFile]
    ) -> tuple[Any, UploadedFile | None]:
        fault = self._draw_fault(method)
        if fault is not None:
            if fault.kind == "error":
                raise fault.error()
            self.stats["timeout"] += 1
            await self._sleep(fault.seconds)
            if not fault.deliver:
                raise ApiError(504, "Gateway Timeout")

        chat_id: ChatId | None = params.get("chat_id")
        if method in ACTION_METHODS and chat_id is not None and chat_id in self.blocked:
            raise ApiError(403, BLOCKED_DESCRIPTION)
        if (
            self.strict_chats
            and chat_id is not None
            and method in ACTION_METHODS | {"getChat"}
            and chat_id not in self._known_chats
        ):
            raise ApiError(400, "Bad Request: chat not found")

        now = time.monotonic()
        limited = method in RATE_LIMITED_METHODS and self._limiter.enabled
        if limited:
            retry_after = self._limiter.check(chat_id, now)
            if retry_after is not None:
                self.stats["rate_limited"] += 1
                raise too_many_requests(retry_after)

        upload = self._resolve_upload(method, params, files)
        result = await self._handlers[method](params, upload)
        if limited:
            self._limiter.consume(chat_id, now)
        return result, upload

    def _make_call(
        self, method: str, params: JSONDict, result: Any, upload: UploadedFile | None
    ) -> RecordedCall:
        chat_id: ChatId | None = params.get("chat_id")
        message_id = params.get("message_id")
        if isinstance(result, dict) and "message_id" in result:
            message_id = result["message_id"]
            if chat_id is None:
                chat_id = result["chat"]["id"]
        if method == "answerCallbackQuery":
            chat_id = self._callback_queries.get(str(params.get("callback_query_id")))
        markup = params.get("reply_markup")
        return RecordedCall(
            method=method,
            chat_id=chat_id,
            text=params.get("text"),
            caption=params.get("caption"),
            reply_markup=markup if isinstance(markup, dict) else None,
            message_id=message_id,
            filename=upload.filename if upload else None,
            file_bytes=upload.data if upload else None,
            params=params,
            result=result,
            timestamp=time.monotonic(),
        )
