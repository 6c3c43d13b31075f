"""How a reply degrades on a channel that cannot show buttons: numbered options in the text.

The core maps a typed number back to the button it stands for, so the same conversation
works on Telegram (buttons), Zalo and the console (numbers).
"""

from __future__ import annotations

from bot.messages import Outbound


def numbered_text(message: Outbound) -> str:
    lines = [message.text]
    choices = message.choices()
    if choices:
        lines.append("")
        lines.extend(f"  {index}. {button.label}" for index, button in enumerate(choices, 1))
    return "\n".join(lines)


def split_text(text: str, limit: int) -> list[str]:
    """Cut a long text into pieces a platform accepts, at line breaks or spaces if possible."""
    pieces: list[str] = []
    while len(text) > limit:
        cut = text.rfind("\n", 0, limit)
        if cut <= 0:
            cut = text.rfind(" ", 0, limit)
        if cut <= 0:
            cut = limit
        pieces.append(text[:cut])
        text = text[cut:].lstrip("\n ")
    pieces.append(text)
    return pieces
