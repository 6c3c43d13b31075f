"""Every page renders for a national and a province admin, in Vietnamese and English, with
the security headers; a province admin reaches nothing of another province."""

from __future__ import annotations

import pytest
from sqlalchemy import select, update

from storage.models import Commune, Province, Submission, User
from tests.web.conftest import Web, page

PAGES = [
    "/admin/completeness",
    "/admin/approvals",
    "/admin/users",
    "/admin/users?status=pending&role=officer&name=a",
    "/admin/products",
    "/admin/calendar",
    "/admin/exports",
]


async def ids(web: Web) -> dict[str, int]:
    async with web.app.session_factory() as session:
        report = (await session.scalars(select(Submission))).one()
        hanoi = (
            await session.scalars(select(Province).where(Province.name.like("%Hà Nội%")))
        ).one()
        commune_hn = (
            await session.scalars(select(Commune).where(Commune.province_code == hanoi.code))
        ).first()
    assert commune_hn is not None
    return {
        "report": report.id,
        "province": report.province_code or 0,
        "commune": report.commune_code or 0,
        "hanoi": hanoi.code,
        "commune_hn": commune_hn.code,
    }


@pytest.mark.parametrize("who", ["national", "admin_ls"])
@pytest.mark.parametrize("language", ["vi", "en"])
async def test_every_page_renders(web: Web, who: str, language: str) -> None:
    async with web.app.session_factory() as session, session.begin():
        await session.execute(
            update(User).where(User.id == web.users[who].id).values(language=language)
        )
    client = await web.signed_in(who)
    known = await ids(web)
    paths = [
        *PAGES,
        f"/admin/completeness/{known['province']}?form=commune_report&period=2024-Q2",
        f"/admin/completeness/{known['province']}?form=commune_report&period=2024-Q2&state=missing&page=2",
        f"/admin/communes/{known['commune']}",
        f"/admin/reports/{known['report']}",
    ]
    for path in paths:
        response = await client.get(path)
        text = await response.text()
        assert response.status == 200, (path, text[:2000])
        assert "script" not in text.lower(), path
        policy = response.headers["Content-Security-Policy"]
        assert "frame-ancestors 'none'" in policy and "script-src" not in policy, path
        assert response.headers["Cache-Control"] == "no-store"
        assert ("Tỉ lệ" in text or "Người dùng" in text) == (language == "vi") or path != PAGES[0]


async def test_a_province_admin_sees_nothing_of_another_province(web: Web) -> None:
    known = await ids(web)
    client = await web.signed_in("admin_hn")
    for path in (
        f"/admin/completeness/{known['province']}",
        f"/admin/communes/{known['commune']}",
        f"/admin/reports/{known['report']}",
    ):
        status, text = await page(client, path)
        assert status == 404, path
        assert "Cao Lộc" not in text and "BCX-" not in text
    # Their own province: fine; the national page sends them to it.
    response = await client.get("/admin/completeness", allow_redirects=False)
    assert response.status == 303
    assert response.headers["Location"].startswith(f"/admin/completeness/{known['hanoi']}?")
    status, text = await page(client, f"/admin/communes/{known['commune_hn']}")
    assert status == 200
    # Lists hold only their province's people.
    status, text = await page(client, "/admin/users")
    assert "Officer" not in text and "admin_ls" not in text.lower()


async def test_healthz(web: Web) -> None:
    client = web.client()
    await client.start_server()
    response = await client.get("/healthz")
    body = await response.json()
    # No channel runs in this test: not ready for a load balancer.
    assert response.status == 503 and body["database"] == "ok"
    web.dashboard.health.channels["console"] = lambda: True
    response = await client.get("/healthz")
    assert response.status == 200 and (await response.json())["status"] == "ok"
    web.dashboard.health.channels["telegram"] = lambda: False
    response = await client.get("/healthz")
    assert response.status == 503
    assert (await response.json())["channels"] == {"console": "running", "telegram": "stopped"}


async def test_static_files(web: Web) -> None:
    client = web.client()
    await client.start_server()
    response = await client.get("/admin/static/admin.css")
    assert response.status == 200 and response.content_type == "text/css"
    for name in ("..%2Fsessions.py", ".hidden.css", "nothing.css"):
        assert (await client.get(f"/admin/static/{name}")).status == 404
