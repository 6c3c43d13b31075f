"""The dashboard's calendar page in Chromium, on a phone: a national admin puts a form
imported from an XLSForm workbook with no period on the reporting calendar (quarterly, day
20, filed by commune officers), sees "Đã lưu" and the report with its deadline, and an
officer of a commune then starts the quarter's report by typing the form's command in the
browser chat. The attach form fits the phone's width (the page never scrolls sideways).

On SQLite, and on PostgreSQL too when OCOP_TEST_DATABASE_URL is set (never a skipped
variant: with OCOP_REQUIRE_BROWSER=1 a skipped browser test fails the run).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime

import pytest
from playwright.async_api import Browser, Locator, Page, expect

from bot.channels.web.identity import COOKIE, new_id
from bot.i18n import Translator
from bot.settings import Settings
from forms import registry
from forms.periods import PeriodKind
from forms.xlsform import check_workbook
from forms.xlsform.export import source_of
from forms.xlsform.to_form import ChatSettings
from storage.installed_forms import InstalledForms
from storage.models import Role, UserStatus
from storage.places import Places
from storage.users import Users
from tests.browser.conftest import PageProblems, RunningBot
from tests.browser.test_dashboard import WAIT, shot, sign_in
from tests.conftest import PG_URL, make_settings
from tests.forms.xlsform.registries import clean_registries
from tests.forms.xlsform.workbooks import commune_report
from tests.handlers.scene import person

__all__ = ["clean_registries"]  # a fixture

vi = Translator("vi")
FORM, COMMAND, TITLE = "bao_cao_xa_tinh", "bct", "Báo cáo OCOP của xã (tỉnh)"
WAITING = vi.t("Imported forms nobody must file yet")
DAY_HINT = (
    "That day of the period's last month (of the month itself for a monthly report); "
    "you can change it later."
)
BACKENDS = (
    ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)] if PG_URL else ["sqlite"]
)

pytestmark = pytest.mark.parametrize("database_url", BACKENDS, indirect=True)


@pytest.fixture
def bot_settings(database_url: str) -> Settings:
    return make_settings(
        database_url,
        webhook_host="127.0.0.1",
        webhook_port=0,
        web_chat="on",
        dashboard="on",
        scheduler=False,
    )


@pytest.fixture
async def imported(clean_registries: None, running_bot: RunningBot) -> AsyncIterator[RunningBot]:
    """The province's commune report imported with no period (ocop-bot forms import), and a
    national admin (console:quoc)."""
    app = running_bot.app
    async with app.session_factory() as session, session.begin():
        form, problems, book = check_workbook(commune_report(), None)
        assert form is not None and book is not None, problems
        await InstalledForms(session).install(
            form, source_of(book.sheets), now=datetime.now(UTC), chat=ChatSettings(command=COMMAND)
        )
    assert await app.forms_watch.refresh()
    assert registry.FORMS[FORM].period is PeriodKind.NONE
    await person(app, "quoc", Role.NATIONAL_ADMIN, UserStatus.ACTIVE, None)
    yield running_bot


async def officer_browser(bot: RunningBot, browser: Browser) -> tuple[Page, PageProblems]:
    """The browser chat of an approved officer of Cao Lộc (Lạng Sơn): their browser's id
    cookie is the identity ``web:<id>`` they registered with."""
    browser_id = new_id()
    async with bot.app.session_factory() as session, session.begin():
        places = Places(session)
        user, _ = await Users(session).create_with_identity("web", browser_id, language="vi")
        province = (await places.search_provinces("lang son"))[0]
        commune = (await places.search_communes(province.code, "cao loc"))[0]
        user.role, user.status, user.full_name = Role.OFFICER, UserStatus.ACTIVE, "Lê Thị An"
        user.phone, user.province_code, user.commune_code = (
            "0912000333",
            province.code,
            commune.code,
        )
    context = await browser.new_context(
        locale="vi-VN", viewport={"width": 390, "height": 800}, has_touch=True
    )
    await context.add_cookies(
        [{"name": COOKIE, "value": browser_id, "domain": "127.0.0.1", "path": "/chat"}]
    )
    problems = PageProblems()
    chat = await context.new_page()
    chat.on("console", problems.console)
    chat.on("pageerror", problems.error)
    return chat, problems


async def fits_the_width(page: Page, *parts: Locator) -> None:
    """Nothing makes the page scroll sideways, and every part is within the screen."""
    overflow = await page.evaluate(
        "() => [document.documentElement.scrollWidth, document.body.scrollWidth, window.innerWidth]"
    )
    assert max(overflow[:2]) <= overflow[2], f"the page scrolls sideways: {overflow}"
    for part in parts:
        await expect(part).to_be_visible()
        box = await part.bounding_box()
        assert box is not None
        assert box["x"] >= 0 and box["x"] + box["width"] <= overflow[2], (
            await part.inner_text(),
            box,
        )


async def one_box(said: Locator) -> None:
    """What a change said is one message of several lines, shown as one box with its line
    breaks, not a box per line."""
    await expect(said).to_have_count(1)
    text = await said.first.inner_text()
    assert text.count("\n") >= 3, text  # "Đã lưu.", the rule's lines, the command


async def test_an_admin_attaches_an_imported_form_and_an_officer_starts_it(
    imported: RunningBot, page: Page, browser: Browser
) -> None:
    bot = imported
    await sign_in(bot, page, "quoc")
    await page.get_by_role("link", name=vi.t("Calendar")).click()
    await expect(page.locator("h1")).to_have_text(vi.t("Reporting calendar"), timeout=WAIT)

    waiting = page.locator("section", has=page.get_by_role("heading", name=WAITING))
    await expect(waiting).to_be_visible()
    attach = waiting.get_by_role("form", name=TITLE)  # each form's box is named by its title
    period = attach.get_by_label(vi.t("How often it is filed"))
    day = attach.get_by_label(vi.t("Deadline day"))
    audience = attach.get_by_label(vi.t("Who files it"))
    button = attach.get_by_role("button", name=vi.t("Put it on the calendar"))
    await expect(day).to_have_accessible_description(vi.t(DAY_HINT))  # which month's day
    await fits_the_width(page, attach, period, day, audience, button)
    await shot(page, "calendar-attach")

    await period.select_option(label=vi.t("quarterly"))
    await day.fill("20")
    await audience.select_option(label=vi.t("commune officers"))
    await button.click()

    said = page.get_by_role("status")  # the reply, as the chat would say it
    await expect(said.first).to_contain_text(vi.t("Saved."), timeout=WAIT)
    await expect(said.filter(has_text=f"/{COMMAND}")).to_have_count(1)
    await one_box(said)
    await shot(page, "calendar-attached")
    await expect(page.get_by_role("heading", name=WAITING)).to_have_count(0)
    report = page.locator("section.rule", has=page.get_by_role("heading", name=TITLE))
    await expect(report).to_contain_text(vi.t("quarterly"))
    await expect(report).to_contain_text("20")
    first = report.locator("tbody tr").first
    label = (await first.locator("td").nth(0).inner_text()).strip()
    due = (await first.locator("td").nth(1).inner_text()).strip()
    assert label.startswith("quý "), label
    assert due.startswith("20/"), due  # day 20 of the quarter's last month
    await fits_the_width(page, report)
    assert registry.FORMS[FORM].period is PeriodKind.QUARTER

    # An officer of a commune, in the browser chat: the form's command starts that quarter.
    chat, problems = await officer_browser(bot, browser)
    try:
        await chat.goto(bot.chat_url)
        await expect(chat.locator("body")).to_have_attribute("data-ready", "true", timeout=WAIT)
        box = chat.locator("#text")
        await box.fill(f"/{COMMAND}")
        await box.press("Enter")
        started = chat.locator(".msg.bot", has_text=f"{TITLE} — {label}")
        await expect(started).to_have_count(1, timeout=WAIT)
        latest = chat.locator(".msg.bot").last
        # The workbook's note: its text and "Tiếp tục", not a numbered question.
        await expect(latest).to_contain_text("Báo cáo OCOP của xã", timeout=WAIT)
        await latest.get_by_role("button", name="Tiếp tục").click()
        await expect(chat.locator(".msg.bot").last).to_contain_text(
            "Câu 1/8: Số sản phẩm đăng ký", timeout=WAIT
        )
        await shot(chat, "calendar-attached-chat")
    finally:
        await chat.context.close()
    assert not problems.found, "\n".join(problems.found)
