"""A small client of the Zalo Bot Platform's HTTP API (no SDK): one method, one typed outcome.

``https://bot-api.zaloplatforms.com/bot<TOKEN>/<method>``, JSON in, and JSON out as
``{ok, result, description, error_code}``. Why our own: the API is a handful of methods, and
what matters here is what an SDK would hide: every failure becomes one of a few typed errors
the channel and the poller decide on (retry, back off, give up, stop start-up), every call has
a bounded time-out, and the token, which is part of every URL, never appears in an error text
or a log line (aiohttp's own exceptions carry the URL, so they are never chained or logged).

Zalo may report an error by the HTTP status or by ``ok: false`` with ``error_code`` in a 200
answer; both are read the same way. A ``getUpdates`` that found nothing answers 408: that is
"no update", not an error.
"""

from __future__ import annotations

import asyncio
import json
from typing import Any

import aiohttp

DEFAULT_BASE = "https://bot-api.zaloplatforms.com"
MAX_TEXT = 2000  # sendMessage text and sendPhoto caption: 1 to 2,000 characters
EMPTY_POLL = 408


class ZaloApiError(Exception):
    """A call failed; ``code`` is Zalo's error code or the HTTP status (0: no answer)."""

    def __init__(self, method: str, code: int, description: str) -> None:
        super().__init__(f"Zalo {method} failed ({code or 'no answer'}): {description}")
        self.method = method
        self.code = code
        self.description = description


class Unauthorized(ZaloApiError):
    """401: the token is wrong or was revoked."""


class RateLimited(ZaloApiError):
    """429 "quota exceeded": Zalo publishes no limits, so the caller backs off."""

    def __init__(
        self, method: str, code: int, description: str, retry_after: float | None = None
    ) -> None:
        super().__init__(method, code, description)
        self.retry_after = retry_after


class BadRequest(ZaloApiError):
    """400 and other 4xx: this request will be refused however often it is sent."""


class ServerError(ZaloApiError):
    """5xx, or an answer that is not the API's JSON (a proxy's error page): try again later."""


class ApiTimeout(ZaloApiError):
    """No answer within the time-out, or the connection failed: try again later."""


class ZaloApi:
    """The Bot API for one token. ``timeout`` bounds every call; a long poll gets its own
    wait on top. Close it with :meth:`close` (the runtime does, on stop)."""

    def __init__(
        self,
        token: str,
        *,
        base: str = DEFAULT_BASE,
        timeout: float = 30.0,
        session: aiohttp.ClientSession | None = None,
    ) -> None:
        self._token = token
        self.base = base.rstrip("/")
        self.timeout = timeout
        self._session = session
        self._own_session = session is None

    def __repr__(self) -> str:  # never the token
        return f"ZaloApi(base={self.base!r})"

    def redact(self, text: str) -> str:
        """``text`` with the token replaced, for anything that may reach a log."""
        return text.replace(self._token, "<token>") if self._token else text

    async def call(
        self, method: str, params: dict[str, Any] | None = None, *, seconds: float | None = None
    ) -> Any:
        """POST ``params`` as JSON to ``method``; the ``result``, or a :class:`ZaloApiError`."""
        session = self._session
        if session is None or session.closed:
            session = self._session = aiohttp.ClientSession()
        url = f"{self.base}/bot{self._token}/{method}"
        limit = aiohttp.ClientTimeout(total=seconds if seconds is not None else self.timeout)
        try:
            async with session.post(url, json=params or {}, timeout=limit) as response:
                status = response.status
                raw = await response.read()
                retry_after = _retry_after(response.headers.get("Retry-After"))
        except TimeoutError:
            raise ApiTimeout(method, 0, "no answer in time") from None
        except aiohttp.ClientError as exc:
            detail = self.redact(f"{type(exc).__name__}: {exc}")
            raise ApiTimeout(method, 0, detail) from None
        return self._result(method, status, raw, retry_after)

    def _result(self, method: str, status: int, raw: bytes, retry_after: float | None) -> Any:
        try:
            body = json.loads(raw)
        except ValueError:
            body = None
        if not isinstance(body, dict):
            if status < 500 and status in _ERRORS:
                raise _ERRORS[status](method, status, f"HTTP {status}")
            raise ServerError(method, status, f"unreadable answer (HTTP {status})")
        if body.get("ok") is True and status < 400:
            return body.get("result")
        code = body.get("error_code")
        code = code if isinstance(code, int) and not isinstance(code, bool) else status
        description = self.redact(str(body.get("description") or f"HTTP {status}"))[:300]
        if code == 429 or status == 429:
            parameters = body.get("parameters")
            if isinstance(parameters, dict):
                retry_after = _retry_after(parameters.get("retry_after")) or retry_after
            raise RateLimited(method, 429, description, retry_after)
        error = _ERRORS.get(code)
        if error is None:
            error = ServerError if code >= 500 or code < 400 else BadRequest
        raise error(method, code, description)

    # -- the methods the bot uses --------------------------------------------------------

    async def get_me(self) -> dict[str, Any]:
        result = await self.call("getMe")
        return result if isinstance(result, dict) else {}

    async def get_updates(self, *, wait: int) -> Any:
        """One long poll: the update (Zalo gives one per call), or None when ``wait``
        seconds passed without one. The time-out is the wait plus the usual one."""
        try:
            # Zalo's reference types ``timeout`` as a string (its example sends a number).
            return await self.call(
                "getUpdates", {"timeout": str(wait)}, seconds=self.timeout + wait
            )
        except ApiTimeout as exc:
            if exc.code == EMPTY_POLL:
                return None
            raise

    async def set_webhook(self, url: str, secret: str) -> None:
        await self.call("setWebhook", {"url": url, "secret_token": secret})

    async def delete_webhook(self) -> None:
        await self.call("deleteWebhook")

    async def get_webhook_info(self) -> dict[str, Any]:
        result = await self.call("getWebhookInfo")
        return result if isinstance(result, dict) else {}

    async def send_message(self, chat_id: str, text: str) -> Any:
        return await self.call("sendMessage", {"chat_id": chat_id, "text": text})

    async def send_photo(self, chat_id: str, photo_url: str, caption: str | None = None) -> Any:
        params: dict[str, Any] = {"chat_id": chat_id, "photo": photo_url}
        if caption:
            params["caption"] = caption
        return await self.call("sendPhoto", params)

    async def send_sticker(self, chat_id: str, sticker: str) -> Any:
        return await self.call("sendSticker", {"chat_id": chat_id, "sticker": sticker})

    async def send_chat_action(self, chat_id: str, action: str = "typing") -> Any:
        return await self.call("sendChatAction", {"chat_id": chat_id, "action": action})

    async def close(self) -> None:
        if self._own_session and self._session is not None and not self._session.closed:
            await self._session.close()
            # aiohttp closes the connector's transports on the next loop turn.
            await asyncio.sleep(0)


_ERRORS: dict[int, type[ZaloApiError]] = {
    400: BadRequest,
    401: Unauthorized,
    408: ApiTimeout,
    429: RateLimited,
}


def _retry_after(value: object) -> float | None:
    """A positive number of seconds, or None (Zalo does not promise one)."""
    try:
        seconds = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None
    return seconds if 0 < seconds < 24 * 3600 else None
