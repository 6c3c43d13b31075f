"""The Telegram channel (aiogram 3): a thin adapter between the Bot API and the core.

``updates`` maps updates to inbound messages, ``receiver`` feeds them to the pipeline,
``polling`` and ``webhook`` are the two ways to receive them, ``render`` and ``channel`` turn
replies into Bot API calls within Telegram's limits, ``service`` runs it in the runtime
(:mod:`bot.runtime`), and ``runner`` runs it alone. See docs/telegram.md for BotFather,
polling and the HTTPS webhook.
"""

from bot.channels.telegram.channel import TelegramChannel, delivery_error, telegram_limiter
from bot.channels.telegram.updates import ALLOWED_UPDATES, CHANNEL, to_inbound

__all__ = [
    "ALLOWED_UPDATES",
    "CHANNEL",
    "TelegramChannel",
    "delivery_error",
    "telegram_limiter",
    "to_inbound",
]
