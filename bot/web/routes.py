"""Where the dashboard's pages are mounted on the bot's one HTTP server.

GET pages read; every change is a POST (CSRF-checked in bot/web/sessions.py) to a path of
its own. Static files (the style sheet) are served from the package, so nothing is fetched
from elsewhere and the pages work offline on a local network.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import replace
from pathlib import Path

from aiohttp import web

from bot.app import App
from bot.http import HttpServer
from bot.web import approvals, calendar, completeness, exports, products, reports, users
from bot.web.auth import SignIn
from bot.web.health import Health
from bot.web.pages import secure
from bot.web.sessions import Dashboard, Visit

OWNER = "dashboard"
STATIC = Path(__file__).resolve().parent / "static"
CONTENT_TYPES = {".css": "text/css", ".svg": "image/svg+xml", ".txt": "text/plain"}


async def home(visit: Visit) -> web.StreamResponse:
    return visit.redirect("/admin/completeness", *visit.flash)


async def static(request: web.Request) -> web.StreamResponse:
    """A file of bot/web/static, by its plain name only (no folders, no dot files)."""
    name = request.match_info["name"]
    path = STATIC / name
    if (
        "/" in name
        or name.startswith(".")
        or path.suffix not in CONTENT_TYPES
        or not path.is_file()
    ):
        raise web.HTTPNotFound()
    response = web.Response(body=path.read_bytes(), content_type=CONTENT_TYPES[path.suffix])
    response.headers["Cache-Control"] = "public, max-age=86400"
    return secure(response, private=False)


def mount_dashboard(http: HttpServer, dashboard: Dashboard, health: Health) -> SignIn:
    """Mount every page of the dashboard and ``/healthz``."""
    sign_in = SignIn(dashboard)
    guarded = dashboard.guarded
    pages: list[tuple[str, str, Callable[[Visit], Awaitable[web.StreamResponse]]]] = [
        ("GET", "/admin", home),
        ("POST", "/admin/logout", sign_in.sign_out),
        ("GET", "/admin/completeness", completeness.national),
        ("GET", "/admin/completeness/{province}", completeness.province),
        ("GET", "/admin/communes/{commune}", completeness.commune),
        ("GET", "/admin/reports/{report}", reports.report),
        ("POST", "/admin/reports/{report}/review", reports.review),
        ("GET", "/admin/approvals", approvals.pending),
        ("POST", "/admin/approvals/{user}", approvals.decide),
        ("GET", "/admin/users", users.people),
        ("POST", "/admin/users/{user}", users.change),
        ("GET", "/admin/products", products.board),
        ("GET", "/admin/products/{product}", products.product),
        ("POST", "/admin/products/{product}/step", products.step),
        ("GET", "/admin/calendar", calendar.show),
        ("POST", "/admin/calendar/change", calendar.change),
        ("GET", "/admin/exports", exports.choose),
        ("POST", "/admin/exports/download", exports.download),
    ]
    for method, path, page in pages:
        mount = http.add_get if method == "GET" else http.add_post
        mount(path, guarded(page), owner=OWNER)
    http.add_get("/admin/login", sign_in.show, owner=OWNER)
    http.add_post("/admin/session", sign_in.confirm, owner=OWNER)
    http.add_get("/admin/static/{name}", static, owner=OWNER)
    http.add_get("/healthz", health.handle, owner=OWNER)
    return sign_in


class WebDashboard:
    """The dashboard of a running bot: mounted before the server listens, told its address
    once it does (``/web`` links point there)."""

    def __init__(self, app: App) -> None:
        self.app = app
        self.dashboard = Dashboard(
            session_factory=app.session_factory,
            config=lambda: app.config,
            wake=self._wake,
            public_url=app.settings.public_url,
            default_language=app.settings.default_language,
        )
        self.health = Health(app.session_factory)

    def _wake(self) -> None:
        if self.app.pipeline.on_enqueued is not None:
            self.app.pipeline.on_enqueued()

    def mount(self, http: HttpServer) -> None:
        mount_dashboard(http, self.dashboard, self.health)

    def opened(self, port: int) -> str:
        """The server listens: ``/web`` may now hand out links. Returns the line for the
        operator."""
        url = self.app.settings.public_url or local_address(self.app.settings.webhook_host, port)
        self.app.config = replace(self.app.config, web_url=url)
        self.app.pipeline.config = self.app.config
        return f"Admin dashboard: {url}/admin (admins sign in by sending /web in the chat)."


def local_address(host: str, port: int) -> str:
    """This server's own address, as a browser on this machine reaches it."""
    if host in ("", "0.0.0.0"):
        host = "127.0.0.1"
    elif host == "::":
        host = "::1"
    if ":" in host:
        host = f"[{host}]"
    return f"http://{host}:{port}"
