"""Signing in without a password, and out.

``/web`` in the chat (handlers/admin_web.py) sends an admin a link
``…/admin/login?token=…``: the token is single use, valid for ten minutes, stored hashed.
Opening the link only shows whom it signs in, with a button: messengers fetch links to
preview them, and a preview must not use up the token. Pressing the button (a POST) takes
the token and opens a session (an HTTP-only, SameSite cookie; Secure over HTTPS).

Attempts are rate-limited per client address (a token is 256 random bits, so this is about
load, not guessing); a refusal never says whether a token existed.
"""

from __future__ import annotations

import logging

from aiohttp import web

from bot.flood import FloodGuard, Verdict
from bot.i18n import N_
from bot.render import display_name
from bot.web.sessions import Dashboard, Visit
from storage.models import User, utcnow
from storage.web import WebLogins

log = logging.getLogger(__name__)

# Sign-in attempts per client address: a burst, then this many a minute.
SIGN_IN_PER_MINUTE = 10.0
SIGN_IN_BURST = 10
LINK_SPENT = N_(
    "This sign-in link cannot be used: it was used already, or more than 10 minutes "
    "have passed. Send /web to the bot in your chat for a new one."
)


class SignIn:
    def __init__(self, dashboard: Dashboard, *, guard: FloodGuard | None = None) -> None:
        self.dashboard = dashboard
        self.guard = guard or FloodGuard(per_minute=SIGN_IN_PER_MINUTE, burst=SIGN_IN_BURST)

    def _too_fast(self, request: web.Request) -> web.Response | None:
        if self.guard.check(("sign-in", request.remote)) is Verdict.HANDLE:
            return None
        log.info("web sign-in attempts from %s over the limit", request.remote)
        response = self.dashboard.refused(
            429, N_("Too many sign-in attempts. Please wait a minute and try again.")
        )
        response.headers["Retry-After"] = "60"
        return response

    async def show(self, request: web.Request) -> web.StreamResponse:
        """GET /admin/login?token=…: whom the link signs in, and the button; takes nothing."""
        refused = self._too_fast(request)
        if refused is not None:
            return refused
        token = request.query.get("token", "")
        if not token:
            return self.dashboard.refused(
                401, N_("Please sign in: send /web to the bot in your chat.")
            )
        async with self.dashboard.session_factory() as db:
            user = await WebLogins(db).link_user(token, now=utcnow())
        if user is None or not user.is_admin:
            return self.dashboard.refused(410, LINK_SPENT)
        return self.dashboard.page(
            "login.html",
            status=200,
            name=display_name(user.full_name or "") or str(user.id),
            token=token,
        )

    async def confirm(self, request: web.Request) -> web.StreamResponse:
        """POST /admin/login: take the token, open a session, set the cookie."""
        refused = self._too_fast(request)
        if refused is not None:
            return refused
        if not self.dashboard.same_origin(request):
            return self.dashboard.refused(403, N_("This form did not come from this site."))
        form = await request.post()
        token = str(form.get("token", ""))
        now = utcnow()
        async with self.dashboard.session_factory() as db, db.begin():
            logins = WebLogins(db)
            user_id = await logins.redeem_link(token, now=now)
            user = await db.get(User, user_id) if user_id else None
            if user is None or not user.is_admin:
                return self.dashboard.refused(410, LINK_SPENT)
            secret = await logins.start_session(user.id, now=now)
            await logins.purge(now=now)
        log.info("web session opened for user %s", user.id)
        response = web.Response(status=303, headers={"Location": "/admin"})
        self.dashboard.set_session_cookie(response, secret)
        return response

    async def sign_out(self, visit: Visit) -> web.StreamResponse:
        """POST /admin/logout (guarded: CSRF-checked like every change)."""
        await WebLogins(visit.db).end_session(visit.secret, now=utcnow())
        response = self.dashboard.page(
            "refused.html",
            status=200,
            message=visit.tr.t("You are signed out. Send /web in the chat to sign in again."),
        )
        self.dashboard.clear_session_cookie(response)
        return response
