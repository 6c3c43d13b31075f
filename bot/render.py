"""How things are shown to people: choices on a text-only channel, names, phones, statuses.

Every channel without buttons (the console, Zalo, any later one) shows choices the same way:
one numbered line each, then a short "Reply 1, 2 or 3" in the language of the message. The
core maps a typed number or label back to the choice it stands for (``handlers/router.py``),
including the choices of a notification sent by someone else, so the same conversation works
on Telegram (buttons) and on a text-only messenger (numbers).

The display helpers below are the one way a name, a phone number or a report's status is
written, in the chat, in the exported workbook and in /toi alike: what is stored stays as it
was typed or read, and only its showing goes through here.
"""

from __future__ import annotations

import re

import phonenumbers

from bot.i18n import N_, Translator
from bot.messages import Outbound
from bot.text import nfc

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


# -- names, phones, statuses -----------------------------------------------------------------

_LETTERS = re.compile(r"[^\W\d_]+")


def display_name(name: str) -> str:
    """A person's name as Vietnamese write it, every word capitalised: ``nguyễn văn an`` →
    ``Nguyễn Văn An``, ``NGUYỄN VĂN AN`` too, ``h'hen niê`` → ``H'Hen Niê``.

    People type names in lower case on a phone; the record keeps what they typed (it is
    their data), and every place that shows it goes through here. A name typed in mixed case
    (``Nguyễn văn AN``, ``McKay``) only has each word's first letter raised: its other capitals
    were meant."""
    name = nfc(name)
    uniform = name == name.lower() or name == name.upper()

    def word(match: re.Match[str]) -> str:
        text = match.group()
        rest = text[1:].lower() if uniform else text[1:]
        return text[0].upper() + rest

    return _LETTERS.sub(word, name)


def display_phone(number: str) -> str:
    """A stored number (E.164, ``+84912345678``) the way Vietnamese people read it back:
    ``0912 345 678``, a landline ``024 3823 4567``. The chat, the exports and /toi all show
    phones through here; anything ``phonenumbers`` cannot parse is shown as stored rather
    than lost."""
    try:
        parsed = phonenumbers.parse(number, "VN")
    except phonenumbers.NumberParseException:
        return number
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.NATIONAL)


# A report's review in the same words in the chat (/xem, /tiendo) and in the report sheet's
# "Trạng thái duyệt" column: both translate these.
REVIEW_LABELS: dict[str | None, str] = {
    None: N_("Not reviewed"),
    "needs_fix": N_("Needs fixing"),
    "accepted": N_("Accepted"),
}
ON_TIME, LATE = N_("On time"), N_("Late")


def review_label(tr: Translator, status: str | None) -> str:
    """How an admin's review of a report reads (``Đã duyệt``); an unknown state as stored."""
    label = REVIEW_LABELS.get(status)
    return tr.t(label) if label else str(status)
