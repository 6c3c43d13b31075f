"""Free text (product names, difficulties, proposals), cleaned so that it can always be
stored: NFC, one kind of line break, no control characters.
"""

from __future__ import annotations

import re

from bot.text import clean
from forms.readers.results import (
    MSG_TEXT_EMPTY,
    MSG_TEXT_NO_WORDS,
    MSG_TEXT_PATTERN,
    MSG_TEXT_TOO_LONG,
    MSG_TEXT_TOO_SHORT,
    Ok,
    Rejected,
    show_number,
)

_EXAMPLE_TEXT = "Mật ong bạc hà"


def _clean_text(text: str) -> str:
    """What :func:`bot.text.clean` keeps (NFC, one kind of line break, odd spaces plain, no
    control or zero-width characters), without surrounding space.

    Control characters (a NUL in particular) and lone surrogates cannot be stored in
    PostgreSQL text or encoded as UTF-8, so they are dropped here rather than failing later;
    a zero-width space pasted from another app would make two equal answers differ.
    """
    return clean(text).strip()


def read_text(
    text: str,
    *,
    min_length: int = 1,
    max_length: int = 1000,
    pattern: str | re.Pattern[str] | None = None,
    pattern_example: str | None = None,
    example: str | None = None,
    language: str = "vi",
) -> Ok[str] | Rejected:
    """Read free text (product names, difficulties, proposals), stored in NFC.

    Text without a single letter or digit (only emoji or punctuation) is rejected: it
    is almost always a reaction, not an answer. ``pattern`` must match the whole text;
    ``pattern_example`` shows a matching answer. ``example`` is shown in the other
    rejections (defaults to ``pattern_example`` or a product name). Lengths count
    characters after NFC, so a decomposed ``ầ`` counts once. ``language`` formats the
    numbers of the length messages.
    """
    shown = {"example": example or pattern_example or _EXAMPLE_TEXT}
    cleaned = _clean_text(text)
    if not cleaned:
        if min_length <= 0:
            return Ok("")
        return Rejected(MSG_TEXT_EMPTY, shown)
    if not any(ch.isalnum() for ch in cleaned):
        return Rejected(MSG_TEXT_NO_WORDS, shown)
    if len(cleaned) < min_length:
        return Rejected(MSG_TEXT_TOO_SHORT, {"min": show_number(min_length, language), **shown})
    if len(cleaned) > max_length:
        return Rejected(
            MSG_TEXT_TOO_LONG,
            {
                "max": show_number(max_length, language),
                "length": show_number(len(cleaned), language),
                **shown,
            },
        )
    if pattern is not None and re.fullmatch(pattern, cleaned) is None:
        return Rejected(MSG_TEXT_PATTERN, {"example": pattern_example or shown["example"]})
    return Ok(cleaned)
