"""The admin dashboard in Chromium, as a national admin uses it: sign in with the link the
bot sends for /web, see the completeness of a seeded province, drill down to a commune and
its report, send it back for fixing (the officer's chat gets the message), approve an
officer, download an export and open it. A province admin reaches no page of another
province. With OCOP_SCREENSHOTS=<folder> the main pages are saved there (README pictures).
"""

from __future__ import annotations

import asyncio
import io
import os
import re
from pathlib import Path

import pytest
from openpyxl import load_workbook
from playwright.async_api import Page, expect
from sqlalchemy import select

from bot.i18n import Translator
from bot.settings import Settings
from storage.models import Commune, Role, Submission, User, UserStatus
from storage.submissions import Submissions
from tests.browser.conftest import RunningBot
from tests.conftest import make_settings
from tests.handlers.scene import person
from tests.web.seed import BEFORE, province_named, seed_states

WAIT = 20_000  # ms Playwright keeps looking for what the page should show
vi = Translator("vi")
LINK = re.compile(r"https?://\S+/admin/login\?token=[\w-]+")
SHOTS = os.environ.get("OCOP_SCREENSHOTS")


@pytest.fixture
def bot_settings(sqlite_url: str) -> Settings:
    return make_settings(
        sqlite_url,
        webhook_host="127.0.0.1",
        webhook_port=0,
        web_chat="on",
        dashboard="on",
        scheduler=False,
    )


async def shot(page: Page, name: str) -> None:
    """A small picture of the page for the README, when asked for."""
    if SHOTS:
        folder = Path(SHOTS)
        await asyncio.to_thread(folder.mkdir, parents=True, exist_ok=True)
        await page.screenshot(path=str(folder / f"{name}.png"), type="png")


async def seeded(bot: RunningBot) -> dict[str, object]:
    """A national admin (console:quoc), a Lạng Sơn admin, an officer of Cao Lộc with a
    report sent on time, a pending officer, and reports of other communes in every state."""
    app = bot.app
    users = {
        "quoc": await person(app, "quoc", Role.NATIONAL_ADMIN, UserStatus.ACTIVE, None),
        "thu": await person(app, "thu", Role.PROVINCE_ADMIN, UserStatus.ACTIVE, "ha noi"),
        "an": await person(app, "an", Role.OFFICER, UserStatus.ACTIVE, "lang son", "cao loc"),
        "binh": await person(
            app, "binh", Role.OFFICER, UserStatus.PENDING, "lang son", "dong dang"
        ),
    }
    lang_son = await province_named(app, "Lạng Sơn")
    officer = users["an"]
    await seed_states(app, lang_son, keep=frozenset({officer.commune_code or 0}))
    async with app.session_factory() as session, session.begin():
        author = await session.get(User, officer.id)
        assert author is not None
        report = await Submissions(session).create(
            form_id="commune_report",
            period="2024-Q2",
            scope_key=f"commune:{author.commune_code}",
            receipt_prefix="BCX",
            user=author,
            answers={"products_registered": 4, "products_proposed": 2},
            now=BEFORE,
        )
        commune = await session.get(Commune, author.commune_code)
    assert commune is not None
    return {"users": users, "province": lang_son, "report": report, "commune": commune}


async def sign_in(bot: RunningBot, page: Page, who: str) -> None:
    """``who`` sends /web in their chat and opens the link the bot sends back."""
    await bot.say(who, "/web")
    text = (await bot.queued(who))[-1].text
    found = LINK.search(text)
    assert found, text
    await page.goto(found.group())
    await page.get_by_role("button", name=vi.t("Sign in")).click()
    await expect(page.get_by_role("link", name=vi.t("Who has reported"))).to_be_visible(
        timeout=WAIT
    )


async def test_an_admin_follows_a_province_and_sends_a_report_back(
    running_bot: RunningBot, page: Page
) -> None:
    world = await seeded(running_bot)
    await sign_in(running_bot, page, "quoc")
    await page.goto(running_bot.url + "/admin/completeness?form=commune_report&period=2024-Q2")
    figures = page.locator(".figures")
    await expect(figures).to_contain_text("3.321", timeout=WAIT)
    await expect(figures).to_contain_text("0,2%")  # 8 of 3,321: never "0%"
    await shot(page, "dashboard-national")

    # National → province: 8 of the province's communes reported.
    province = world["province"]
    await page.get_by_role("cell", name=province.name, exact=True).get_by_role("link").click()  # type: ignore[attr-defined]
    await expect(page.locator("h1")).to_contain_text(province.name, timeout=WAIT)  # type: ignore[attr-defined]
    await expect(page.locator(".badge.missing").first).to_be_visible()
    await shot(page, "dashboard-province")

    # Province → commune → report.
    commune = world["commune"]
    await page.get_by_role("link", name=commune.name, exact=True).click()  # type: ignore[attr-defined]
    await expect(page.locator("h1")).to_have_text(commune.name, timeout=WAIT)  # type: ignore[attr-defined]
    report = world["report"]
    await page.get_by_role("link", name=report.receipt).click()  # type: ignore[attr-defined]
    await expect(page.locator("h1")).to_contain_text("quý 2/2024", timeout=WAIT)

    # Send it back for fixing: the officer's chat gets the comment and the button.
    comment = "Số sản phẩm đề xuất chưa khớp với danh sách gửi huyện."
    await page.locator("#comment").fill(comment)
    await page.get_by_role("button", name=vi.t("Needs fixing"), exact=True).click()
    await expect(page.locator(".flash")).to_contain_text(report.receipt, timeout=WAIT)  # type: ignore[attr-defined]
    await shot(page, "dashboard-report")
    told = (await running_bot.queued("an"))[-1]
    assert comment in told.text
    assert [b.payload for b in told.choices()] == [f"@fix:{report.id}"]  # type: ignore[attr-defined]
    async with running_bot.app.session_factory() as session:
        stored = await session.get(Submission, report.id)  # type: ignore[attr-defined]
        assert stored is not None and stored.review_status == "needs_fix"

    # Approve the officer waiting: they are told in their chat.
    await page.get_by_role("link", name=vi.t("Approvals")).click()
    row = page.get_by_role("row", name=re.compile("Binh"))
    await row.get_by_role("button", name=vi.t("Approve")).click()
    await expect(page.locator(".flash")).to_contain_text("Binh", timeout=WAIT)
    approved = (await running_bot.queued("binh"))[-1].text
    assert vi.t("An admin approved your registration as a commune officer.") in approved

    # Download an export and open it.
    await page.get_by_role("link", name=vi.t("Exports")).click()
    await page.locator("select[name=report]").select_option("commune_report")
    await page.locator("input[name=period]").fill("2024-Q2")
    async with page.expect_download(timeout=WAIT) as waiting:
        await page.get_by_role("button", name=vi.t("Download")).click()
    download = await waiting.value
    content = await asyncio.to_thread(Path(await download.path()).read_bytes)
    book = load_workbook(io.BytesIO(content), read_only=True)
    rows = list(book.worksheets[0].iter_rows(values_only=True))
    assert any(
        report.receipt in (cell or "") for row in rows for cell in row if isinstance(cell, str)
    )  # type: ignore[attr-defined]


async def test_a_province_admin_reaches_no_page_of_another_province(
    running_bot: RunningBot, page: Page
) -> None:
    world = await seeded(running_bot)
    await sign_in(running_bot, page, "thu")  # Hà Nội
    report, commune, province = world["report"], world["commune"], world["province"]
    for path in (
        f"/admin/completeness/{province.code}",  # type: ignore[attr-defined]
        f"/admin/communes/{commune.code}",  # type: ignore[attr-defined]
        f"/admin/reports/{report.id}",  # type: ignore[attr-defined]
    ):
        response = await page.goto(running_bot.url + path)
        assert response is not None and response.status == 404, path
        assert report.receipt not in await page.content()  # type: ignore[attr-defined]
    await page.goto(running_bot.url + "/admin/approvals")
    await expect(page.locator("main")).not_to_contain_text("Binh")
    async with running_bot.app.session_factory() as session:
        other = (await session.scalars(select(Submission))).all()
    assert other, "the seeded reports are there"
