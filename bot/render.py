"""How a reply degrades on a channel that cannot show buttons: numbered options in the text.

Every channel without buttons (the console, Zalo, any later one) shows choices the same way:
one numbered line each, then a short "Reply 1, 2 or 3" in the language of the message. The
core maps a typed number or label back to the choice it stands for (``handlers/router.py``),
including the choices of a notification sent by someone else, so the same conversation works
on Telegram (buttons) and on a text-only messenger (numbers).
"""

from __future__ import annotations

from bot.i18n import Translator
from bot.messages import Outbound

LANGUAGES = ("vi", "en")
DEFAULT_LANGUAGE = "vi"
MAX_LISTED = 5  # more choices than this: "a number from 1 to N" instead of every number


def numbered_text(message: Outbound, language: str | None = None) -> str:
    """The text, its choices as numbered lines and how to answer them.

    The instruction is in ``message.language``; ``language`` is the channel's fallback for a
    message that does not say (rows queued before messages carried their language)."""
    lines = [message.text]
    choices = message.choices()
    if choices:
        lines.append("")
        lines.extend(f"  {index}. {button.label}" for index, button in enumerate(choices, 1))
        lines.append(how_to_choose(len(choices), message.language or language))
    return "\n".join(lines)


def how_to_choose(count: int, language: str | None = None) -> str:
    """``Trả lời 1, 2 hoặc 3.`` / ``Reply 1, 2, or 3.``: short, as people read it on a phone."""
    tr = Translator(language if language in LANGUAGES else DEFAULT_LANGUAGE)
    if count > MAX_LISTED:
        return tr.t("Reply with a number from 1 to {last}.", last=count)
    return tr.t("Reply {numbers}.", numbers=tr.either([str(n) for n in range(1, count + 1)]))


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
