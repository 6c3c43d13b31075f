"""Showing phone numbers the way Vietnamese people read them back (``0912 345 678``).

Reading typed numbers is :func:`forms.readers.read_phone`; numbers are stored in
E.164 (``+84912345678``).
"""

from __future__ import annotations

import phonenumbers


def display_phone(e164: str) -> str:
    try:
        number = phonenumbers.parse(e164, "VN")
    except phonenumbers.NumberParseException:
        return e164
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL)
