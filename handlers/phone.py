"""Vietnamese phone numbers: typed in many shapes, stored in one (E.164, ``+84912345678``)."""

from __future__ import annotations

import phonenumbers


def normalize_phone(text: str) -> str | None:
    """The E.164 form of a valid Vietnamese number, or None when it is not one."""
    cleaned = "".join(ch for ch in text if ch.isdigit() or ch == "+")
    if not cleaned or len(cleaned) > 16:
        return None
    if cleaned.startswith("84") and len(cleaned) >= 11:
        cleaned = "+" + cleaned
    try:
        number = phonenumbers.parse(cleaned, "VN")
    except phonenumbers.NumberParseException:
        return None
    if number.country_code != 84 or not phonenumbers.is_valid_number(number):
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def display_phone(e164: str) -> str:
    """How Vietnamese people read a number back: ``0912 345 678``."""
    try:
        number = phonenumbers.parse(e164, "VN")
    except phonenumbers.NumberParseException:
        return e164
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL)
