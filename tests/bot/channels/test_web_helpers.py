"""Shared pieces of the browser chat's HTTP tests (this module holds no tests itself).

The real app (pipeline, handlers, outbox) on the ``database_url`` fixture, so SQLite and
PostgreSQL both run; the chat's routes served by aiohttp's test server; the browser chat's
own outbox sender driven by hand (:meth:`Chat.deliver`), so a test says exactly when replies
are delivered.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import re
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

from aiohttp import ClientResponse
from aiohttp.test_utils import TestClient, TestServer

from bot.app import App
from bot.channels.web import CHANNEL, WebService
from bot.channels.web.identity import COOKIE, HEADER
from bot.http import HttpServer
from bot.messages import Inbound, InboundKind
from bot.sender import OutboxSender
from tests.conftest import make_settings

READ = 10.0  # seconds a test waits for an event before it gives up (it never should)


@dataclass
class Event:
    kind: str
    id: int | None
    data: dict[str, Any]


class Stream:
    """An open event stream, read event by event."""

    def __init__(self, response: ClientResponse) -> None:
        self.response = response

    async def next(self) -> Event:
        kind, event_id, data = "message", None, ""
        async with asyncio.timeout(READ):
            while True:
                line = (await self.response.content.readline()).decode()
                if not line:
                    raise AssertionError("the stream ended")
                line = line.rstrip("\n")
                if not line:
                    if data:
                        return Event(kind, event_id, json.loads(data))
                    continue
                field, _, value = line.partition(": ")
                if field == "event":
                    kind = value
                elif field == "id":
                    event_id = int(value)
                elif field == "data":
                    data += value

    async def until_ready(self) -> tuple[list[Event], Event]:
        """The messages the stream opens with, and its ``ready`` event."""
        shown: list[Event] = []
        while True:
            event = await self.next()
            if event.kind == "ready":
                return shown, event
            shown.append(event)


@dataclass
class Chat:
    app: App
    service: WebService
    client: TestClient
    sender: OutboxSender

    async def open_page(self) -> tuple[str, str]:
        """GET the page as a new browser: its id (the cookie) and its token (the meta tag)."""
        self.client.session.cookie_jar.clear()
        response = await self.client.get("/chat")
        assert response.status == 200
        html = await response.text()
        found = re.search(r'<meta name="csrf-token" content="([^"]+)">', html)
        assert found is not None
        return response.cookies[COOKIE].value, found.group(1)

    async def post(self, body: dict[str, Any], token: str | None, **headers: str) -> ClientResponse:
        if token is not None:
            headers[HEADER] = token
        return await self.client.post("/chat/send", json=body, headers=headers)

    async def say(self, token: str, text: str) -> None:
        response = await self.post({"id": uuid.uuid4().hex, "text": text}, token)
        assert response.status == 200, await response.text()

    async def press(self, token: str, payload: str) -> None:
        response = await self.post({"id": uuid.uuid4().hex, "button": payload}, token)
        assert response.status == 200, await response.text()

    async def deliver(self) -> None:
        """What is queued now is delivered (and the open pages woken)."""
        await self.app.pipeline.idle()
        await self.sender.drain()

    @contextlib.asynccontextmanager
    async def stream(self, **headers: str) -> AsyncIterator[Stream]:
        response = await self.client.get("/chat/events", headers=headers)
        assert response.status == 200, await response.text()
        assert response.headers["Content-Type"].startswith("text/event-stream")
        try:
            yield Stream(response)
        finally:
            response.close()

    async def console(self, user: str, text: str | None = None, payload: str | None = None) -> None:
        """Someone else, in the console chat (not running: their replies stay queued)."""
        kind = InboundKind.BUTTON if payload is not None else InboundKind.TEXT
        await self.app.pipeline.process(
            Inbound(
                channel="console",
                user_id=user,
                message_id=uuid.uuid4().hex,
                kind=kind,
                text=text,
                payload=payload,
            )
        )


@contextlib.asynccontextmanager
async def open_chat(database_url: str, **overrides: object) -> AsyncIterator[Chat]:
    values: dict[str, object] = {"admins": ["console:admin"], "scheduler": False}
    values.update(overrides)
    app = App(make_settings(database_url, **values))
    await app.prepare()
    service = WebService(app)
    http = HttpServer(host="127.0.0.1", port=0)
    try:
        await service.start(http)
        sender = app.sender({CHANNEL: service.channel})
        sender.after_round.append(service.after_delivery)
        async with TestClient(TestServer(http.app)) as client:
            try:
                yield Chat(app, service, client, sender)
            finally:
                await service.close()  # open streams end
    finally:
        await app.close()
