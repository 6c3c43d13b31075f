"""Reading the numbers people type after a command (``/khoa 12``) or that a button carries.

A record number is a small positive integer. Anything else (a phone number typed by
mistake, ``²``, twenty digits, a forged button) is "no such record", answered as such, and
never reaches the database, which would refuse a value out of its column's range.
"""

from __future__ import annotations

MAX_RECORD_ID = 2**31 - 1  # the range of an INTEGER column in PostgreSQL


def record_id(text: str) -> int | None:
    """The record number in ``text`` (ASCII digits, 1 to 2³¹−1), or None."""
    text = text.strip()
    if not text or len(text) > 10 or not text.isascii() or not text.isdigit():
        return None
    value = int(text)
    return value if 1 <= value <= MAX_RECORD_ID else None


def number_in(text: str, low: int, high: int) -> int | None:
    """A whole number from ``low`` to ``high`` written in ASCII digits, or None (``²`` and
    other Unicode digits pass ``str.isdigit`` but are no answer to "how many days")."""
    text = text.strip()
    if not text or len(text) > len(str(high)) or not text.isascii() or not text.isdigit():
        return None
    value = int(text)
    return value if low <= value <= high else None
