"""Lists longer than a page of the dashboard, written straight into storage (one insert of
many rows, so a test with a hundred officers stays fast), and reading a page's rows and
links back from its HTML."""

from __future__ import annotations

import html
import re
from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from bot.app import App
from storage.models import Commune, Product, ProductStatus, Role, User, UserStatus
from tests.web.seed import province_named

# Long before the scene's own pending officer (created "now"): theirs comes last.
BASE = datetime(2024, 1, 1, 8, 0, tzinfo=UTC)
OFFICER = re.compile(r"Cán Bộ (\d{3})")
PRODUCT = re.compile(r"Mẫu SP (\d{3})")
ANCHOR = re.compile(r'<a\b[^>]*\bhref="([^"]*)"[^>]*>(.*?)</a>', re.S)


async def first_commune(app: App, province: str) -> tuple[int, int]:
    """(province code, its first commune's code) of the province named like ``province``."""
    found = await province_named(app, province)
    async with app.session_factory() as session:
        commune = (
            await session.scalars(
                select(Commune.code).where(Commune.province_code == found.code).limit(1)
            )
        ).one()
    return found.code, commune


async def pending_officers(app: App, province: str, count: int, *, name: str) -> None:
    """``count`` officers waiting for approval in ``province``, named ``{name} 001``…, in that
    order of waiting; two by two they registered in the same minute, so the order within a
    minute is the tie-break's (the id)."""
    province_code, commune_code = await first_commune(app, province)
    async with app.session_factory() as session, session.begin():
        session.add_all(
            User(
                role=Role.OFFICER,
                status=UserStatus.PENDING,
                full_name=f"{name} {i:03d}",
                language="vi",
                province_code=province_code,
                commune_code=commune_code,
                created_at=BASE + timedelta(minutes=i // 2),
            )
            for i in range(1, count + 1)
        )


async def products(
    app: App, province: str, count: int, *, name: str, status: str = ProductStatus.SUBMITTED
) -> None:
    """``count`` products in ``status`` in ``province``, named ``{name} 001``…, ``001`` the most
    recently moved; two by two they moved in the same minute (tie-break: the id)."""
    province_code, commune_code = await first_commune(app, province)
    async with app.session_factory() as session, session.begin():
        session.add_all(
            Product(
                province_code=province_code,
                commune_code=commune_code,
                name=f"{name} {i:03d}",
                producer_name="HTX Mẫu",
                status=status,
                status_changed_at=BASE - timedelta(minutes=i // 2),
            )
            for i in range(1, count + 1)
        )


def numbers(pattern: re.Pattern[str], text: str) -> list[int]:
    """The numbers of the rows named by ``pattern`` on a page, in the page's order."""
    return [int(n) for n in pattern.findall(text)]


def links(text: str) -> dict[str, str]:
    """Each link's words (tags and arrows dropped, entities read) to its address."""
    found: dict[str, str] = {}
    for href, inner in ANCHOR.findall(text):
        words = html.unescape(re.sub(r"<[^>]+>", "", inner)).replace("←", "").replace("→", "")
        found[" ".join(words.split())] = html.unescape(href)
    return found
