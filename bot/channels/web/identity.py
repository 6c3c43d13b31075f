"""Who a browser is, and the proof that a request comes from our own page.

No sign-in: the chat is for training and demos. A browser gets a random id on its first
visit, kept in a cookie that scripts cannot read (HttpOnly), that no other site's request
carries (SameSite=Strict), limited to the chat's path, and Secure behind HTTPS. The person
is the identity ``web:<id>``, as ``telegram:<id>`` is on Telegram.

Every POST carries a token derived from that id with a secret kept in the database (an HMAC,
so every worker agrees and nothing is stored per browser): the page has it in a meta tag
and the script sends it in a header. A request forged by another site has the cookie
neither (SameSite) nor the token (it cannot read our page).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import secrets

from aiohttp import web

COOKIE = "ocop_chat"
COOKIE_DAYS = 90
HEADER = "X-CSRF-Token"
SECRET_NAME = "web_chat_secret"
_ID = re.compile(r"[A-Za-z0-9_-]{24}")


def new_id() -> str:
    """A fresh browser id: 18 random bytes, 24 URL-safe characters."""
    return secrets.token_urlsafe(18)


def browser_id(request: web.Request) -> str | None:
    """The id in the request's cookie; None when there is none or it is not one of ours."""
    value = request.cookies.get(COOKIE, "")
    return value if _ID.fullmatch(value) else None


def keep_id(response: web.StreamResponse, value: str, *, path: str, secure: bool) -> None:
    response.set_cookie(
        COOKIE,
        value,
        max_age=COOKIE_DAYS * 24 * 3600,
        path=path,
        httponly=True,
        samesite="Strict",
        secure=secure,
    )


class Tokens:
    """The per-browser anti-forgery tokens."""

    def __init__(self, secret: str) -> None:
        self._key = hashlib.sha256(("web-chat-csrf:" + secret).encode()).digest()

    def token(self, browser: str) -> str:
        digest = hmac.new(self._key, browser.encode(), hashlib.sha256).digest()
        return base64.urlsafe_b64encode(digest).decode().rstrip("=")

    def check(self, browser: str, token: str | None) -> bool:
        return bool(token) and hmac.compare_digest(self.token(browser), token or "")
