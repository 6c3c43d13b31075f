"""Vietnamese phone numbers: read as typed (``0912 345 678``, ``+84 912-345-678``) and
stored in E.164 (``+84912345678``); shown back the way people read them (``0912 345 678``).
"""

from __future__ import annotations

import re

import phonenumbers

from bot.render import display_phone  # noqa: F401  (shown one way: bot/render.py)
from bot.text import clean
from forms.readers.results import (
    MSG_PHONE,
    MSG_PHONE_INVALID,
    MSG_PHONE_NOT_VN,
    Ok,
    Rejected,
    simplify,
)

_EXAMPLE_PHONE = "0912 345 678"

# Longer than any sensible phone number (with "Số điện thoại:" before it): cut early so
# that a pasted essay costs nothing.
_MAX_PHONE_CHARS = 60
_MAX_NUMBER_CHARS = 40

_PHONE_CHARS = re.compile(r"[0-9+().\-/\s]+")
# What people write around the number (simplified: no accents, lower case): "sđt",
# "SĐT:", "số điện thoại", "ĐT/Zalo", "dđ", and "ạ", "(zalo)" after it.
_LEAD = re.compile(
    r"(?:(?:so|s\.?)?\s*(?:dien thoai|di dong|d\.?\s?t\.?|d\.?\s?d\.?|sdt|s\.d\.t\.?|"
    r"tel|phone|mobile|zalo|hotline|lien he|lh|cua em|cua toi|la)\s*[:.\-/]?\s*)+"
)
_TRAIL = re.compile(
    r"(?:\s*[(\[]?\s*(?:a|nhe|nha|zalo|co zalo|goi|call|ca zalo)\s*[)\]]?\s*[.!]*)+$"
)


def read_phone(text: str) -> Ok[str] | Rejected:
    """Read a Vietnamese phone number and return it in E.164 (``+84912345678``).

    Accepts ``0912 345 678``, ``0912.345.678``, ``+84912345678``, ``84912345678``,
    ``(+84) 912-345-678`` and landlines (``024 3823 4567``), with what people write around
    them (``sđt 0912345678``, ``SĐT/Zalo: …``, ``… ạ``). Otherwise only digits and phone
    punctuation are allowed, because ``phonenumbers`` would read letters as keypad digits.
    Valid numbers of other countries are rejected with their own message.
    """
    shown = {"example": _EXAMPLE_PHONE}
    if len(text) > 4 * _MAX_PHONE_CHARS:
        return Rejected(MSG_PHONE, shown)
    cleaned = simplify(clean(text))  # NFKC: full-width digits and odd spaces are plain
    if len(cleaned) > _MAX_PHONE_CHARS:
        return Rejected(MSG_PHONE, shown)
    if lead := _LEAD.match(cleaned):
        cleaned = cleaned[lead.end() :]
    cleaned = _TRAIL.sub("", cleaned).strip().rstrip(".")
    if not cleaned or len(cleaned) > _MAX_NUMBER_CHARS or not _PHONE_CHARS.fullmatch(cleaned):
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
