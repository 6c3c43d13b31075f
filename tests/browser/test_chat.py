"""The browser chat in Chromium, as a newcomer uses it: register as a commune officer with
buttons and typing, be approved by an admin (the message arrives without typing), file the
quarterly report with a reload half-way (the question is still there), and send it. And a
POST that does not carry the page's anti-forgery token is refused.
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from playwright.async_api import Page, expect
from sqlalchemy import select

from bot.i18n import Translator
from storage.models import User
from tests.browser.conftest import RunningBot

WAIT = 20_000  # ms Playwright keeps looking for what the page should show
JUNE_10_2024 = datetime(2024, 6, 10, 9, 0, tzinfo=ZoneInfo("Asia/Ho_Chi_Minh"))
vi = Translator("vi")


def said(message: str) -> str:
    """The Vietnamese of an English msgid, up to its first placeholder: the tests follow
    the catalog when a translation is reworded."""
    return vi.t(message).split("{", 1)[0].strip()


async def bot_asks(page: Page, fragment: str) -> None:
    """The latest message from the bot contains ``fragment``."""
    await expect(page.locator(".msg.bot").last).to_contain_text(fragment, timeout=WAIT)


async def answer(page: Page, text: str, then: str) -> None:
    """Type ``text`` and send it; the bot's next message contains ``then``."""
    box = page.locator("#text")
    await box.fill(text)
    await box.press("Enter")
    await bot_asks(page, then)


async def press(page: Page, label: str, then: str) -> None:
    """Press the button ``label`` under the latest message; the bot answers ``then``."""
    await page.locator(".msg.bot").last.get_by_role("button", name=label, exact=True).click()
    await bot_asks(page, then)


async def register_admin(bot: RunningBot) -> None:
    """The national admin (OCOP_ADMINS=console:admin) registers in their own chat."""
    for line in ("/start", "English", "Trần Văn Quản", "+84 988 000 111", "I agree"):
        await bot.say("admin", line)
    assert "You are registered" in (await bot.queued("admin"))[-1].text


async def test_a_newcomer_registers_is_approved_and_files_a_report(
    running_bot: RunningBot, page: Page
) -> None:
    running_bot.app.pipeline.clock = lambda: JUNE_10_2024  # type: ignore[assignment,return-value]
    await register_admin(running_bot)

    await page.goto(running_bot.chat_url)
    await bot_asks(page, "Tiếng Việt")  # the language buttons
    officer = vi.t("Commune OCOP officer")
    await press(page, "Tiếng Việt", officer)
    await press(
        page,
        officer,
        said("Which province or city are you in? Type part of its name, for example: lang son"),
    )
    await answer(page, "lang son", "Lạng Sơn")
    await answer(page, "xa cao loc", said("What is your full name?"))
    await answer(
        page,
        "Lê Thị Bình",
        said("What is your phone number? Please type it, for example 0912 345 678."),
    )
    await answer(page, "0912 000 222", "0912 000 222")
    await press(page, vi.t("I agree"), said("Thank you, {name}! You are registered."))

    # The admin approves from their own chat; the officer's page shows it without typing.
    async with running_bot.app.session_factory() as session:
        pending = await session.scalar(select(User).where(User.full_name == "Lê Thị Bình"))
    assert pending is not None and pending.status == "pending"
    await running_bot.say("admin", payload=f"@approve:{pending.id}")
    await bot_asks(page, said("An admin approved your registration as a commune officer."))

    await answer(page, "/baocao", "1/15")
    await answer(page, "12", "2/15")
    await answer(page, "3", "3/15")
    await answer(page, "0", "4/12")  # no product evaluated: no questions on stars
    await answer(page, "1", "5/12")

    # A reload half-way: the conversation is there again, the open question last, and the
    # lines typed in this tab beside it.
    await page.reload()
    await expect(page.locator("body")).to_have_attribute("data-ready", "true", timeout=WAIT)
    await bot_asks(page, "5/12")
    await expect(page.locator(".msg.me").last).to_have_text("1")
    assert await page.locator(".msg.bot", has_text="1/15").count() == 1

    await answer(page, "2", "6/12")
    await answer(page, "0", "7/11")  # no training: nobody trained to count
    await answer(page, "1", "8/11")
    await answer(page, "2", "9/11")
    await answer(page, "3", "10/11")
    await answer(page, "Thiếu vốn làm bao bì.", "11/11")
    await answer(page, "/boqua", vi.t("Send"))  # the summary, with its buttons
    await press(page, vi.t("Send"), "BCX-000001")


async def test_a_post_without_the_pages_token_is_refused(
    running_bot: RunningBot, page: Page
) -> None:
    await page.goto(running_bot.chat_url)
    await bot_asks(page, "Please choose your language")
    send = running_bot.chat_url + "/send"
    refused = await page.request.post(send, data={"id": "forged-0001", "text": "/start"})
    assert refused.status == 403
    assert (await refused.json())["error"] == vi.t("This page has expired. Please reload it.")
    wrong = await page.request.post(
        send, data={"id": "forged-0002", "text": "/start"}, headers={"X-CSRF-Token": "x" * 43}
    )
    assert wrong.status == 403
    token = await page.locator('meta[name="csrf-token"]').get_attribute("content")
    assert token
    accepted = await page.request.post(
        send, data={"id": "right-0003", "text": "English"}, headers={"X-CSRF-Token": token}
    )
    assert accepted.status == 200
    await bot_asks(page, "Commune OCOP officer")  # in English, as chosen
