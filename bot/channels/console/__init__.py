"""The console chat: talk to the bot in a terminal, on the embedded database.

``channel`` shows replies (buttons as numbered options, documents written to the working
folder); ``live`` reads what the user types (a live input line on a terminal, with messages
from others printed above it as they arrive; lines of a pipe otherwise); ``service`` runs
the chat beside any messenger.
"""

from bot.channels.console.channel import CHANNEL, ConsoleChannel
from bot.channels.console.service import ConsoleService

__all__ = ["CHANNEL", "ConsoleChannel", "ConsoleService"]
