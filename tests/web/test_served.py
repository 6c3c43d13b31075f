"""The running bot serves the dashboard on its one HTTP server: /healthz sees its channels,
and /web links point at the address it listens on. A taken port leaves the dashboard out
("auto") instead of stopping a console bot."""

from __future__ import annotations

import asyncio
import contextlib
import io
import socket

from aiohttp import ClientSession

from bot.app import App
from bot.channels.console import ConsoleService
from bot.channels.web import WebService
from bot.http import HttpServer
from bot.runtime import run_services
from tests.conftest import make_settings

STARTUP = 30.0


async def test_the_running_bot_serves_the_dashboard_and_healthz(sqlite_url: str) -> None:
    app = App(make_settings(sqlite_url, webhook_port=0, dashboard="on", scheduler=False))
    await app.prepare()
    http = HttpServer(host="127.0.0.1", port=0)
    stop = asyncio.Event()
    task = asyncio.create_task(run_services(app, [WebService(app)], stop=stop, http=http))
    try:
        for _ in range(int(STARTUP / 0.05)):
            if (http.listening and app.config.web_url) or task.done():
                break
            await asyncio.sleep(0.05)
        assert http.listening and app.config.web_url == f"http://127.0.0.1:{http.port}"
        async with ClientSession() as client:
            for _ in range(int(STARTUP / 0.05)):  # the channel's task starts just after
                response = await client.get(f"{app.config.web_url}/healthz")
                if response.status == 200:
                    break
                await asyncio.sleep(0.05)
            body = await response.json()
            assert response.status == 200, body
            assert body == {"status": "ok", "database": "ok", "channels": {"web": "running"}}
            login = await client.get(f"{app.config.web_url}/admin/login?token=nothing")
            assert login.status == 410
    finally:
        stop.set()
        with contextlib.suppress(asyncio.CancelledError):
            await task
        await app.close()


async def test_a_taken_port_leaves_the_dashboard_out_in_auto(sqlite_url: str) -> None:
    """A second ``ocop-bot`` in another terminal: its console chat runs all the same."""
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        app = App(make_settings(sqlite_url, webhook_port=port, dashboard="auto", scheduler=False))
        await app.prepare()
        out = io.StringIO()
        console = ConsoleService(app, user="local", stdin=io.StringIO(""), stdout=out)
        try:
            await asyncio.wait_for(run_services(app, [console]), STARTUP)
        finally:
            await app.close()
    assert app.config.web_url is None
    # /web then says why, and which port, rather than that there is no dashboard.
    assert app.config.web_port_taken == port
