"""The newcomer's walkthrough of the README, in Chromium, end to end on one running bot (the
embedded SQLite of the first command, the browser chat, the dashboard, and the national
admin of ``OCOP_ADMINS=console:admin`` talking in the console):

1. the admin registers in the console chat;
2. a newcomer opens ``/chat``, registers as a commune officer, and the admin approves them
   from the console (the first option under the request);
3. the officer files the commune's report in ``/chat``;
4. the admin sends ``/web``, opens the link in the browser, signs in, and follows the report
   just filed from the national page: province → commune → report, whose answers are shown.

No date is fixed: the report is filed for the period the calendar gives today, and the
dashboard must open on that same period by itself, as it does for a newcomer.
"""

from __future__ import annotations

import re

import pytest
from playwright.async_api import Page, expect

from bot.i18n import Translator
from bot.settings import Settings
from tests.browser.conftest import PageProblems, RunningBot
from tests.browser.test_chat import WAIT, answer, bot_asks, press, said
from tests.conftest import make_settings

vi = Translator("vi")
LINK = re.compile(r"https?://\S+/admin/login\?token=[\w-]+")
PROVINCE, COMMUNE = "Lạng Sơn", "Xã Cao Lộc"
DIFFICULTY = "Thiếu vốn làm bao bì."


@pytest.fixture
def bot_settings(sqlite_url: str) -> Settings:
    """The README's start: the embedded SQLite, the browser chat and the dashboard, and the
    console's ``admin`` a national admin (OCOP_ADMINS=console:admin)."""
    return make_settings(
        sqlite_url,
        webhook_host="127.0.0.1",
        webhook_port=0,
        web_chat="on",
        dashboard="on",
        scheduler=False,
        admins=["console:admin"],
    )


async def console(bot: RunningBot, text: str) -> str:
    """The admin types ``text`` in the console chat; returns the bot's latest answer."""
    await bot.say("admin", text)
    return (await bot.queued("admin"))[-1].text


async def choose_commune(page: Page, typed: str, name: str, then: str) -> None:
    """Type part of the commune's name; where the bot asks which one (a commune named like
    a former district), press ``name``. The bot then asks ``then``."""
    box = page.locator("#text")
    await box.fill(typed)
    await box.press("Enter")
    await expect(page.locator(".msg.bot").last).to_contain_text(
        re.compile(f"{re.escape(then)}|{re.escape(name)}"), timeout=WAIT
    )
    button = page.locator(".msg.bot").last.get_by_role("button", name=name, exact=True)
    if await button.count():
        await press(page, name, then)


async def test_a_newcomer_files_a_report_and_the_admin_follows_it_on_the_dashboard(
    running_bot: RunningBot, page: Page
) -> None:
    bot = running_bot
    # 1. The admin registers in the console (OCOP_ADMINS=console:admin).
    for line in ("/start", "Tiếng Việt", "Trần Văn Quản", "0988 000 111"):
        await console(bot, line)
    registered = await console(bot, vi.t("I agree"))
    assert said("Thank you, {name}! You are registered.") in registered, registered

    # 2. The newcomer registers as a commune officer in the browser chat.
    await page.goto(bot.chat_url)
    await bot_asks(page, "Tiếng Việt")
    officer = vi.t("Commune OCOP officer")
    await press(page, "Tiếng Việt", officer)
    await press(
        page,
        officer,
        said("Which province or city are you in? Type part of its name, for example: lang son"),
    )
    await answer(page, "lang son", PROVINCE)
    await choose_commune(page, "cao loc", COMMUNE, said("What is your full name?"))
    await answer(
        page,
        "Lê Thị Bình",
        said("What is your phone number? Please type it, for example 0912 345 678."),
    )
    await answer(page, "0912 000 222", "0912 000 222")
    await press(page, vi.t("I agree"), said("Thank you, {name}! You are registered."))

    # The approval request reaches the admin's console; they type 1 (Duyệt).
    request = (await bot.queued("admin"))[-1]
    assert "Lê Thị Bình" in request.text, request.text
    first = request.choices()[0]
    assert first.label == vi.t("Approve"), request.choices()
    await bot.say("admin", payload=first.payload)
    await bot_asks(page, said("An admin approved your registration as a commune officer."))

    # 3. The officer files the commune's report for the period open today.
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
        (DIFFICULTY, "11/11"),
        ("/boqua", vi.t("Send")),
    ):
        await answer(page, typed, then)
    await press(page, vi.t("Send"), "BCX-")
    filed = await page.locator(".msg.bot").last.inner_text()
    receipt = re.search(r"BCX-\d+", filed)
    assert receipt, filed

    # 4. The admin sends /web in the console and opens the link in the browser.
    sent = await console(bot, "/web")
    link = LINK.search(sent)
    assert link, sent
    admin = await page.context.new_page()
    problems = PageProblems()
    admin.on("console", problems.console)
    admin.on("pageerror", problems.error)
    await admin.goto(link.group())
    await admin.get_by_role("button", name=vi.t("Sign in")).click()

    # The national page opens on the period just filed: one report, from the province.
    row = admin.get_by_role("row", name=re.compile(PROVINCE))
    await expect(row).to_be_visible(timeout=WAIT)
    await expect(admin.locator(".figures")).to_contain_text("3.321")
    await expect(row.get_by_role("cell").nth(2)).to_have_text("1")  # received
    await row.get_by_role("link", name=PROVINCE, exact=True).click()

    # Province: the commune is in one state, with the receipt; the legend counts it there.
    await expect(admin.locator("h1")).to_contain_text(PROVINCE, timeout=WAIT)
    line = admin.get_by_role("row", name=re.compile(COMMUNE))
    await expect(line).to_contain_text(receipt.group())
    badge = await line.locator(".badge").get_attribute("class") or ""
    state = badge.split()[-1]
    assert state in ("on_time", "late"), badge
    legend = admin.locator(".legend.states a", has=admin.locator(f".key.{state}"))
    await expect(legend).to_contain_text(": 1")

    # Commune → report: its answers.
    await line.get_by_role("link", name=COMMUNE, exact=True).click()
    await expect(admin.locator("h1")).to_have_text(COMMUNE, timeout=WAIT)
    await admin.get_by_role("link", name=receipt.group()).click()
    await expect(admin.locator(".crumbs")).to_contain_text(receipt.group(), timeout=WAIT)
    answers = admin.locator("main")
    await expect(answers).to_contain_text(DIFFICULTY)
    await expect(answers).to_contain_text("Lê Thị Bình")
    await admin.close()
    assert not problems.found, "\n".join(problems.found)
