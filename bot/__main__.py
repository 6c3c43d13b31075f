"""``python -m bot`` is the same as ``ocop-bot``."""

from bot.cli import main

main()
