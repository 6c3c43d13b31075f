"""A report sent back for fixing on the dashboard reaches the officer where they filed it, in
Chromium, end to end on one running bot: a commune officer registers and files the quarterly
report in the browser chat (``/chat``); their province admin, signed in to the dashboard,
opens the report and presses "Cần bổ sung" with a reason; the officer's open chat page shows
the notice with the reason at once (no typing, no reload) and after a reload, and its "Sửa
báo cáo" button opens that very report to change an answer and send it again.
"""

from __future__ import annotations

import re
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from playwright.async_api import Browser, Page, expect
from sqlalchemy import select

from bot.i18n import Translator
from bot.settings import Settings
from forms.periods import parse_period
from forms.registry import FORMS
from storage.models import Role, Submission, User, UserStatus
from tests.browser.conftest import PageProblems, RunningBot
from tests.browser.test_chat import WAIT, answer, bot_asks, press, said
from tests.browser.test_walkthrough import choose_commune
from tests.conftest import make_settings
from tests.handlers.scene import person

vi = Translator("vi")
LINK = re.compile(r"https?://\S+/admin/login\?token=[\w-]+")
JUNE_10_2024 = datetime(2024, 6, 10, 9, 0, tzinfo=ZoneInfo("Asia/Ho_Chi_Minh"))
REASON = "Số sản phẩm đề xuất chưa khớp với danh sách gửi huyện."


@pytest.fixture
def bot_settings(sqlite_url: str) -> Settings:
    """The browser chat and the dashboard on one server; the admin talks in the console
    (not running here: what the bot writes them stays queued, read with ``queued``)."""
    return make_settings(
        sqlite_url,
        webhook_host="127.0.0.1",
        webhook_port=0,
        web_chat="on",
        dashboard="on",
        scheduler=False,
    )


async def signed_in_admin(bot: RunningBot, browser: Browser, who: str) -> tuple[Page, PageProblems]:
    """``who`` sends /web in their chat and signs in with the link, in a browser context of
    their own (their own cookies, apart from the officer's chat)."""
    await bot.say(who, "/web")
    text = (await bot.queued(who))[-1].text
    found = LINK.search(text)
    assert found, text
    context = await browser.new_context(locale="vi-VN", viewport={"width": 390, "height": 800})
    admin = await context.new_page()
    problems = PageProblems()
    admin.on("console", problems.console)
    admin.on("pageerror", problems.error)
    await admin.goto(found.group())
    await admin.get_by_role("button", name=vi.t("Sign in")).click()
    await expect(admin.get_by_role("link", name=vi.t("Who has reported"))).to_be_visible(
        timeout=WAIT
    )
    return admin, problems


async def register_and_file(bot: RunningBot, page: Page, admin: str) -> Submission:
    """A newcomer registers as an officer of Cao Lộc in /chat, ``admin`` approves them from
    their chat, and the officer files the report of quý 2/2024 there."""
    await page.goto(bot.chat_url)
    await bot_asks(page, "Tiếng Việt")
    officer = vi.t("Commune OCOP officer")
    await press(page, "Tiếng Việt", officer)
    await press(
        page,
        officer,
        said("Which province or city are you in? Type part of its name, for example: lang son"),
    )
    await answer(page, "lang son", "Lạng Sơn")
    await choose_commune(page, "cao loc", "Xã Cao Lộc", said("What is your full name?"))
    await answer(
        page,
        "Lê Thị Bình",
        said("What is your phone number? Please type it, for example 0912 345 678."),
    )
    await answer(page, "0912 000 222", "0912 000 222")
    await press(page, vi.t("I agree"), said("Thank you, {name}! You are registered."))
    async with bot.app.session_factory() as session:
        pending = await session.scalar(select(User).where(User.full_name == "Lê Thị Bình"))
    assert pending is not None
    await bot.say(admin, payload=f"@approve:{pending.id}")
    await bot_asks(page, said("An admin approved your registration as a commune officer."))

    await answer(page, "/baocao", "1/15")
    for typed, then in (
        ("12", "2/15"),
        ("3", "3/15"),
        ("0", "4/12"),  # no product evaluated: no questions on stars
        ("1", "5/12"),
        ("2", "6/12"),
        ("0", "7/11"),  # no training: nobody trained to count
        ("1", "8/11"),
        ("2", "9/11"),
        ("3", "10/11"),
        ("Thiếu vốn làm bao bì.", "11/11"),
        ("/boqua", vi.t("Send")),
    ):
        await answer(page, typed, then)
    await press(page, vi.t("Send"), "BCX-000001")
    async with bot.app.session_factory() as session:
        filed = await session.scalar(select(Submission).where(Submission.receipt == "BCX-000001"))
    assert filed is not None and filed.answers["products_proposed"] in (3, "3")
    return filed


async def test_a_report_sent_back_on_the_dashboard_reaches_the_officers_browser_chat(
    running_bot: RunningBot, page: Page, browser: Browser
) -> None:
    bot = running_bot
    await person(bot.app, "thu", Role.PROVINCE_ADMIN, UserStatus.ACTIVE, "lang son")
    # Signed in before the clock is set to June 2024: the link is valid from now.
    admin, problems = await signed_in_admin(bot, browser, "thu")
    bot.app.pipeline.clock = lambda: JUNE_10_2024  # type: ignore[assignment,return-value]
    report = await register_and_file(bot, page, "thu")

    # The admin opens the report on the dashboard and sends it back with a reason.
    await admin.goto(f"{bot.url}/admin/reports/{report.id}")
    await expect(admin.locator("h1")).to_contain_text("quý 2/2024", timeout=WAIT)
    await admin.locator("#comment").fill(REASON)
    await admin.get_by_role("button", name=vi.t("Needs fixing"), exact=True).click()
    await expect(admin.locator(".flash")).to_contain_text(
        vi.t(
            "Sent back for fixing: {receipt}. {name} was told.",
            receipt=report.receipt,
            name="Lê Thị Bình",
        ),
        timeout=WAIT,
    )

    # The officer's chat page, left open, shows the notice and its button by itself.
    period = parse_period(report.period)
    assert period is not None
    notice = vi.t(
        "Your report “{title}” (receipt {receipt}) needs fixing: {comment}",
        title=f"{FORMS['commune_report'].title('vi')} — {period.label('vi')}",
        receipt=report.receipt,
        comment=REASON,
    )
    latest = page.locator(".msg.bot").last
    await expect(latest).to_contain_text(notice, timeout=WAIT)
    fix = vi.t("Fix the report")
    await expect(latest.get_by_role("button", name=fix, exact=True)).to_be_visible()
    # And it is still there after a reload, its button with it.
    await page.reload()
    await expect(page.locator("body")).to_have_attribute("data-ready", "true", timeout=WAIT)
    await bot_asks(page, notice)

    # Its button opens that very report, the admin's reason repeated, at the review.
    await press(page, fix, vi.t("Please check your answers:"))
    asked = page.locator(
        ".msg.bot", has_text=vi.t("An admin asked for changes: {comment}", comment=REASON)
    )
    await expect(asked).to_have_count(1)
    await press(
        page,
        vi.t("Change an answer"),
        said("Type the number of the question to change (1–{total})."),
    )
    await answer(page, "2", "2/11")
    await answer(page, "4", vi.t("Please check your answers:"))
    await press(page, vi.t("Send"), report.receipt)
    async with bot.app.session_factory() as session:
        fixed = await session.get(Submission, report.id)
    assert fixed is not None and fixed.revision == 2
    assert str(fixed.answers["products_proposed"]) == "4"
    assert fixed.review_status is None  # it waits for a new review

    # The dashboard shows the second version beside the first.
    await admin.goto(f"{bot.url}/admin/reports/{report.id}")
    await expect(admin.locator("table.versions")).to_contain_text("4", timeout=WAIT)
    await admin.context.close()
    assert not problems.found, "\n".join(problems.found)
