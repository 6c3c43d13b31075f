"""Who is asking: every dashboard request is checked against storage before it is served.

The session cookie's secret finds a live session row (storage/web.py) and its user, read
now: a disabled, demoted or erased admin is refused at their next click, and the session is
ended. A state-changing request (every POST) must also carry the session's anti-forgery
token and, when the browser says where it comes from (Origin), come from this site.

A handler gets a :class:`Visit`: the admin, their scope (the same storage scopes as the
chat), their language, and the request's database transaction.
"""

from __future__ import annotations

import hmac
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any
from urllib.parse import quote, unquote, urlsplit
from zoneinfo import ZoneInfo

from aiohttp import web
from multidict import MultiDictProxy
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.i18n import N_, Translator
from bot.web.pages import render, secure
from handlers.context import HandlerConfig
from storage.models import Role, User, utcnow
from storage.scope import Scope, scope_of
from storage.web import SESSION_MAX, WebLogins, csrf_token

log = logging.getLogger(__name__)

FLASH_COOKIE = "ocop_flash"
FLASH_SEPARATOR = "\x1e"  # between messages; a message's own lines keep their "\n"
MAX_FLASH = 1500  # characters of a message carried to the next page


@dataclass
class Visit:
    """One signed-in request."""

    dashboard: Dashboard
    request: web.Request
    db: AsyncSession
    user: User
    secret: str
    form: MultiDictProxy[Any] | None = None
    # Outbox rows were written: the senders are woken once the transaction has committed.
    enqueued: bool = False
    # Work to do after the transaction (an export's download streams outside it).
    after: Callable[[], Awaitable[web.StreamResponse]] | None = None
    flash: list[str] = field(default_factory=list)

    @property
    def tr(self) -> Translator:
        return Translator(self.user.language if self.user.language in ("vi", "en") else "vi")

    @property
    def scope(self) -> Scope:
        return scope_of(self.user)

    @property
    def national(self) -> bool:
        return self.user.role == Role.NATIONAL_ADMIN

    @property
    def config(self) -> HandlerConfig:
        return self.dashboard.config()

    @property
    def zone(self) -> ZoneInfo:
        return self.config.zone

    @property
    def today(self) -> date:
        return utcnow().astimezone(self.zone).date()

    def value(self, name: str, default: str = "") -> str:
        """A form field (POST) or a query parameter (GET), trimmed."""
        source = self.form if self.form is not None else self.request.query
        raw = source.get(name, default)
        return raw.strip() if isinstance(raw, str) else default

    def render(self, template: str, *, status: int = 200, **values: Any) -> web.Response:
        response = render(
            template,
            self.tr,
            self.zone,
            status=status,
            user=self.user,
            csrf=csrf_token(self.secret),
            national=self.national,
            flash=self.flash,
            path=self.request.path,
            **values,
        )
        if self.flash:
            response.del_cookie(FLASH_COOKIE, path="/admin")
        return response

    def redirect(self, location: str, *messages: str) -> web.Response:
        """After a change, back to a page (303: the reload does not post again), carrying
        what the change said in a short-lived cookie, never in the address."""
        response = web.Response(status=303, headers={"Location": location})
        # One box per message, its own line breaks kept (an answer such as "Đã lưu." and the
        # rule as it now reads is one message of several lines).
        text = FLASH_SEPARATOR.join(m for m in messages if m)[:MAX_FLASH]
        if text:
            response.set_cookie(
                FLASH_COOKIE,
                quote(text),
                path="/admin",
                max_age=120,
                httponly=True,
                samesite="Lax",
                secure=self.dashboard.secure_cookie,
            )
        return response


PageHandler = Callable[[Visit], Awaitable[web.StreamResponse]]


class Dashboard:
    """What every page needs from the running bot."""

    def __init__(
        self,
        *,
        session_factory: async_sessionmaker[AsyncSession],
        config: Callable[[], HandlerConfig],
        wake: Callable[[], None] = lambda: None,
        public_url: str | None = None,
        default_language: str = "vi",
    ) -> None:
        self.session_factory = session_factory
        self.config = config
        self.wake = wake
        self.public_url = public_url
        self.default_language = default_language
        # Over HTTPS (OCOP_PUBLIC_URL), the cookie goes only over HTTPS, under a __Host-
        # name no other subdomain can set.
        self.secure_cookie = bool(public_url and public_url.startswith("https://"))
        self.cookie_name = "__Host-ocop_admin" if self.secure_cookie else "ocop_admin"

    @property
    def tr(self) -> Translator:
        return Translator(self.default_language)

    def page(self, template: str, *, status: int, **values: Any) -> web.Response:
        """A page for someone not signed in (sign-in, refusals)."""
        return render(
            template,
            self.tr,
            self.config().zone,
            status=status,
            user=None,
            csrf="",
            flash=[],
            path="",
            national=False,
            **values,
        )

    def set_session_cookie(self, response: web.StreamResponse, secret: str) -> None:
        response.set_cookie(
            self.cookie_name,
            secret,
            path="/",
            max_age=int(SESSION_MAX.total_seconds()),
            httponly=True,
            samesite="Lax",
            secure=self.secure_cookie,
        )

    def clear_session_cookie(self, response: web.StreamResponse) -> None:
        response.del_cookie(self.cookie_name, path="/")

    def same_origin(self, request: web.Request) -> bool:
        """A POST from another site is refused even before its token is looked at; a
        browser that sends no Origin relies on the token alone."""
        origin = request.headers.get("Origin")
        if not origin or origin == "null":
            return origin is None
        host = urlsplit(origin).netloc
        allowed = {request.host}
        if self.public_url:
            allowed.add(urlsplit(self.public_url).netloc)
        return host in allowed

    def not_found(self, visit: Visit) -> web.Response:
        return visit.render(
            "refused.html",
            status=404,
            message=visit.tr.t("There is nothing here in your area. It may have been removed."),
        )

    def refused(self, status: int, message: str, *, signed_out: bool = False) -> web.Response:
        response = self.page("refused.html", status=status, message=self.tr.t(message))
        if signed_out:
            self.clear_session_cookie(response)
        return response

    def guarded(self, handler: PageHandler) -> Callable[[web.Request], Awaitable[Any]]:
        """``handler`` for signed-in admins only, rights read from storage now; POSTs must
        carry the session's token."""

        async def run(request: web.Request) -> web.StreamResponse:
            secret = request.cookies.get(self.cookie_name, "")
            form = await request.post() if request.method == "POST" else None
            if request.method == "POST" and not self.same_origin(request):
                return self.refused(403, N_("This form did not come from this site."))
            async with self.session_factory() as db, db.begin():
                signed = await WebLogins(db).signed_in(secret, now=utcnow()) if secret else None
                if signed is None:
                    return self.refused(
                        401,
                        N_("Please sign in: send /web to the bot in your chat."),
                        signed_out=bool(secret),
                    )
                if not signed.user.is_admin:
                    # Disabled, demoted or erased since: out now, for good.
                    await WebLogins(db).end_session(secret, now=utcnow())
                    log.info("web session of user %s ended: no longer an admin", signed.user.id)
                    return self.refused(
                        403,
                        N_("You no longer have the rights for this page; you were signed out."),
                        signed_out=True,
                    )
                if form is not None and not hmac.compare_digest(
                    str(form.get("csrf", "")), csrf_token(secret)
                ):
                    return self.refused(
                        403,
                        N_("This form has expired. Please go back, reload the page and try again."),
                    )
                visit = Visit(self, request, db, signed.user, secret, form)
                flash = request.cookies.get(FLASH_COOKIE)
                if flash:
                    visit.flash = unquote(flash).split(FLASH_SEPARATOR)
                response = await handler(visit)
            if visit.enqueued:
                self.wake()
            if visit.after is not None:
                return await visit.after()
            return secure(response)

        return run
