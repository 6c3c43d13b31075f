"""A national admin of a large country, in Chromium at a phone's width, reaches the last of
106 officers waiting for approval and the last of 65 products of one state: "and N more"
under the list, then "next page", each link within the screen."""

from __future__ import annotations

import re

import pytest
from playwright.async_api import Locator, Page, expect

from bot.i18n import Translator
from bot.settings import Settings
from storage.models import Role, UserStatus
from tests.browser.conftest import RunningBot
from tests.browser.test_dashboard import sign_in
from tests.conftest import make_settings
from tests.handlers.scene import person
from tests.web import seed_lists as seed

WAIT = 20_000  # ms Playwright keeps looking for what the page should show
vi = Translator("vi")
PHONE = 390  # px: the page fixture's width


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


async def on_screen(link: Locator) -> None:
    """The link is shown and fits a phone's width (no sideways scrolling to reach it)."""
    await expect(link).to_be_visible(timeout=WAIT)
    box = await link.bounding_box()
    assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= PHONE, box


async def test_the_last_officer_and_the_last_product_are_reached(
    running_bot: RunningBot, page: Page
) -> None:
    app = running_bot.app
    await person(app, "quoc", Role.NATIONAL_ADMIN, UserStatus.ACTIVE, None)
    await seed.pending_officers(app, "Lạng Sơn", 105, name="Cán Bộ")
    # The one who registered last, through the chat's own storage: the 106th.
    await person(app, "binh", Role.OFFICER, UserStatus.PENDING, "lang son", "dong dang")
    await seed.products(app, "Lạng Sơn", 65, name="Mẫu SP")
    await sign_in(running_bot, page, "quoc")

    await page.get_by_role("link", name=vi.t("Approvals")).click()
    await expect(page.get_by_role("cell", name="Cán Bộ 100", exact=True)).to_be_visible(
        timeout=WAIT
    )
    await expect(page.get_by_role("cell", name="Binh", exact=True)).to_have_count(0)
    more = page.get_by_role(
        "link", name=vi.tn("and {count} more officer", "and {count} more officers", 6, count="6")
    )
    await on_screen(more)
    await more.click()
    await expect(page).to_have_url(re.compile(r"/admin/approvals\?page=2$"), timeout=WAIT)
    row = page.get_by_role("row", name=re.compile("Binh"))
    await expect(row.get_by_role("button", name=vi.t("Approve"))).to_be_visible()
    await expect(page.get_by_role("cell", name="Cán Bộ 105", exact=True)).to_be_visible()
    await expect(page.get_by_role("link", name=re.compile(vi.t("Next page")))).to_have_count(0)

    await page.get_by_role("link", name=vi.t("Products")).click()
    await expect(page.get_by_text("Mẫu SP 030", exact=True)).to_be_visible(timeout=WAIT)
    more = page.get_by_role("link", name=vi.t("and {count} more", count="35"))
    await more.scroll_into_view_if_needed()
    await on_screen(more)
    await more.click()
    await expect(page).to_have_url(
        re.compile(r"/admin/products\?status=submitted&page=2$"), timeout=WAIT
    )
    await expect(page.get_by_text("Mẫu SP 031", exact=True)).to_be_visible(timeout=WAIT)
    following = page.get_by_role("link", name=re.compile(vi.t("Next page")))
    await following.scroll_into_view_if_needed()
    await on_screen(following)
    await following.click()
    await expect(page).to_have_url(
        re.compile(r"/admin/products\?status=submitted&page=3$"), timeout=WAIT
    )
    last = page.get_by_text("Mẫu SP 065", exact=True)
    await expect(last).to_be_visible(timeout=WAIT)
    await expect(page.get_by_text("Mẫu SP 060", exact=True)).to_have_count(0)
    await expect(page.get_by_role("link", name=re.compile(vi.t("Next page")))).to_have_count(0)
    # The last product opens.
    await last.click()
    await expect(page.locator("h1")).to_contain_text("Mẫu SP 065", timeout=WAIT)
