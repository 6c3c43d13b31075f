"""Officers waiting for approval: approve or refuse, through the chat's own ``@approve`` /
``@reject`` (handlers/approvals.py), which also tell the officer in their chat.

A hundred to a page, the longest waiting first, so a large province's hundred-and-first
officer is a "next page" away; a decision brings the admin back to the page they were on."""

from __future__ import annotations

from aiohttp import web

from bot.render import display_name, display_phone
from bot.web.actions import as_admin
from bot.web.sessions import Visit
from handlers import approvals as chat
from handlers.context import Context
from storage.web_lists import WebLists, page_asked

PAGE_SIZE = 100


async def pending(visit: Visit) -> web.StreamResponse:
    """GET /admin/approvals?page=."""
    page = await WebLists(visit.db).pending_officers(
        visit.scope, page=page_asked(visit.value("page")), size=PAGE_SIZE
    )
    return visit.render(
        "approvals.html",
        officers=[
            (user, display_name(user.full_name or ""), display_phone(user.phone or ""), commune)
            for user, commune in page.rows
        ],
        total=page.total,
        page=page.number,
        pages=page.pages,
        after=page.after,
    )


async def decide(visit: Visit) -> web.StreamResponse:
    """POST /admin/approvals/{user}: decision "approve" or "reject"; ``page``, the page of
    the list to come back to."""
    raw = visit.request.match_info["user"]
    decision = visit.value("decision")
    if not raw.isdigit() or len(raw) >= 10 or decision not in ("approve", "reject"):
        return visit.dashboard.not_found(visit)

    async def work(ctx: Context) -> None:
        if decision == "approve":
            await chat.approve(ctx, raw)
        else:
            await chat.reject(ctx, raw)

    done = await as_admin(visit.db, visit.config, visit.user, work)
    visit.enqueued = done.notified > 0
    page = page_asked(visit.value("page"))
    back = f"/admin/approvals?page={page}" if page > 1 else "/admin/approvals"
    return visit.redirect(back, *done.replies)
