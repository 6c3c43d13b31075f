"""Webhook delivery: setWebhook and friends, and the POSTs Telegram would make.

The fake never delivers on its own: a test calls :meth:`deliver_webhook`, so it decides the
order and the moment, and sees each answer (a wrong secret, a 500, a reply in the body).
"""

from __future__ import annotations

import re
import time
from collections.abc import Mapping
from typing import Any, Final

import aiohttp

from tests.fakes.telegram_api.errors import ApiError
from tests.fakes.telegram_api.records import (
    USE_WEBHOOK_SECRET,
    JSONDict,
    Sentinel,
    UploadedFile,
    WebhookConfig,
    WebhookDelivery,
)
from tests.fakes.telegram_api.state import ServerState
from tests.fakes.telegram_api.updates import is_allowed

_SECRET_RE: Final[re.Pattern[str]] = re.compile(r"^[A-Za-z0-9_-]{1,256}$")
_SECRET_HEADER: Final[str] = "X-Telegram-Bot-Api-Secret-Token"


class WebhookMixin(ServerState):
    """The webhook's configuration and its deliveries."""

    async def _h_set_webhook(self, params: JSONDict, upload: UploadedFile | None) -> Any:
        url = params.get("url") or ""
        if not url:
            self.webhook = None
            return True
        if not isinstance(url, str) or not url.startswith(("https://", "http://")):
            raise ApiError(
                400, "Bad Request: bad webhook: An HTTPS URL must be provided for webhook"
            )
        secret = params.get("secret_token")
        if secret is not None and not _SECRET_RE.fullmatch(secret):
            raise ApiError(400, "Bad Request: secret token contains unallowed characters")
        max_connections = params.get("max_connections") or 40
        if not 1 <= max_connections <= 100:
            raise ApiError(400, "Bad Request: bad webhook: max_connections must be 1-100")
        allowed = params.get("allowed_updates")
        drop = bool(params.get("drop_pending_updates"))
        if drop:
            self._queue.clear()
        if isinstance(allowed, list):
            self._allowed_updates = allowed
        self.webhook = WebhookConfig(
            url=url,
            secret_token=secret,
            allowed_updates=allowed if isinstance(allowed, list) else None,
            max_connections=max_connections,
            ip_address=params.get("ip_address"),
            has_custom_certificate=upload is not None,
            drop_pending_updates=drop,
        )
        self._notify()
        return True

    async def _h_delete_webhook(self, params: JSONDict, upload: UploadedFile | None) -> Any:
        self.webhook = None
        if params.get("drop_pending_updates"):
            self._queue.clear()
        self._last_webhook_error = None
        return True

    async def _h_get_webhook_info(self, params: JSONDict, upload: UploadedFile | None) -> Any:
        info: JSONDict = {
            "url": self.webhook.url if self.webhook else "",
            "has_custom_certificate": bool(self.webhook and self.webhook.has_custom_certificate),
            "pending_update_count": len(self._queue),
        }
        if self.webhook is not None:
            info["max_connections"] = self.webhook.max_connections
            if self.webhook.allowed_updates is not None:
                info["allowed_updates"] = self.webhook.allowed_updates
            if self.webhook.ip_address:
                info["ip_address"] = self.webhook.ip_address
            if self._last_webhook_error is not None:
                info["last_error_date"], info["last_error_message"] = self._last_webhook_error
        return info

    async def deliver_webhook(
        self,
        update: Mapping[str, Any] | None = None,
        *,
        secret: str | Sentinel | None = USE_WEBHOOK_SECRET,
        execute_reply: bool = True,
    ) -> int:
        """POST an update to the URL registered with setWebhook; return the HTTP status.

        ``update=None`` takes the oldest pending update.  A 2xx answer confirms (removes) it
        from the pending queue, anything else keeps it pending and is reported as
        ``last_error_message`` by getWebhookInfo, like Telegram.
        """
        if self.webhook is None:
            raise RuntimeError("no webhook is set; the bot must call setWebhook first")
        if update is None:
            pending = self._deliverable()
            if not pending:
                raise LookupError("no pending updates to deliver")
            update = pending[0]
        status = await self.post_update_to(
            self.webhook.url, update, secret=secret, execute_reply=execute_reply
        )
        if 200 <= status < 300:
            self._queue = [u for u in self._queue if u.get("update_id") != update.get("update_id")]
            self._last_webhook_error = None
        else:
            self._last_webhook_error = (
                int(time.time()),
                f"Wrong response from the webhook: {status}",
            )
        self._notify()
        return status

    async def deliver_pending_webhooks(self) -> list[int]:
        """Deliver every pending update in order (stops at the first non-2xx); statuses."""
        statuses: list[int] = []
        while self._deliverable():
            status = await self.deliver_webhook()
            statuses.append(status)
            if not 200 <= status < 300:
                break
        return statuses

    async def post_update_to(
        self,
        url: str,
        update: Mapping[str, Any],
        *,
        secret: str | Sentinel | None = USE_WEBHOOK_SECRET,
        execute_reply: bool = True,
    ) -> int:
        """POST ``update`` as JSON to any URL the way Telegram does; return the HTTP status.

        ``secret`` defaults to the configured secret_token; pass a wrong string to test
        rejection or ``None`` to omit the header.  If the receiver answers with a Bot API
        method in the body (aiogram's ``handle_in_background=False`` mode), it is executed and
        recorded like a normal call (``source="webhook_reply"``).  Network errors return 0.
        """
        if self._client is None:
            raise RuntimeError("FakeTelegramServer is not running; use 'async with'")
        if secret is USE_WEBHOOK_SECRET:
            secret = self.webhook.secret_token if self.webhook else None
        assert not isinstance(secret, Sentinel)
        headers = {_SECRET_HEADER: secret} if secret is not None else {}
        reply_method: str | None = None
        try:
            async with self._client.post(
                url,
                json=dict(update),
                headers=headers,
                timeout=aiohttp.ClientTimeout(total=self.webhook_timeout),
            ) as resp:
                status = resp.status
                if execute_reply and 200 <= status < 300:
                    reply = await self._read_webhook_reply(resp)
                    if reply is not None:
                        reply_method, fields, files = reply
                        await self._process(
                            self.token, reply_method, fields, files, source="webhook_reply"
                        )
        except (aiohttp.ClientError, TimeoutError) as exc:
            status = 0
            self._last_webhook_error = (int(time.time()), f"Connection failed: {exc!r}")
        self.webhook_deliveries.append(
            WebhookDelivery(
                url=url,
                update_id=update.get("update_id"),
                status=status,
                secret_sent=secret,
                reply_method=reply_method,
                timestamp=time.monotonic(),
            )
        )
        self._notify()
        return status

    @staticmethod
    async def _read_webhook_reply(
        resp: aiohttp.ClientResponse,
    ) -> tuple[str, JSONDict, dict[str, UploadedFile]] | None:
        fields: JSONDict = {}
        files: dict[str, UploadedFile] = {}
        if resp.content_type.startswith("multipart/"):
            reader = aiohttp.MultipartReader.from_response(resp)
            while (part := await reader.next()) is not None:
                if not isinstance(part, aiohttp.BodyPartReader) or part.name is None:
                    continue
                data = await part.read(decode=True)
                if part.filename:
                    files[part.name] = UploadedFile(
                        part.name, part.filename, part.headers.get("Content-Type"), bytes(data)
                    )
                else:
                    fields[part.name] = bytes(data).decode("utf-8")
        elif resp.content_type == "application/json":
            body = await resp.json()
            if not isinstance(body, dict):
                return None
            fields = body
        else:
            return None
        method = fields.pop("method", None)
        if not isinstance(method, str):
            return None
        return method, fields, files

    def _deliverable(self) -> list[JSONDict]:
        allowed = self.webhook.allowed_updates if self.webhook else self._allowed_updates
        return [u for u in self._queue if is_allowed(u, allowed)]
