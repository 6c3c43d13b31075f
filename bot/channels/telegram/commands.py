"""The command menu Telegram shows next to the input field, in Vietnamese and English.

The commands themselves live in ``handlers/``; only their menu descriptions are set here,
through gettext like every user-facing string. Telegram picks the list matching the user's
app language, and the list without a language for everyone else (our default language).
"""

from __future__ import annotations

import logging

from aiogram import Bot
from aiogram.exceptions import TelegramAPIError
from aiogram.types import BotCommand

from bot.i18n import N_, Translator
from bot.settings import SUPPORTED_LANGUAGES

log = logging.getLogger(__name__)

MENU: tuple[tuple[str, str], ...] = (
    ("start", N_("Register, or continue where you stopped")),
    ("help", N_("What you can do here")),
    ("toi", N_("Your profile: see and change it")),
    ("dulieu", N_("Your personal data: what we keep, how to delete it")),
    ("lienket", N_("Use this account on another messenger too")),
    ("ngonngu", N_("Change language")),
    ("huy", N_("Cancel what is in progress")),
)


def menu(language: str) -> list[BotCommand]:
    tr = Translator(language)
    return [BotCommand(command=name, description=tr.t(text)) for name, text in MENU]


async def set_commands(bot: Bot, default_language: str) -> None:
    """Best effort: a bot without a menu still works, so a failure is only logged."""
    try:
        for language in SUPPORTED_LANGUAGES:
            await bot.set_my_commands(menu(language), language_code=language)
        await bot.set_my_commands(menu(default_language))
    except TelegramAPIError as exc:
        log.warning("could not set the Telegram command menu: %s", exc)
