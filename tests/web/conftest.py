"""The dashboard served by aiohttp's test server on the bot's own HTTP application, with
the admin test world (tests/handlers/scene.py): admins of Lạng Sơn and Hà Nội, officers, a
pending officer, a producer and one report of Cao Lộc for 2024-Q2."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import pytest
from aiohttp.test_utils import TestClient, TestServer

from bot.app import App
from bot.http import HttpServer
from bot.web import WebDashboard
from storage.models import Role, User, UserStatus
from tests.handlers.scene import Chat, build_world, person

LINK = re.compile(r"https?://\S+/admin/login\?token=[\w-]+")


@dataclass
class Web:
    app: App
    users: dict[str, User]
    chat: Chat
    dashboard: WebDashboard
    server: TestServer
    clients: list[TestClient]

    def client(self) -> TestClient:
        """A browser of its own (its own cookies), closed after the test."""
        client = TestClient(self.server)
        self.clients.append(client)
        return client

    async def link(self, who: str) -> str:
        """The sign-in link ``who`` gets by sending /web in the chat."""
        said = await self.chat.say(who, "/web")
        found = LINK.search(said)
        assert found, said
        return found.group()

    async def signed_in(self, who: str) -> TestClient:
        """A browser signed in as ``who`` through a link from the chat."""
        client = self.client()
        await client.start_server()
        path = await self.link(who)
        path = path[path.index("/admin/") :]
        shown = await client.get(path)
        assert shown.status == 200, await shown.text()
        token = path.split("token=", 1)[1]
        done = await client.post("/admin/session", data={"token": token}, allow_redirects=False)
        assert done.status == 303, await done.text()
        return client


def csrf_of(page: str) -> str:
    found = re.search(r'name="csrf" value="([0-9a-f]+)"', page)
    assert found, "no CSRF token on the page"
    return found.group(1)


@pytest.fixture
async def web(database_url: str) -> AsyncIterator[Web]:
    async for app, users in build_world(database_url):
        users["national"] = await person(
            app, "national", Role.NATIONAL_ADMIN, UserStatus.ACTIVE, None
        )
        http = HttpServer(host="127.0.0.1", port=0)
        dashboard = WebDashboard(app)
        dashboard.mount(http)
        server = TestServer(http.app, host="127.0.0.1")
        await server.start_server()
        dashboard.opened(server.port or 0)
        chat = Chat(app)
        web = Web(app, users, chat, dashboard, server, [])
        yield web
        for client in web.clients:
            await client.close()
        await server.close()


async def page(client: TestClient, path: str, **kwargs: Any) -> tuple[int, str]:
    response = await client.get(path, **kwargs)
    return response.status, await response.text()
