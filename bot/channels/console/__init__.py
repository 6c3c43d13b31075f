"""The console chat: talk to the bot in a terminal, with nothing installed but Python.

``channel`` shows replies (buttons as numbered options, documents written to the working
folder); ``service`` reads what the user types and runs the chat beside any messenger.
"""

from bot.channels.console.channel import CHANNEL, ConsoleChannel
from bot.channels.console.service import ConsoleService

__all__ = ["CHANNEL", "ConsoleChannel", "ConsoleService"]
