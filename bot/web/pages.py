"""Rendering the dashboard's pages: Jinja templates in the admin's language, and the
headers every answer of the dashboard carries.

Templates call ``t("English")`` like the handlers do, so their words are extracted into the
same catalogs (babel.cfg maps bot/web/templates) and read in Vietnamese or English by the
admin's profile. Numbers, dates and rates are formatted by Babel for that language. There
is no script at all, and no inline style: the Content-Security-Policy forbids both.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from functools import cache
from typing import Any
from zoneinfo import ZoneInfo

from aiohttp import web
from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

from bot.i18n import Translator
from handlers.admin_progress import percent

# No script runs on these pages; styles, images and forms only from the dashboard itself.
CSP = (
    "default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self'; "
    "frame-ancestors 'none'; base-uri 'none'"
)
SECURITY_HEADERS: Mapping[str, str] = {
    "Content-Security-Policy": CSP,
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    # The sign-in link holds its token: no page passes its address on to another site.
    # ("same-origin", not "no-referrer": with the latter browsers send "Origin: null" on
    # the dashboard's own forms, and the origin check could not tell them from a forgery.)
    "Referrer-Policy": "same-origin",
    "Cross-Origin-Opener-Policy": "same-origin",
}


def secure(response: web.StreamResponse, *, private: bool = True) -> web.StreamResponse:
    """The security headers (kept if a middleware set them already); ``private`` pages are
    never cached, so a shared computer's back button shows nothing after sign-out."""
    for name, value in SECURITY_HEADERS.items():
        response.headers.setdefault(name, value)
    if private:
        response.headers.setdefault("Cache-Control", "no-store")
    return response


@cache
def environment() -> Environment:
    return Environment(
        loader=PackageLoader("bot.web", "templates"),
        autoescape=select_autoescape(["html"]),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )


def helpers(tr: Translator, zone: ZoneInfo) -> dict[str, Any]:
    """What every template may call, bound to the reader's language."""

    def when(value: datetime | date | None) -> str:
        if value is None:
            return "—"
        if isinstance(value, datetime):
            return tr.datetime(value.astimezone(zone))
        return tr.date(value)

    return {
        "t": tr.t,
        "tn": tr.tn,
        "number": tr.number,
        "percent": lambda part, whole: percent(tr, part, whole),
        "when": when,
        "lang": tr.language,
    }


def render(
    template: str,
    tr: Translator,
    zone: ZoneInfo,
    *,
    status: int = 200,
    headers: Mapping[str, str] | None = None,
    **values: Any,
) -> web.Response:
    text = environment().get_template(template).render(**helpers(tr, zone), **values)
    response = web.Response(
        text=text, status=status, content_type="text/html", charset="utf-8", headers=headers
    )
    secure(response)
    return response
