"""How one :class:`~bot.messages.Outbound` becomes Zalo ``sendMessage`` texts, in order.

Pure, so every layout rule is tested without a server:

* Zalo has no keyboards: choices are numbered lines (:func:`bot.render.numbered_text`, the
  same as the console), and the core maps a typed number or label back to the choice;
* a "share my phone number" request has no button to show: the question already says the
  number may be typed;
* Zalo cannot carry files: a document becomes its caption plus a note (given by the
  channel, in the user's language) that says where to get the file;
* plain text, no ``parse_mode``: whatever people typed is shown as typed;
* a text is 1 to 2,000 characters. A longer one is split at line breaks, then at spaces
  (:func:`bot.render.split_text`), and measured in UTF-16 units as well, since that is
  how a JavaScript service counts: an emoji is two of them.
"""

from __future__ import annotations

from bot.messages import Outbound
from bot.render import numbered_text, split_text

MAX_TEXT = 2000


class Unrenderable(ValueError):
    """The reply cannot be shown on Zalo at all (it would be refused on every try)."""


def plan(message: Outbound, file_note: str | None = None) -> list[str]:
    """The texts that show ``message``, in order; ``file_note`` stands in for its document."""
    text = numbered_text(message).strip()
    if file_note:
        text = f"{text}\n\n{file_note}" if text else file_note
    if not text.strip():
        raise Unrenderable("empty message: nothing to send")
    return pieces(text)


def pieces(text: str, limit: int = MAX_TEXT) -> list[str]:
    """``text`` in pieces Zalo accepts, in order, none of them blank."""
    return [fitted for part in split_text(text, limit) for fitted in _fit(part, limit) if fitted]


def _fit(piece: str, limit: int) -> list[str]:
    """Split again a piece whose UTF-16 length is over the limit (emoji count twice)."""
    piece = piece.strip()
    units = _utf16_units(piece)
    if units <= limit:
        return [piece] if piece else []
    smaller = min(len(piece) - 1, max(1, len(piece) * limit // units))
    return [fitted for part in split_text(piece, smaller) for fitted in _fit(part, limit)]


def _utf16_units(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2
