"""A local fake of the Zalo Official Account API, its OAuth host and ZNS (issue 17), on
127.0.0.1, for end-to-end tests of bot/channels/zalo_oa/.

What it enforces is what an OA integration gets wrong:

* ``access_token`` header on every call, refused with ``-216`` once :meth:`expire` ran;
* the refresh token is single-use and rotates: ``/v4/oa/access_token`` with the current one
  gives a new pair (counted in :attr:`refreshes`), with any other an error;
* the window: a user in :attr:`closed` gets ``-230``; one who unfollowed gets ``-213``;
* webhooks are signed like Zalo's (``mac=`` + sha256(app_id + body + timestamp + secret)),
  or forged on request;
* ZNS ``/message/template`` records what it was asked (:attr:`zns`).
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import itertools
import json
import secrets
from dataclasses import dataclass
from typing import Any, Self

import aiohttp
from aiohttp import web

APP_ID = "4310987654321"
SECRET_KEY = "oa-secret-key_for-tests"
JSONDict = dict[str, Any]


@dataclass
class OaUser:
    fake: FakeOaServer
    id: str
    cursor: int = 0

    async def says(self, text: str) -> JSONDict:
        event = self.fake.event("user_send_text", self.id, {"text": text})
        await self.fake.deliver(event)
        return event

    def messages(self) -> list[JSONDict]:
        return [m for uid, m in self.fake.sent if uid == self.id]

    async def expect(self, *fragments: str, within: float = 10.0) -> JSONDict:
        """The next message to this user containing every fragment."""

        def found() -> JSONDict | None:
            for index, message in enumerate(self.messages()[self.cursor :], self.cursor):
                if all(f in (message.get("text") or "") for f in fragments):
                    self.cursor = index + 1
                    return message
            return None

        async with asyncio.timeout(within):
            while (message := found()) is None:
                await self.fake.changed()
        return message


class FakeOaServer:
    def __init__(self, *, app_id: str = APP_ID, secret_key: str = SECRET_KEY) -> None:
        self.app_id = app_id
        self.secret_key = secret_key
        self.refresh_token = "refresh-0"
        self.access_token: str | None = None
        self.refreshes = 0
        self.refused_refreshes = 0
        self.sent: list[tuple[str, JSONDict]] = []
        self.zns: list[JSONDict] = []
        # Seconds ZNS waits before answering a message it took (a slow Zalo: the caller
        # times out not knowing that the message went).
        self.zns_stall = 0.0
        self.uploads: list[tuple[str, str]] = []
        self.closed: set[str] = set()
        self.unfollowed: set[str] = set()
        self.webhook_url: str | None = None
        self.deliveries: list[int] = []
        self.photos: dict[str, bytes] = {}
        self._ids = itertools.count(1)
        self._changed = asyncio.Condition()
        self._runner: web.AppRunner | None = None
        self._client: aiohttp.ClientSession | None = None
        self._port = 0

    async def __aenter__(self) -> Self:
        app = web.Application()
        app.router.add_post("/v3.0/oa/message/cs", self._send)
        app.router.add_post("/v2.0/oa/upload/{kind}", self._upload)
        app.router.add_post("/v4/oa/access_token", self._refresh)
        app.router.add_post("/message/template", self._zns)
        app.router.add_get("/photos/{name}", self._photo)
        self._runner = web.AppRunner(app, access_log=None, shutdown_timeout=1.0)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self._port = int(self._runner.addresses[0][1])
        self._client = aiohttp.ClientSession()
        return self

    async def __aexit__(self, *_exc: object) -> None:
        if self._client is not None:
            await self._client.close()
        if self._runner is not None:
            await self._runner.cleanup()

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self._port}"

    def user(self, user_id: str) -> OaUser:
        return OaUser(self, user_id)

    def add_photo(self, content: bytes = b"\xff\xd8\xff\xe0 fake jpeg") -> str:
        """Host ``content`` and return its URL (like the URLs in user_send_image)."""
        name = secrets.token_hex(8) + ".jpg"
        self.photos[name] = content
        return f"{self.base_url}/photos/{name}"

    async def _photo(self, request: web.Request) -> web.Response:
        content = self.photos.get(request.match_info["name"])
        if content is None:
            return web.Response(status=404)
        return web.Response(body=content, content_type="image/jpeg")

    def expire(self) -> None:
        """The access token ends now: every call with it is refused with -216."""
        self.access_token = None

    async def changed(self) -> None:
        """Wait for a send (or a second: the caller's deadline bounds the whole wait)."""
        async with self._changed:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._changed.wait(), 1.0)

    async def _notify(self) -> None:
        async with self._changed:
            self._changed.notify_all()

    # -- webhooks --------------------------------------------------------------------------

    def event(self, name: str, user_id: str, message: JSONDict | None = None) -> JSONDict:
        body: JSONDict = {
            "app_id": self.app_id,
            "event_name": name,
            "timestamp": str(1_760_000_000_000 + next(self._ids)),
        }
        if name in ("follow", "unfollow"):
            body["follower"] = {"id": user_id}
            body["oa_id"] = "oa1"
        else:
            body["sender"] = {"id": user_id}
            body["recipient"] = {"id": "oa1"}
            body["message"] = {"msg_id": f"msg{next(self._ids)}", **(message or {})}
        return body

    def sign(self, raw: bytes, timestamp: str) -> str:
        data = self.app_id.encode() + raw + timestamp.encode() + self.secret_key.encode()
        return "mac=" + hashlib.sha256(data).hexdigest()

    async def deliver(self, event: JSONDict, *, signature: str | bool | None = True) -> int:
        """POST ``event`` to the bot, signed (True), unsigned (None) or with ``signature``."""
        assert self.webhook_url and self._client is not None
        raw = json.dumps(event, ensure_ascii=False).encode()
        headers = {"Content-Type": "application/json"}
        if signature is True:
            headers["X-ZEvent-Signature"] = self.sign(raw, str(event["timestamp"]))
        elif isinstance(signature, str):
            headers["X-ZEvent-Signature"] = signature
        async with self._client.post(self.webhook_url, data=raw, headers=headers) as answer:
            self.deliveries.append(answer.status)
            return answer.status

    # -- the API ---------------------------------------------------------------------------

    def _token_ok(self, request: web.Request) -> bool:
        return (
            self.access_token is not None
            and request.headers.get("access_token") == self.access_token
        )

    async def _send(self, request: web.Request) -> web.Response:
        if not self._token_ok(request):
            return web.json_response({"error": -216, "message": "Access token is invalid"})
        body = await request.json()
        user = body["recipient"]["user_id"]
        if user in self.unfollowed:
            return web.json_response({"error": -213, "message": "User has not followed OA"})
        if user in self.closed:
            return web.json_response({"error": -230, "message": "User has not interacted"})
        self.sent.append((user, body["message"]))
        await self._notify()
        return web.json_response(
            {"error": 0, "message": "Success", "data": {"message_id": secrets.token_hex(8)}}
        )

    async def _upload(self, request: web.Request) -> web.Response:
        if not self._token_ok(request):
            return web.json_response({"error": -216, "message": "Access token is invalid"})
        form = await request.post()
        upload = form["file"]
        kind = request.match_info["kind"]
        self.uploads.append((kind, getattr(upload, "filename", "")))
        key = "attachment_id" if kind == "image" else "token"
        return web.json_response({"error": 0, "data": {key: secrets.token_hex(8)}})

    async def _refresh(self, request: web.Request) -> web.Response:
        form = await request.post()
        if (
            request.headers.get("secret_key") != self.secret_key
            or form.get("app_id") != self.app_id
            or form.get("grant_type") != "refresh_token"
            or form.get("refresh_token") != self.refresh_token
        ):
            self.refused_refreshes += 1
            return web.json_response(
                {
                    "error": -14014,
                    "error_name": "Invalid refresh token",
                    "error_description": "refresh token is invalid or used",
                }
            )
        await asyncio.sleep(0.05)  # long enough for concurrent callers to pile up
        self.refreshes += 1
        self.refresh_token = f"refresh-{self.refreshes}"
        self.access_token = f"access-{self.refreshes}-{secrets.token_hex(4)}"
        return web.json_response(
            {
                "access_token": self.access_token,
                "refresh_token": self.refresh_token,
                "expires_in": "90000",
            }
        )

    async def _zns(self, request: web.Request) -> web.Response:
        if not self._token_ok(request):
            return web.json_response({"error": -216, "message": "Access token is invalid"})
        body = await request.json()
        self.zns.append(body)
        await self._notify()
        if self.zns_stall:
            await asyncio.sleep(self.zns_stall)
        return web.json_response({"error": 0, "data": {"msg_id": secrets.token_hex(8)}})
