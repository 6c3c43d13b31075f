"""Receipt numbers as people type them back: ``yt-2``, ``YT 2``, ``bcx1``, ``BCX-000001``.

A receipt is written ``PREFIX-000042`` (storage/submissions.py); officials read it off a
message and type the short form, in lower case, with a space or no dash. All of these find
the same report rather than "no report with that receipt in your area".
"""

from __future__ import annotations

import re

_TYPED = re.compile(r"^([A-Za-z]{1,10})[\s\-_.:]*0*([0-9]{1,9})$")


def receipt_of(prefix: str, number: int) -> str:
    return f"{prefix}-{number:06d}"


def receipt_key(text: str) -> str:
    """The receipt as stored, from one typed any of those ways; else the text, upper-cased."""
    cleaned = text.strip()[:40]
    found = _TYPED.match(cleaned)
    if found is None:
        return cleaned.upper()
    return receipt_of(found[1].upper(), int(found[2]))
