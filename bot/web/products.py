"""Product ideas along the OCOP cycle: a board by state, and each product's page with its
history and next steps.

A step is taken through the chat's own ``@ocop`` action and its flow (handlers/
product_cycle.py, handlers/product_flow.py): the reason, the council's score and round, or
the certificate typed on the page are given to the same steps that ask for them in the
chat, so the checks, the history entry and the producer's notice are the chat's.
"""

from __future__ import annotations

from aiohttp import web

from bot.render import display_name
from bot.web.actions import Said, as_admin, converse
from bot.web.sessions import Visit
from handlers import product_cycle
from handlers.context import Context
from handlers.product_texts import event_line, standing, step_label
from storage.models import Commune, ProductStatus, User
from storage.products import Products
from storage.products_cycle import (
    MIN_CERTIFIED_STARS,
    STATE_ORDER,
    WITH_REASON,
    next_steps,
    state_label,
)
from storage.web_lists import WebLists, page_asked

S = ProductStatus
COLUMN_SIZE = 30


async def board(visit: Visit) -> web.StreamResponse:
    """GET /admin/products: one column per state, the most recently moved first, each its
    first thirty; ``?status=&page=``: one state's column, a page of thirty at a time (page 2
    goes on where the board's column stops), so every product is a few clicks away."""
    lists = WebLists(visit.db)
    status = visit.value("status")
    if status in STATE_ORDER:
        found = await lists.product_column(
            visit.scope, status, page=page_asked(visit.value("page")), size=COLUMN_SIZE
        )
        return visit.render(
            "products.html",
            column=(status, state_label(visit.tr, status, capital=True), found.total, found.rows),
            page=found.number,
            pages=found.pages,
            after=found.after,
        )
    counts = await lists.product_counts(visit.scope)
    columns = []
    for status in STATE_ORDER:
        cards = (
            await lists.products(visit.scope, status, limit=COLUMN_SIZE)
            if counts.get(status)
            else []
        )
        columns.append(
            (status, state_label(visit.tr, status, capital=True), counts.get(status, 0), cards)
        )
    return visit.render("products.html", column=None, columns=columns, total=sum(counts.values()))


async def product(visit: Visit, *, error: str | None = None) -> web.StreamResponse:
    """GET /admin/products/{id}: where it stands, its history, the steps that may follow."""
    raw = visit.request.match_info["product"]
    store = Products(visit.db)
    found = await store.get(int(raw), visit.scope) if raw.isdigit() and len(raw) < 10 else None
    if found is None:
        return visit.dashboard.not_found(visit)
    history = await store.history(found.id)
    receipt = (await store.receipts([found])).get(found.id)
    owner = await visit.db.get(User, found.user_id or 0)
    commune = await visit.db.get(Commune, found.commune_code or 0)
    steps = [
        (to, step_label(visit.tr, found.status, to))
        for to in next_steps(found.status)
        if to != S.CERTIFIED or (found.stars or 0) >= MIN_CERTIFIED_STARS
    ]
    return visit.render(
        "product.html",
        status=422 if error else 200,
        product=found,
        receipt=receipt,
        owner=display_name(owner.full_name or "") if owner else "—",
        commune=commune,
        standing=standing(visit.tr, found),
        history=[event_line(visit.tr, e, visit.zone) for e in history],
        steps=steps,
        with_reason=WITH_REASON,
        error=error,
        year=visit.today.year,
    )


def answers_for(visit: Visit, to: str) -> list[Said]:
    """What the chat's flow asks after the step's button, from the page's fields."""
    if to in WITH_REASON:
        return [Said(visit.value("reason"))]
    if to == S.EVALUATED:
        return [
            Said(visit.value("score")),
            Said(f"{visit.value('round')}/{visit.value('year')}"),
            Said(payload="save"),
        ]
    if to == S.CERTIFIED:
        return [Said(visit.value("number")), Said(visit.value("granted")), Said(payload="save")]
    return []


async def step(visit: Visit) -> web.StreamResponse:
    """POST /admin/products/{id}/step: ``to`` and the fields that step needs."""
    raw = visit.request.match_info["product"]
    to = visit.value("to")
    if not raw.isdigit() or len(raw) >= 10 or to not in {s.value for s in S}:
        return visit.dashboard.not_found(visit)

    async def work(ctx: Context) -> None:
        await product_cycle.step(ctx, f"{to}:{raw}")
        await converse(ctx, answers_for(visit, to))

    done = await as_admin(visit.db, visit.config, visit.user, work)
    visit.enqueued = done.notified > 0
    if not done.finished:
        return await product(visit, error=" ".join(done.replies))
    return visit.redirect(f"/admin/products/{raw}", *done.replies)
