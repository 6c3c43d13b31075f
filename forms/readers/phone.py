"""Vietnamese phone numbers: read as typed (``0912 345 678``, ``+84 912-345-678``) and
stored in E.164 (``+84912345678``); shown back the way people read them (``0912 345 678``).
"""

from __future__ import annotations

import re
import unicodedata

import phonenumbers

from forms.readers.results import MSG_PHONE, MSG_PHONE_INVALID, MSG_PHONE_NOT_VN, Ok, Rejected

_EXAMPLE_PHONE = "0912 345 678"

# Longer than any sensible phone number: cut early so that a pasted essay costs nothing.
_MAX_PHONE_CHARS = 40

_PHONE_CHARS = re.compile(r"[0-9+().\-/\s]+")


def read_phone(text: str) -> Ok[str] | Rejected:
    """Read a Vietnamese phone number and return it in E.164 (``+84912345678``).

    Accepts ``0912 345 678``, ``0912.345.678``, ``+84912345678``, ``84912345678``,
    ``(+84) 912-345-678`` and landlines (``024 3823 4567``). Only digits and phone
    punctuation are allowed, because ``phonenumbers`` would otherwise read letters as
    keypad digits. Valid numbers of other countries are rejected with their own message.
    """
    shown = {"example": _EXAMPLE_PHONE}
    cleaned = unicodedata.normalize("NFKC", text).strip()
    if not cleaned or len(cleaned) > _MAX_PHONE_CHARS or not _PHONE_CHARS.fullmatch(cleaned):
        return Rejected(MSG_PHONE, shown)
    digits = re.sub(r"[^0-9]", "", cleaned)
    if not digits:
        return Rejected(MSG_PHONE, shown)
    candidates = [cleaned]
    if digits.startswith("84") and "+" not in cleaned:
        candidates.append("+" + digits)  # country code typed without the plus
    foreign = False
    for candidate in candidates:
        try:
            number = phonenumbers.parse(candidate, "VN")
        except phonenumbers.NumberParseException:
            continue
        if not phonenumbers.is_valid_number(number):
            continue
        if phonenumbers.region_code_for_number(number) != "VN":
            foreign = True
            continue
        return Ok(phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164))
    return Rejected(MSG_PHONE_NOT_VN if foreign else MSG_PHONE_INVALID, shown)


def display_phone(e164: str) -> str:
    """A stored number the way Vietnamese people read it back: ``0912 345 678``.

    Anything ``phonenumbers`` cannot parse is shown as stored rather than lost.
    """
    try:
        number = phonenumbers.parse(e164, "VN")
    except phonenumbers.NumberParseException:
        return e164
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL)
