"""Vietnamese-aware text folding shared by every layer that matches what people type.

People type with or without diacritics (``ha noi`` for "Hà Nội"), and some phone keyboards
send decomposed Unicode (NFD). Every comparison of names and choices goes through
:func:`fold` so that all of these meet in one form.
"""

from __future__ import annotations

import re
import unicodedata

_SPACES = re.compile(r"\s+")
_NOT_WORD = re.compile(r"[^\w\s]", re.UNICODE)


def fold(text: str) -> str:
    """Lower-case, strip diacritics (đ → d), drop punctuation and collapse spaces."""
    decomposed = unicodedata.normalize("NFD", text)
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    stripped = stripped.replace("đ", "d").replace("Đ", "D")
    stripped = _NOT_WORD.sub(" ", stripped.casefold())
    return _SPACES.sub(" ", stripped).strip()


def nfc(text: str) -> str:
    """The composed form we store: what users type may arrive decomposed."""
    return unicodedata.normalize("NFC", text)


def has_letters(text: str) -> bool:
    """True when the text holds at least one letter (an emoji-only message does not)."""
    return any(unicodedata.category(ch).startswith("L") for ch in text)


# Characters that are never part of an answer: C0/C1 controls other than tab and newline
# (PostgreSQL refuses U+0000 outright), lone surrogates (not encodable), bidi overrides that
# make a name display backwards, and zero-width characters that make two equal names differ
# (zero-width space and joiners, word joiner, BOM, soft hyphen, Mongolian vowel separator,
# combining grapheme joiner), all of which phones paste along with text copied from Zalo,
# Word or a web page.
_INVISIBLE = re.compile(
    "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\xad\u034f\u061c\u180e\u200b-\u200f"
    "\u202a-\u202e\u2060-\u2069\ufeff\ud800-\udfff]"
)
# Spaces that look like a space but are not one (no-break, narrow no-break, en/em/thin/hair,
# ideographic): read and stored as a plain space, so ``1\u00a0234`` is 1234 and a name
# pasted from a web page equals the same name typed.
_ODD_SPACES = re.compile("[\u00a0\u1680\u2000-\u200a\u202f\u205f\u3000]")
# Line and paragraph separators are line breaks.
_ODD_BREAKS = re.compile("\r\n|[\r\u2028\u2029\x85]")


def clean(text: str) -> str:
    """What we store and read of what people type: NFC, line breaks as ``\\n``, odd spaces as
    plain spaces, and none of the invisible or control characters above (tab and newline
    stay). Every answer reader starts here, so a zero-width space pasted from another app
    never makes an answer unreadable."""
    text = _ODD_BREAKS.sub("\n", text)
    return nfc(_ODD_SPACES.sub(" ", _INVISIBLE.sub("", text)))
