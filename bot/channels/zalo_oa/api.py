"""A small client of the Zalo Official Account API (no SDK), and of its OAuth and ZNS hosts.

* ``POST {api}/v3.0/oa/message/cs`` (header ``access_token``): a consultation message,
  ``{"recipient": {"user_id"}, "message": {...}}``: text, text with buttons (a template
  attachment whose buttons are ``oa.query.show``: a tap sends the button's payload back as
  the user's own message), an image by ``attachment_id``, a file by ``token``;
* ``POST {api}/v2.0/oa/upload/image`` and ``/upload/file`` (multipart ``file``): what
  the ``attachment_id`` or ``token`` comes from;
* ``POST {oauth}/v4/oa/access_token`` (header ``secret_key``, a form ``refresh_token``,
  ``app_id``, ``grant_type=refresh_token``): a new access token (about 25 h) and a new
  refresh token; the old refresh token is spent (see tokens.py);
* ``POST {zns}/message/template`` (header ``access_token``): a ZNS template message to a
  phone number.

Zalo answers HTTP 200 with ``{"error": 0, "message", "data"}``; a negative ``error`` is the
failure. The codes the bot acts on are mapped to typed errors (:data:`TOKEN_CODES`,
:data:`WINDOW_CODES`, ...); any other negative code is a refusal of that request. No token
ever appears in an error text.
"""

from __future__ import annotations

import asyncio
import json
from typing import Any

import aiohttp

# access token invalid or expired
TOKEN_CODES = frozenset({-216, -124, -220})
# the user has not written within the window, or the OA's quota of such messages is spent
WINDOW_CODES = frozenset({-230, -232, -244})
# the user does not follow the OA (unfollowed, blocked it)
GONE_CODES = frozenset({-213})
RATE_CODES = frozenset({-32, -240})


class OaError(Exception):
    """A call failed; ``code`` is Zalo's error code or the HTTP status (0: no answer)."""

    def __init__(self, what: str, code: int, description: str) -> None:
        super().__init__(f"Zalo OA {what} failed ({code or 'no answer'}): {description}")
        self.what = what
        self.code = code
        self.description = description


class TokenRefused(OaError):
    """The access token is expired or invalid: refresh it and try again once."""


class OutsideWindow(OaError):
    """The user may not be written to freely now (the window after their last message)."""


class NotFollowing(OaError):
    """The user does not follow the OA any more."""


class RateLimited(OaError):
    pass


class Refused(OaError):
    """This request will be refused however often it is sent."""


class Unavailable(OaError):
    """5xx, no answer, or an answer that is not Zalo's JSON: try again later."""


class Unanswered(Unavailable):
    """The request went out and no answer came back (a timeout, the connection dropped):
    Zalo may have done it. Free messages are tried again; a paid ZNS is not (zns.py)."""


class OaApi:
    """The hosts of one OA app. ``timeout`` bounds every call."""

    def __init__(
        self,
        *,
        app_id: str,
        secret_key: str,
        api_base: str = "https://openapi.zalo.me",
        oauth_base: str = "https://oauth.zaloapp.com",
        zns_base: str = "https://business.openapi.zalo.me",
        timeout: float = 20.0,
    ) -> None:
        self.app_id = app_id
        self._secret_key = secret_key
        self.api_base = api_base.rstrip("/")
        self.oauth_base = oauth_base.rstrip("/")
        self.zns_base = zns_base.rstrip("/")
        self.timeout = timeout
        self._session: aiohttp.ClientSession | None = None

    def __repr__(self) -> str:  # never a secret
        return f"OaApi(app_id={self.app_id!r}, api_base={self.api_base!r})"

    def _client(self) -> aiohttp.ClientSession:
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession()
        return self._session

    async def _post(self, what: str, url: str, headers: dict[str, str], **kwargs: Any) -> Any:
        limit = aiohttp.ClientTimeout(total=self.timeout)
        try:
            async with self._client().post(
                url, headers=headers, timeout=limit, **kwargs
            ) as response:
                status, raw = response.status, await response.read()
        except TimeoutError:
            raise Unanswered(what, 0, "no answer in time") from None
        except aiohttp.ClientConnectorError as exc:  # never reached Zalo: nothing was done
            raise Unavailable(what, 0, type(exc).__name__) from None
        except aiohttp.ClientError as exc:
            raise Unanswered(what, 0, type(exc).__name__) from None
        try:
            body = json.loads(raw)
        except ValueError:
            body = None
        if status >= 500 or not isinstance(body, dict):
            raise Unavailable(what, status, f"unreadable answer (HTTP {status})")
        return body

    async def _call(self, what: str, url: str, token: str, **kwargs: Any) -> dict[str, Any]:
        body = await self._post(what, url, {"access_token": token}, **kwargs)
        code = body.get("error", 0)
        code = code if isinstance(code, int) and not isinstance(code, bool) else 0
        if code == 0:
            data = body.get("data")
            return data if isinstance(data, dict) else {}
        description = str(body.get("message") or "")[:300]
        if code in TOKEN_CODES:
            raise TokenRefused(what, code, description)
        if code in WINDOW_CODES:
            raise OutsideWindow(what, code, description)
        if code in GONE_CODES:
            raise NotFollowing(what, code, description)
        if code in RATE_CODES:
            raise RateLimited(what, code, description)
        raise Refused(what, code, description)

    # -- OAuth ------------------------------------------------------------------------------

    async def refresh(self, refresh_token: str) -> tuple[str, str, int]:
        """(access token, new refresh token, seconds the access token lasts)."""
        body = await self._post(
            "token refresh",
            f"{self.oauth_base}/v4/oa/access_token",
            {"secret_key": self._secret_key},
            data={
                "refresh_token": refresh_token,
                "app_id": self.app_id,
                "grant_type": "refresh_token",
            },
        )
        access, new = body.get("access_token"), body.get("refresh_token")
        if not isinstance(access, str) or not isinstance(new, str) or not access or not new:
            code = body.get("error")
            code = code if isinstance(code, int) and not isinstance(code, bool) else 400
            description = str(body.get("error_description") or body.get("message") or "")
            raise Refused("token refresh", code, description[:300])
        try:
            seconds = int(body.get("expires_in") or 3600)
        except (TypeError, ValueError):
            seconds = 3600
        return access, new, seconds

    # -- messages ---------------------------------------------------------------------------

    async def send(self, token: str, user_id: str, message: dict[str, Any]) -> dict[str, Any]:
        return await self._call(
            "send",
            f"{self.api_base}/v3.0/oa/message/cs",
            token,
            json={"recipient": {"user_id": user_id}, "message": message},
        )

    async def upload(
        self, token: str, kind: str, filename: str, content: bytes, mime_type: str
    ) -> dict[str, Any]:
        """``kind`` "image" (data: ``attachment_id``) or "file" (data: ``token``)."""
        form = aiohttp.FormData()
        form.add_field("file", content, filename=filename, content_type=mime_type)
        return await self._call(
            f"upload {kind}", f"{self.api_base}/v2.0/oa/upload/{kind}", token, data=form
        )

    async def send_zns(
        self,
        token: str,
        *,
        phone: str,
        template_id: str,
        data: dict[str, str],
        tracking_id: str,
    ) -> dict[str, Any]:
        return await self._call(
            "ZNS",
            f"{self.zns_base}/message/template",
            token,
            json={
                "phone": phone,
                "template_id": template_id,
                "template_data": data,
                "tracking_id": tracking_id,
            },
        )

    async def close(self) -> None:
        if self._session is not None and not self._session.closed:
            await self._session.close()
            await asyncio.sleep(0)


def text_message(text: str) -> dict[str, Any]:
    return {"text": text}


def buttons_message(text: str, buttons: list[tuple[str, str]]) -> dict[str, Any]:
    """A text with ``oa.query.show`` buttons: (title, payload) each."""
    return {
        "text": text,
        "attachment": {
            "type": "template",
            "payload": {
                "buttons": [
                    {"title": title, "type": "oa.query.show", "payload": payload}
                    for title, payload in buttons
                ]
            },
        },
    }


def image_message(attachment_id: str, text: str = "") -> dict[str, Any]:
    return {
        "text": text,
        "attachment": {
            "type": "template",
            "payload": {
                "template_type": "media",
                "elements": [{"media_type": "image", "attachment_id": attachment_id}],
            },
        },
    }


def file_message(file_token: str) -> dict[str, Any]:
    return {"attachment": {"type": "file", "payload": {"token": file_token}}}
