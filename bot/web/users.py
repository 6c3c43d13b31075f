"""People in the admin's scope: find them, disable or unlock one, make one an admin, through
the chat's own ``/khoa``, ``/mokhoa`` and ``/capquyen`` (handlers/admin_users.py): the same
checks (a province admin manages only their province, never a national admin; admin rights
only for an active account), the same audit entries, the same notices to the person."""

from __future__ import annotations

from aiohttp import web

from bot.render import display_name, display_phone
from bot.web.actions import as_admin
from bot.web.sessions import Visit
from handlers import admin_users as chat
from handlers.context import Context
from handlers.roles import ROLE_LABELS, STATUS_LABELS, role_label
from storage.models import Role, User, UserStatus, utcnow
from storage.web import WebLogins
from storage.web_lists import WebLists

PAGE_SIZE = 50
ACTIONS = ("disable", "enable", "grant", "grant_national")


async def people(visit: Visit) -> web.StreamResponse:
    """GET /admin/users?status=&role=&name=&page=."""
    status = visit.value("status")
    status = status if status in {s.value for s in UserStatus} else ""
    role = visit.value("role")
    role = role if role in {r.value for r in Role} else ""
    name = visit.value("name")[:60]
    raw_page = visit.value("page")
    page = int(raw_page) if raw_page.isdigit() and len(raw_page) < 6 else 1
    found = await WebLists(visit.db).people(
        visit.scope,
        status=status or None,
        role=role or None,
        name=name or None,
        offset=(max(page, 1) - 1) * PAGE_SIZE,
        limit=PAGE_SIZE,
    )
    t = visit.tr.t
    return visit.render(
        "users.html",
        people=[
            (
                user,
                display_name(user.full_name or "") or "—",
                display_phone(user.phone) if user.phone else "—",
                role_label(visit.tr, user.role),
                t(STATUS_LABELS[UserStatus(user.status)]),
                commune,
            )
            for user, commune in found.rows
        ],
        total=found.total,
        page=max(page, 1),
        pages=max(1, -(-found.total // PAGE_SIZE)),
        status_filter=status,
        role_filter=role,
        name=name,
        statuses=[(s.value, t(label)) for s, label in STATUS_LABELS.items() if s != "new"],
        roles=[(r.value, t(label)) for r, label in ROLE_LABELS.items()],
    )


async def change(visit: Visit) -> web.StreamResponse:
    """POST /admin/users/{user}: action "disable", "enable" (unlock), "grant" (province
    admin) or "grant_national"."""
    raw = visit.request.match_info["user"]
    what = visit.value("action")
    if not raw.isdigit() or len(raw) >= 10 or what not in ACTIONS:
        return visit.dashboard.not_found(visit)

    async def work(ctx: Context) -> None:
        if what == "disable":
            await chat.disable(ctx, raw)
        elif what == "enable":
            await chat.enable(ctx, raw)
        elif what == "grant":
            await chat.grant(ctx, raw)
        else:
            await chat.grant(ctx, f"{raw} national")

    done = await as_admin(visit.db, visit.config, visit.user, work)
    visit.enqueued = done.notified > 0
    if what == "disable":
        # Their web sessions end too (their next request would be refused anyway).
        person = await visit.db.get(User, int(raw))
        if person is not None and person.status == UserStatus.DISABLED:
            await WebLogins(visit.db).end_sessions_of(person.id, now=utcnow())
    return visit.redirect("/admin/users", *done.replies)
