"""The Telegram channel (aiogram 3): a thin adapter between the Bot API and the core.

``updates`` maps updates to inbound messages, ``receiver`` feeds them to the pipeline,
``polling`` and ``webhook`` are the two ways to receive them, ``render`` and ``channel`` turn
replies into Bot API calls within Telegram's limits, and ``runner`` wires it all for
``bot.app.run``. See docs/telegram.md for BotFather, polling and the HTTPS webhook.
"""

from bot.channels.telegram.channel import TelegramChannel, delivery_error, telegram_limiter
from bot.channels.telegram.runner import build_bot, run_telegram
from bot.channels.telegram.updates import ALLOWED_UPDATES, CHANNEL, to_inbound

__all__ = [
    "ALLOWED_UPDATES",
    "CHANNEL",
    "TelegramChannel",
    "build_bot",
    "delivery_error",
    "run_telegram",
    "telegram_limiter",
    "to_inbound",
]
