"""Answer readers: turn what a Vietnamese user types into typed values for form questions.

Officers and producers answer from phones in the field, with or without diacritics,
sometimes in decomposed Unicode (NFD), writing numbers the Vietnamese way (``1.234,5``,
``2 triệu``, ``1,5 tấn``) or the English way (``1234.5``). Each reader here is a pure,
synchronous function from the typed text to one of a few result types, so that the
conversation code (which owns the messenger, the database and the translations) only has
to decide what to do next:

* :class:`Ok` — the answer was understood; ``value`` is the typed value.
* :class:`Rejected` — the answer cannot be used; ``message`` is an English msgid (marked
  with :func:`~bot.i18n.N_`) that says what is expected and gives an example, with
  ``{name}`` placeholders filled from ``params`` (``Translator.t(message, **params)``).
* :class:`NeedsConfirmation` — the answer has more than one sensible reading (``1.5``
  may be one and a half or a mistyped fifteen); ask before storing anything.
* :class:`Ambiguous` — a choice matched several options; show them as buttons.

Readers never raise on any ``str``: a reader that crashes on an emoji would lose the
user's half-filled form, which is exactly what people on a weak connection cannot afford.
"""

from __future__ import annotations

import re
import string
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal, localcontext
from typing import Generic, TypeVar

import phonenumbers

from bot.i18n import N_
from bot.text import fold

__all__ = [
    "MESSAGES",
    "Ambiguous",
    "Choice",
    "NeedsConfirmation",
    "Ok",
    "Rejected",
    "placeholders",
    "read_choice",
    "read_choices",
    "read_date",
    "read_decimal",
    "read_integer",
    "read_phone",
    "read_text",
    "read_yes_no",
]

T = TypeVar("T")


# --------------------------------------------------------------------------- results


@dataclass(frozen=True, slots=True)
class Ok(Generic[T]):
    """The answer was understood."""

    value: T


@dataclass(frozen=True, slots=True)
class Rejected:
    """The answer cannot be used; tell the user what is expected, with an example.

    ``message`` is an untranslated English msgid; ``params`` fill its ``{name}``
    placeholders after translation, so the translator sees one stable string.
    """

    message: str
    params: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class NeedsConfirmation(Generic[T]):
    """The answer has two sensible readings; confirm before storing.

    ``value`` is the preferred reading. ``alternative`` is the other reading, or None
    when the preferred one is the only valid reading but still a guess (``1,500`` for a
    whole-number question is 1500 only if the user wrote English thousands). The caller
    typically offers ``value`` and ``alternative`` as buttons.
    """

    value: T
    alternative: T | None
    message: str
    params: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Ambiguous:
    """A choice matched several options (keys in option order); let the user pick one."""

    keys: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Choice:
    """One option of a choice question.

    ``labels`` hold the Vietnamese label, the English label and any aliases people use
    (``"HTX"``); matching ignores case, diacritics and Unicode normal form.
    """

    key: str
    labels: tuple[str, ...]


# --------------------------------------------------------------------------- messages
# Module-level msgids so that Babel extracts them and tests can refer to them.

MSG_NUMBER = N_("Please type a number, for example {example}.")
MSG_WHOLE_NUMBER = N_("Please type a whole number, for example {example}.")
MSG_NOT_NEGATIVE = N_("Please type a number that is not negative, for example {example}.")
MSG_NUMBER_TOO_SMALL = N_("Please type a number no smaller than {min}, for example {example}.")
MSG_NUMBER_TOO_LARGE = N_("Please type a number no larger than {max}, for example {example}.")
MSG_WRONG_UNIT = N_("Please give the amount in {unit}, for example {example}.")
MSG_CONFIRM_NUMBER = N_("Did you mean {value}?")
MSG_CONFIRM_NUMBER_OR = N_("Did you mean {value} or {alternative}?")

MSG_DATE = N_("Please type a date as day/month/year, for example {example}.")
MSG_DATE_INVALID = N_(
    "That date does not exist. Please check the day, month and year, for example {example}."
)
MSG_DATE_TOO_EARLY = N_("Please type a date on or after {min}, for example {example}.")
MSG_DATE_TOO_LATE = N_("Please type a date on or before {max}, for example {example}.")

MSG_YES_NO = N_("Please answer yes or no, for example {example}.")

MSG_CHOICE = N_("Please choose one of the options or type its number, for example {example}.")
MSG_CHOICE_NUMBER = N_("Please choose a number from 1 to {count}, for example {example}.")
MSG_CHOICE_UNKNOWN_PART = N_(
    "I could not find “{part}” among the options. "
    "Please type the numbers of your choices, for example {example}."
)
MSG_CHOICES = N_(
    "Please choose one or more of the options or type their numbers, for example {example}."
)
MSG_CHOICES_TOO_FEW = N_("Please choose at least {min} of the options, for example {example}.")
MSG_CHOICES_TOO_MANY = N_("Please choose no more than {max} of the options, for example {example}.")

MSG_TEXT_EMPTY = N_("Please type an answer, for example {example}.")
MSG_TEXT_NO_WORDS = N_(
    "Please answer with words or numbers, not only emoji or symbols, for example {example}."
)
MSG_TEXT_TOO_SHORT = N_("Please type at least {min} characters, for example {example}.")
MSG_TEXT_TOO_LONG = N_(
    "Please keep your answer to {max} characters or fewer (it has {length}), for example {example}."
)
MSG_TEXT_PATTERN = N_("Please type the answer in the expected form, for example {example}.")

MSG_PHONE = N_("Please type a phone number, for example {example}.")
MSG_PHONE_INVALID = N_(
    "That phone number does not look right. Please check it, for example {example}."
)
MSG_PHONE_NOT_VN = N_("Please type a Vietnamese phone number, for example {example}.")

#: Every msgid a reader can return, for catalog checks.
MESSAGES: tuple[str, ...] = (
    MSG_NUMBER,
    MSG_WHOLE_NUMBER,
    MSG_NOT_NEGATIVE,
    MSG_NUMBER_TOO_SMALL,
    MSG_NUMBER_TOO_LARGE,
    MSG_WRONG_UNIT,
    MSG_CONFIRM_NUMBER,
    MSG_CONFIRM_NUMBER_OR,
    MSG_DATE,
    MSG_DATE_INVALID,
    MSG_DATE_TOO_EARLY,
    MSG_DATE_TOO_LATE,
    MSG_YES_NO,
    MSG_CHOICE,
    MSG_CHOICE_NUMBER,
    MSG_CHOICE_UNKNOWN_PART,
    MSG_CHOICES,
    MSG_CHOICES_TOO_FEW,
    MSG_CHOICES_TOO_MANY,
    MSG_TEXT_EMPTY,
    MSG_TEXT_NO_WORDS,
    MSG_TEXT_TOO_SHORT,
    MSG_TEXT_TOO_LONG,
    MSG_TEXT_PATTERN,
    MSG_PHONE,
    MSG_PHONE_INVALID,
    MSG_PHONE_NOT_VN,
)

# Examples are shown inside translated messages but are not translated themselves, so
# they use the Vietnamese input habits the readers accept (comma as the decimal mark).
_EXAMPLE_INTEGER = "12"
_EXAMPLE_DECIMAL = "2,5"
_EXAMPLE_YES = "có"
_EXAMPLE_TEXT = "Mật ong bạc hà"
_EXAMPLE_PHONE = "0912 345 678"

# Longer than any sensible answer of its kind: cut early so that a pasted essay costs
# nothing and Decimal never sees a 10,000-digit literal.
_MAX_NUMBER_CHARS = 64
_MAX_DATE_CHARS = 64
_MAX_PHONE_CHARS = 40


# --------------------------------------------------------------------------- helpers


def _simplify(text: str) -> str:
    """Like :func:`bot.text.fold` but keeping digits' punctuation (``.``, ``,``, ``/``).

    NFKC first turns full-width digits, non-breaking spaces and ``²`` into their plain
    forms; then marks are dropped (``tấn`` → ``tan``, ``đ`` → ``d``) and case folded.
    """
    composed = unicodedata.normalize("NFKC", text)
    decomposed = unicodedata.normalize("NFD", composed)
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    stripped = stripped.replace("đ", "d").replace("Đ", "D").casefold()
    return re.sub(r"\s+", " ", stripped).strip()


def _key(text: str) -> str:
    """The folded form used to compare labels and keywords (NFKC, then fold)."""
    return fold(unicodedata.normalize("NFKC", text))


def _shorten(text: str, limit: int = 40) -> str:
    """User text quoted back in a message: one line, and not too long."""
    one_line = " ".join(text.split())
    return one_line if len(one_line) <= limit else one_line[: limit - 1] + "…"


def _decimal_str(value: Decimal) -> str:
    """Plain digits without exponent or trailing zeros: ``1500``, ``1.5``."""
    with localcontext() as ctx:
        ctx.prec = 200
        if value == value.to_integral_value():
            return str(value.quantize(Decimal(1)))
        text = format(value.normalize(), "f")
    return text


def _tidy(value: Decimal) -> Decimal:
    """Drop exponent noise (``1500000.0`` → ``1500000``, ``1.50`` → ``1.5``)."""
    return Decimal(_decimal_str(value))


# --------------------------------------------------------------------------- numbers

# Multipliers people write after a number; folded forms.
_MULTIPLIERS: dict[str, Decimal] = {
    "tram": Decimal(100),
    "k": Decimal(1000),
    "nghin": Decimal(1000),
    "ngan": Decimal(1000),
    "thousand": Decimal(1000),
    "tr": Decimal(10**6),
    "trieu": Decimal(10**6),
    "million": Decimal(10**6),
    "ty": Decimal(10**9),
    "ti": Decimal(10**9),
    "billion": Decimal(10**9),
}
_HALF = "ruoi"  # "rưỡi": and a half, as in "2 triệu rưỡi", "1 tấn rưỡi"

# Known units by dimension, keyed by their simplified spelling without spaces.
_MASS = "mass"
_MONEY = "money"
_AREA = "area"
_VOLUME = "volume"
_UNITS: dict[str, tuple[str, Decimal]] = {
    **dict.fromkeys(("g", "gr", "gam", "gram", "grams"), (_MASS, Decimal("0.001"))),
    **dict.fromkeys(
        ("kg", "kgs", "kilo", "kilogam", "kilogram", "kilograms", "ky", "kylo", "ki"),
        (_MASS, Decimal(1)),
    ),
    "yen": (_MASS, Decimal(10)),
    "ta": (_MASS, Decimal(100)),
    **dict.fromkeys(("tan", "ton", "tons", "tonne", "tonnes"), (_MASS, Decimal(1000))),
    **dict.fromkeys(("d", "dong", "vnd"), (_MONEY, Decimal(1))),
    **dict.fromkeys(("m2", "metvuong"), (_AREA, Decimal(1))),
    **dict.fromkeys(("ha", "hecta", "hectare", "hectares", "hec"), (_AREA, Decimal(10_000))),
    "km2": (_AREA, Decimal(10**6)),
    "ml": (_VOLUME, Decimal("0.001")),
    **dict.fromkeys(("l", "lit", "liter", "litre", "liters", "litres"), (_VOLUME, Decimal(1))),
    **dict.fromkeys(("m3", "khoi"), (_VOLUME, Decimal(1000))),
}

# Whole answers that mean zero ("không" to "how many fairs did you attend?").
_ZERO_WORDS = frozenset({"khong", "ko", "khong co", "none", "zero"})

_NUMBER_TOKEN = re.compile(
    r"(?P<num>[0-9]{1,3}(?: [0-9]{3})+(?![0-9])(?:[.,][0-9]+)?|[0-9]+(?:[.,][0-9]+)*)"
    r"|(?P<word>[a-z]+|%)"
    r"|(?P<sign>[-+\u2212\u2013])"
    r"|(?P<slash>/)"
    r"|(?P<space>\s+)"
    r"|(?P<other>.)",
    re.DOTALL,
)


def _unit_key(text: str) -> str:
    """How a unit is compared: simplified, letters/digits/``%``/``/`` only, no spaces."""
    return re.sub(r"[^a-z0-9%/]", "", _simplify(text))


def _resolve_unit(key: str) -> tuple[str, Decimal] | None:
    """Dimension and factor of a known unit key; ``tan/nam`` → (``mass/nam``, 1000)."""
    head, slash, rest = key.partition("/")
    found = _UNITS.get(head)
    if found is None:
        return None
    dimension, factor = found
    return (f"{dimension}/{rest}" if slash else dimension), factor


@dataclass(frozen=True, slots=True)
class _QuestionUnit:
    """The unit a question asks in, e.g. ``tấn``, ``VND`` or ``triệu đồng``.

    ``bare_factor`` is the factor without a leading multiplier: for ``triệu đồng`` an
    answer ``500 triệu`` is 500 million đồng, not 500 million "triệu đồng".
    """

    label: str
    key: str
    dimension: str | None
    factor: Decimal
    bare_factor: Decimal
    multiplied: bool

    @classmethod
    def parse(cls, unit: str) -> _QuestionUnit:
        key = _unit_key(unit)
        found = _resolve_unit(key)
        if found is not None:
            return cls(unit, key, found[0], found[1], found[1], False)
        for word in sorted(_MULTIPLIERS, key=len, reverse=True):
            if key.startswith(word) and (rest := _resolve_unit(key[len(word) :])):
                factor = _MULTIPLIERS[word] * rest[1]
                return cls(unit, key, rest[0], factor, rest[1], True)
        return cls(unit, key, None, Decimal(1), Decimal(1), False)

    def numerator(self) -> str | None:
        return None if self.dimension is None else self.dimension.partition("/")[0]


@dataclass(frozen=True, slots=True)
class _Literal:
    """One written number: its preferred reading and, if ambiguous, the other one.

    ``typo`` marks the alternative as "the dot was a slip" (``1.5`` → 15), as opposed to
    "English thousands" (``1,500`` → 1500).
    """

    value: Decimal
    alternative: Decimal | None = None
    typo: bool = False


def _grouped(text: str, separator: str) -> bool:
    """True for proper thousands grouping: ``1.234.567`` with ``.``."""
    head, *rest = text.split(separator)
    return 1 <= len(head) <= 3 and bool(rest) and all(len(group) == 3 for group in rest)


def _parse_literal(raw: str, *, has_multiplier: bool) -> _Literal | None:
    """Read one number literal (ASCII digits with ``.``, ``,`` or spaces), or None.

    Vietnamese groups thousands with ``.`` and marks decimals with ``,``; English does the
    reverse; both are typed. Unambiguous shapes are read directly; the two shapes that
    cannot be told apart get an alternative so the caller can ask:

    * one dot and 1–2 digits (``1.5``): English decimal, or a slip for ``15``;
    * one comma and 3 digits (``1,500``): Vietnamese 1.5, or English 1500.

    After a multiplier (``1,5 triệu``, ``1.5tr``) the mark can only be decimal.
    """
    if " " in raw:
        match = re.fullmatch(r"([0-9]{1,3}(?: [0-9]{3})+)(?:[.,]([0-9]+))?", raw)
        if match is None:
            return None
        whole = match[1].replace(" ", "")
        return _Literal(Decimal(f"{whole}.{match[2]}" if match[2] else whole))
    dots, commas = raw.count("."), raw.count(",")
    if not dots and not commas:
        return _Literal(Decimal(raw))
    if dots and commas:
        mark = "." if raw.rfind(".") > raw.rfind(",") else ","
        thousands = "," if mark == "." else "."
        if raw.count(mark) != 1:
            return None
        whole, fraction = raw.split(mark)
        if not _grouped(whole, thousands) and thousands in whole:
            return None
        return _Literal(Decimal(f"{whole.replace(thousands, '')}.{fraction}"))
    mark = "." if dots else ","
    if dots + commas > 1:
        return _Literal(Decimal(raw.replace(mark, ""))) if _grouped(raw, mark) else None
    whole, fraction = raw.split(mark)
    as_decimal = Decimal(f"{whole}.{fraction}")
    joined = Decimal(whole + fraction)
    # "0.5" and "1234.5" cannot be thousands groups, so their mark is a decimal mark.
    could_group = len(whole) <= 3 and not whole.startswith("0")
    if mark == ".":
        if len(fraction) == 3 and could_group:
            return _Literal(joined)
        if len(fraction) <= 2 and could_group and not has_multiplier:
            return _Literal(as_decimal, joined, typo=True)
        return _Literal(as_decimal)
    if len(fraction) == 3 and could_group and not has_multiplier:
        return _Literal(as_decimal, joined)
    return _Literal(as_decimal)


@dataclass(frozen=True, slots=True)
class _Amount:
    """A parsed answer before unit conversion and bounds."""

    value: Decimal
    alternative: Decimal | None
    typo: bool
    unit_key: str
    multiplied: bool


def _parse_amount(text: str) -> _Amount | None:
    """Parse ``[sign] number [multiplier [number [multiplier]...]] [unit]``, or None.

    Multipliers must decrease (``1 tỷ 200 triệu``). A bare number right after a
    multiplier follows spoken Vietnamese: ``2tr5`` and ``2 triệu 500`` are 2,500,000 and
    ``1 tỷ 2`` is 1,200,000,000 (the digits continue below the multiplier), while a full
    number (``2 triệu 500.000``) is simply added.
    """
    tokens = [
        (match.lastgroup or "other", match.group())
        for match in _NUMBER_TOKEN.finditer(text)
        if match.lastgroup != "space"
    ]
    count, i = len(tokens), 0
    negative = False
    if i < count and tokens[i][0] == "sign":
        negative = tokens[i][1] != "+"
        i += 1
    elif i + 1 < count and tokens[i] == ("word", "am") and tokens[i + 1][0] == "num":
        negative = True  # "âm 5"
        i += 1
    total = Decimal(0)
    alternative: Decimal | None = None
    typo = False
    last_multiplier: Decimal | None = None
    groups = 0
    while i < count and tokens[i][0] == "num":
        raw = tokens[i][1]
        i += 1
        groups += 1
        multiplier = None
        if i < count and tokens[i][0] == "word":
            multiplier = _MULTIPLIERS.get(tokens[i][1])
        if multiplier is None:
            if last_multiplier is not None:
                if raw.isdigit() and len(raw) <= 3:
                    total += int(raw) * last_multiplier / Decimal(10) ** len(raw)
                else:
                    literal = _parse_literal(raw, has_multiplier=True)
                    if literal is None or literal.value >= last_multiplier:
                        return None
                    total += literal.value
            else:
                literal = _parse_literal(raw, has_multiplier=False)
                if literal is None:
                    return None
                total, alternative, typo = literal.value, literal.alternative, literal.typo
            break
        i += 1
        if last_multiplier is not None and multiplier >= last_multiplier:
            return None
        literal = _parse_literal(raw, has_multiplier=True)
        if literal is None:
            return None
        total += literal.value * multiplier
        last_multiplier = multiplier
        if i < count and tokens[i] == ("word", _HALF):
            total += multiplier / 2
            i += 1
            break
    if groups == 0:
        return None
    rest = tokens[i:]
    if any(kind in ("num", "sign", "other") for kind, _ in rest[:1]) or any(
        kind in ("sign", "other") for kind, _ in rest
    ):
        return None
    if rest and rest[-1] == ("word", _HALF):
        if last_multiplier is not None or alternative is not None:
            return None  # "1.5 tấn rưỡi" makes no sense
        total += Decimal("0.5")
        rest = rest[:-1]
    unit_key = "".join(text for _, text in rest)
    if negative:
        total = -total
        alternative = None if alternative is None else -alternative
    return _Amount(total, alternative, typo, unit_key, last_multiplier is not None)


def _unit_factor(amount: _Amount, unit: _QuestionUnit | None) -> Decimal | None:
    """Factor that converts the answer into the question's unit; None when it does not fit."""
    if not amount.unit_key:
        if unit is not None and unit.multiplied and amount.multiplied:
            # "500 triệu" for a question in "triệu đồng": the multiplier is about đồng.
            return unit.bare_factor / unit.factor
        return Decimal(1)
    if unit is None:
        return None
    if amount.unit_key == unit.key:
        return Decimal(1)
    found = _resolve_unit(amount.unit_key)
    if found is None or unit.dimension is None:
        return None
    dimension, factor = found
    if dimension == unit.dimension or ("/" not in dimension and dimension == unit.numerator()):
        return factor / unit.factor
    return None


def _number_example(
    integer: bool, min_value: Decimal | int | None, max_value: Decimal | int | None
) -> str:
    """A value within the bounds, to show in messages."""
    base = Decimal(12) if integer else Decimal("2.5")
    if min_value is not None and base < min_value:
        return str(min_value)
    if max_value is not None and base > max_value:
        return str(max_value)
    return _EXAMPLE_INTEGER if integer else _EXAMPLE_DECIMAL


def _read_number(
    text: str,
    *,
    integer: bool,
    min_value: Decimal | int | None,
    max_value: Decimal | int | None,
    unit: str | None,
) -> Ok[Decimal] | NeedsConfirmation[Decimal] | Rejected:
    """Shared body of :func:`read_integer` and :func:`read_decimal` (values as Decimal)."""
    suffix = f" {unit}" if unit else ""
    example = _number_example(integer, min_value, max_value) + suffix
    general = Rejected(MSG_WHOLE_NUMBER if integer else MSG_NUMBER, {"example": example})
    question_unit = _QuestionUnit.parse(unit) if unit else None

    simplified = _simplify(text).rstrip(" .!?")
    if not simplified or len(simplified) > _MAX_NUMBER_CHARS:
        return general
    if fold(simplified) in _ZERO_WORDS:
        amount: _Amount | None = _Amount(Decimal(0), None, False, "", False)
    else:
        with localcontext() as ctx:
            ctx.prec = 120
            amount = _parse_amount(simplified)
    if amount is None:
        return general
    if amount.unit_key and question_unit is None:
        return general
    factor = _unit_factor(amount, question_unit)
    if factor is None:
        return Rejected(MSG_WRONG_UNIT, {"unit": unit or "", "example": example})

    def check(value: Decimal) -> Ok[Decimal] | Rejected:
        if integer and value != value.to_integral_value():
            return general
        if value < 0 and min_value is None:
            return Rejected(MSG_NOT_NEGATIVE, {"example": example})
        if min_value is not None and value < min_value:
            return Rejected(
                MSG_NUMBER_TOO_SMALL, {"min": str(min_value), "example": f"{min_value}{suffix}"}
            )
        if max_value is not None and value > max_value:
            return Rejected(
                MSG_NUMBER_TOO_LARGE, {"max": str(max_value), "example": f"{max_value}{suffix}"}
            )
        return Ok(_tidy(value))

    with localcontext() as ctx:
        ctx.prec = 120
        primary = check(amount.value * factor)
        other: Ok[Decimal] | Rejected | None = None
        if amount.alternative is not None and not (integer and amount.typo):
            other = check(amount.alternative * factor)
    if not isinstance(other, Ok):
        return primary
    shown = _decimal_str(other.value) + suffix
    if isinstance(primary, Rejected):
        # Only the other reading is valid: still a guess, so ask rather than store it.
        return NeedsConfirmation(other.value, None, MSG_CONFIRM_NUMBER, {"value": shown})
    return NeedsConfirmation(
        primary.value,
        other.value,
        MSG_CONFIRM_NUMBER_OR,
        {"value": _decimal_str(primary.value) + suffix, "alternative": shown},
    )


def read_integer(
    text: str,
    *,
    min_value: int | None = None,
    max_value: int | None = None,
    unit: str | None = None,
) -> Ok[int] | NeedsConfirmation[int] | Rejected:
    """Read a whole number: ``12``, ``1.500``, ``12.000.000``, ``2 triệu``, ``500k``.

    ``1.5`` and ``1,5`` are rejected (not whole) unless a multiplier makes them whole
    (``1,5 triệu`` = 1,500,000). ``1,500`` is confirmed as 1500, since in Vietnamese it
    would be one and a half. ``không`` counts as 0. Negative numbers are accepted only
    when ``min_value`` is given and below zero. With ``unit`` (``"kg"``, ``"đồng"``,
    ``"triệu đồng"``, ``"người"``) the answer may carry that unit or, for known units,
    another one of the same dimension, which is converted (``1,5 tấn`` → 1500 for kg).
    """
    result = _read_number(text, integer=True, min_value=min_value, max_value=max_value, unit=unit)
    if isinstance(result, Ok):
        return Ok(int(result.value))
    if isinstance(result, NeedsConfirmation):
        alternative = None if result.alternative is None else int(result.alternative)
        return NeedsConfirmation(int(result.value), alternative, result.message, result.params)
    return result


def read_decimal(
    text: str,
    *,
    min_value: Decimal | int | None = None,
    max_value: Decimal | int | None = None,
    unit: str | None = None,
) -> Ok[Decimal] | NeedsConfirmation[Decimal] | Rejected:
    """Read a number that may have a fractional part: ``1.234,5``, ``1,5 tấn``, ``0.5``.

    Ambiguous shapes are never guessed silently: ``1.5`` gives
    ``NeedsConfirmation(Decimal("1.5"), alternative=Decimal("15"))`` and ``1,500`` gives
    ``NeedsConfirmation(Decimal("1.5"), alternative=Decimal("1500"))``. When the bounds
    rule out one reading the other is used (asking first if it is the less likely one).
    Units, multipliers and negatives work as in :func:`read_integer`.
    """
    return _read_number(text, integer=False, min_value=min_value, max_value=max_value, unit=unit)


# --------------------------------------------------------------------------- dates

_RELATIVE_DAYS: dict[str, int] = {
    "hom nay": 0,
    "bua nay": 0,
    "nay": 0,
    "today": 0,
    "hom qua": -1,
    "bua qua": -1,
    "yesterday": -1,
    "hom kia": -2,
    "bua kia": -2,
    "ngay mai": 1,
    "mai": 1,
    "tomorrow": 1,
}
_ISO_DATE = re.compile(r"([0-9]{4})\s*[-/.]\s*([0-9]{1,2})\s*[-/.]\s*([0-9]{1,2})")
_DMY_DATE = re.compile(
    r"(?:ngay\s*)?([0-9]{1,2})\s*[-/.]\s*([0-9]{1,2})(?:\s*[-/.]\s*([0-9]{4}|[0-9]{2}))?"
)
_WORDED_DATE = re.compile(
    r"(?:ngay )?([0-9]{1,2}) (?:thang|thg|th) ([0-9]{1,2})(?: (?:nam )?([0-9]{4}|[0-9]{2}))?"
)
_MIN_YEAR, _MAX_YEAR = 1900, 2199


def _date_str(value: date) -> str:
    """Dates in messages are shown the way the reader asks people to type them."""
    return f"{value.day:02d}/{value.month:02d}/{value.year:04d}"


def _date_parts(simplified: str, today: date) -> tuple[int, int, int] | None:
    """(year, month, day) from a written date, or None when it is not date-shaped."""
    if match := _ISO_DATE.fullmatch(simplified):
        return int(match[1]), int(match[2]), int(match[3])
    match = _DMY_DATE.fullmatch(simplified) or _WORDED_DATE.fullmatch(fold(simplified))
    if match is None:
        return None
    year_text = match[3]
    if year_text is None:
        year = today.year
    elif len(year_text) == 2:
        year = 2000 + int(year_text)
    else:
        year = int(year_text)
    return year, int(match[2]), int(match[1])


def read_date(
    text: str,
    *,
    today: date,
    min_date: date | None = None,
    max_date: date | None = None,
) -> Ok[date] | Rejected:
    """Read a day-first date: ``15/3/2024``, ``15-03-2024``, ``15.03.2024``, ``15/3/24``.

    Also ``15/3`` (in ``today``'s year), ``hôm nay``/``hôm qua``/``hôm kia``/``ngày mai``
    (and English today/yesterday/tomorrow), ``ngày 15 tháng 3 năm 2024`` and ISO
    ``2024-03-15``. ``today`` is passed in, not read from the clock, so that the reader
    stays pure and the caller decides the user's time zone. Two-digit years are 20yy.
    """
    example_day = today
    if min_date is not None and example_day < min_date:
        example_day = min_date
    if max_date is not None and example_day > max_date:
        example_day = max_date
    example = {"example": _date_str(example_day)}

    simplified = _simplify(text).rstrip(" .!?")
    if not simplified or len(simplified) > _MAX_DATE_CHARS:
        return Rejected(MSG_DATE, example)
    offset = _RELATIVE_DAYS.get(fold(simplified))
    if offset is not None:
        try:
            value = today + timedelta(days=offset)
        except OverflowError:
            return Rejected(MSG_DATE_INVALID, example)
    else:
        parts = _date_parts(simplified, today)
        if parts is None:
            return Rejected(MSG_DATE, example)
        year, month, day = parts
        if not _MIN_YEAR <= year <= _MAX_YEAR:
            return Rejected(MSG_DATE_INVALID, example)
        try:
            value = date(year, month, day)
        except ValueError:
            return Rejected(MSG_DATE_INVALID, example)
    if min_date is not None and value < min_date:
        return Rejected(
            MSG_DATE_TOO_EARLY, {"min": _date_str(min_date), "example": _date_str(min_date)}
        )
    if max_date is not None and value > max_date:
        return Rejected(
            MSG_DATE_TOO_LATE, {"max": _date_str(max_date), "example": _date_str(max_date)}
        )
    return Ok(value)


# --------------------------------------------------------------------------- yes / no

_YES = frozenset(
    {
        "co",
        "yes",
        "y",
        "ok",
        "okay",
        "oke",
        "oki",
        "okie",
        "dong y",
        "1",
        "vang",
        "da",
        "dung",
        "u",
        "uh",
        "uhm",
        "um",
        "yep",
        "yeah",
        "sure",
        "true",
        "chac chan",
        "co chu",
        "duoc",
        "dc",
        "co a",
    }
)
_NO = frozenset(
    {
        "khong",
        "ko",
        "k",
        "kg",
        "kh",
        "khg",
        "hong",
        "hok",
        "no",
        "n",
        "0",
        "khong co",
        "chua",
        "chua co",
        "nope",
        "false",
        "sai",
        "khong dong y",
        "khong phai",
        "khong duoc",
    }
)
_EMOJI_YES = frozenset({"👍", "👌", "✅", "✔", "🆗"})
_EMOJI_NO = frozenset({"👎", "❌", "✖", "🚫"})
_POLITE_LEADING = frozenset({"da"})  # "dạ có", "dạ không"
_POLITE_TRAILING = frozenset({"a", "nha", "nhe", "roi", "ban", "anh", "chi", "em", "please"})


def read_yes_no(text: str) -> Ok[bool] | Rejected:
    """Read yes/no: ``có``/``co``/``yes``/``y``/``ok``/``đồng ý``/``1`` or
    ``không``/``khong``/``ko``/``k``/``no``/``n``/``0``.

    Polite particles are ignored (``dạ có``, ``không ạ``, ``có rồi``) and a thumbs-up or
    thumbs-down emoji counts, because that is how people answer from a phone.
    """
    bare = unicodedata.normalize("NFKC", text).strip()
    bare = re.sub("[\ufe0f\U0001f3fb-\U0001f3ff]", "", bare)
    if bare in _EMOJI_YES:
        return Ok(True)
    if bare in _EMOJI_NO:
        return Ok(False)
    words = _key(text).split()
    while len(words) > 1 and words[0] in _POLITE_LEADING:
        words.pop(0)
    while len(words) > 1 and words[-1] in _POLITE_TRAILING:
        words.pop()
    answer = " ".join(words)
    if answer in _YES:
        return Ok(True)
    if answer in _NO:
        return Ok(False)
    return Rejected(MSG_YES_NO, {"example": _EXAMPLE_YES})


# --------------------------------------------------------------------------- choices

_CHOICE_NUMBER = re.compile(r"(?:so |option |lua chon )?([0-9]+)")
_NONE_WORDS = frozenset({"khong", "ko", "khong co", "none", "0", "khong chon"})
_CHOICE_SEPARATORS = re.compile(r"\s*(?:[,;\n+&]|\b(?:va|and|voi)\b)\s*")


@dataclass(frozen=True, slots=True)
class _Label:
    """A label in the forms it is compared in."""

    folded: str
    compact: str
    initials: str
    words: tuple[str, ...]

    @classmethod
    def of(cls, label: str) -> _Label:
        folded = _key(label)
        words = tuple(folded.split())
        return cls(folded, folded.replace(" ", ""), "".join(w[0] for w in words), words)


def _prepared(options: Sequence[Choice]) -> list[list[_Label]]:
    return [[_Label.of(label) for label in option.labels] for option in options]


def _word_prefixes(query_words: Sequence[str], label_words: Sequence[str]) -> bool:
    """Every typed word starts a different word of the label (``thu cong`` → thủ công)."""
    remaining = list(label_words)
    for word in query_words:
        for index, candidate in enumerate(remaining):
            if candidate.startswith(word):
                del remaining[index]
                break
        else:
            return False
    return True


def _match_labels(query: str, labels: list[list[_Label]]) -> list[int]:
    """Indexes of the options matching a folded query, from the most exact tier that hits.

    Tiers: the whole label (spaces ignored); then initials (``htx`` → Hợp tác xã) or a
    label prefix, together, so ``du`` is ambiguous between Đồ uống and Du lịch rather than
    silently one of them; then typed words starting label words; then, for three letters
    or more, a substring.
    """
    compact = query.replace(" ", "")
    words = query.split()
    tiers = (
        lambda lab: lab.folded == query or lab.compact == compact,
        lambda lab: (
            (" " not in query and len(query) >= 2 and lab.initials == query)
            or lab.folded.startswith(query)
        ),
        lambda lab: _word_prefixes(words, lab.words),
        lambda lab: len(compact) >= 3 and compact in lab.compact,
    )
    for matches in tiers:
        found = [i for i, option in enumerate(labels) if any(matches(lab) for lab in option)]
        if found:
            return found
    return []


def _choice_example(options: Sequence[Choice]) -> dict[str, str]:
    """Typing the number always works, whatever the labels are."""
    return {"example": "1"}


def _choose(
    query: str, options: Sequence[Choice], labels: list[list[_Label]]
) -> Ok[str] | Ambiguous | Rejected:
    """Match one folded query against the options."""
    if not query or not options:
        return Rejected(MSG_CHOICE, _choice_example(options))
    if number := _CHOICE_NUMBER.fullmatch(query):
        digits = number[1]
        position = int(digits) if len(digits) <= 6 else 0  # int() refuses huge literals
        found = {position - 1} if 1 <= position <= len(options) else set()
        # Labels that are numbers themselves ("3 sao") compete with positions.
        found |= {
            i
            for i, option in enumerate(labels)
            if any(lab.words and lab.words[0] == digits for lab in option)
        }
        if not found:
            return Rejected(
                MSG_CHOICE_NUMBER, {"count": str(len(options)), **_choice_example(options)}
            )
        return _settle(sorted(found), options)
    return _settle(_match_labels(query, labels), options)


def _settle(indexes: list[int], options: Sequence[Choice]) -> Ok[str] | Ambiguous | Rejected:
    keys = tuple(dict.fromkeys(options[i].key for i in indexes))
    if not keys:
        return Rejected(MSG_CHOICE, _choice_example(options))
    if len(keys) == 1:
        return Ok(keys[0])
    return Ambiguous(keys)


def read_choice(text: str, options: Sequence[Choice]) -> Ok[str] | Ambiguous | Rejected:
    """Read one choice: by 1-based number (``2``), whole label, initials (``htx``), prefix
    or words of a label — case-, diacritic- and NFD-insensitive.

    Several equally good matches give :class:`Ambiguous` so the caller can show just
    those options as buttons instead of guessing.
    """
    return _choose(_key(text), options, _prepared(options))


def _choices_example(options: Sequence[Choice], min_count: int, max_count: int | None) -> str:
    wanted = max(min_count, 2)
    if max_count is not None:
        wanted = min(wanted, max_count)
    wanted = max(1, min(wanted, len(options)))
    return ", ".join(str(n) for n in range(1, wanted + 1))


def read_choices(
    text: str,
    options: Sequence[Choice],
    *,
    min_count: int = 0,
    max_count: int | None = None,
) -> Ok[tuple[str, ...]] | Ambiguous | Rejected:
    """Read several choices: ``1, 3``, ``1 3``, ``1;3``, ``htx và doanh nghiệp``.

    Parts are separated by commas, semicolons, ``và``/``and``/``với``, ``+`` or ``&``;
    a part of space-separated numbers gives several numbers. Keys come back once each, in
    option order. When ``min_count`` is 0, ``không``/``none``/``0`` mean "none of these".
    A part matching several options gives :class:`Ambiguous` with those options' keys.
    """
    example = {"example": _choices_example(options, min_count, max_count)}
    labels = _prepared(options)
    whole = _key(text)
    if not whole or not options:
        return Rejected(MSG_CHOICES, example)
    chosen: set[int] = set()
    key_index = {option.key: i for i, option in reversed(list(enumerate(options)))}
    if whole in _NONE_WORDS:
        pass
    elif len(exact := _match_labels(whole, labels)) == 1 and any(
        lab.folded == whole or lab.compact == whole.replace(" ", "") for lab in labels[exact[0]]
    ):
        # A label that itself contains "và" or a comma ("Dược liệu và sản phẩm từ dược liệu").
        chosen.add(exact[0])
    else:
        simplified = unicodedata.normalize("NFKC", text)
        simplified = (
            "".join(
                ch
                for ch in unicodedata.normalize("NFD", simplified)
                if not unicodedata.combining(ch)
            )
            .replace("đ", "d")
            .replace("Đ", "D")
            .casefold()
        )
        for part in _CHOICE_SEPARATORS.split(simplified):
            query = _key(part)
            if not query:
                continue
            if re.fullmatch(r"[0-9]+(?: [0-9]+)*", query):
                queries = query.split()
            else:
                queries = [query]
            for single in queries:
                result = _choose(single, options, labels)
                if isinstance(result, Rejected) and " " in single:
                    per_word = [_choose(word, options, labels) for word in single.split()]
                    if all(isinstance(r, Ok) for r in per_word):
                        chosen.update(key_index[r.value] for r in per_word if isinstance(r, Ok))
                        continue
                if isinstance(result, Ok):
                    chosen.add(key_index[result.value])
                elif isinstance(result, Ambiguous):
                    return result
                elif result.message == MSG_CHOICE_NUMBER:
                    return Rejected(MSG_CHOICE_NUMBER, {"count": str(len(options)), **example})
                else:
                    return Rejected(
                        MSG_CHOICE_UNKNOWN_PART, {"part": _shorten(part.strip()), **example}
                    )
    if len(chosen) < min_count:
        return Rejected(MSG_CHOICES_TOO_FEW, {"min": str(min_count), **example})
    if max_count is not None and len(chosen) > max_count:
        return Rejected(MSG_CHOICES_TOO_MANY, {"max": str(max_count), **example})
    return Ok(tuple(dict.fromkeys(options[i].key for i in sorted(chosen))))


# --------------------------------------------------------------------------- free text


def _clean_text(text: str) -> str:
    """NFC, one kind of line break, no control characters, no surrounding space.

    Control characters (a NUL in particular) and lone surrogates cannot be stored in
    PostgreSQL text or encoded as UTF-8, so they are dropped here rather than failing later.
    """
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    kept = "".join(
        ch for ch in text if ch in "\n\t" or unicodedata.category(ch) not in ("Cc", "Cs")
    )
    return unicodedata.normalize("NFC", kept).strip()


def read_text(
    text: str,
    *,
    min_length: int = 1,
    max_length: int = 1000,
    pattern: str | re.Pattern[str] | None = None,
    pattern_example: str | None = None,
    example: str | None = None,
) -> Ok[str] | Rejected:
    """Read free text (product names, difficulties, proposals), stored in NFC.

    Text without a single letter or digit (only emoji or punctuation) is rejected: it
    is almost always a reaction, not an answer. ``pattern`` must match the whole text;
    ``pattern_example`` shows a matching answer. ``example`` is shown in the other
    rejections (defaults to ``pattern_example`` or a product name). Lengths count
    characters after NFC, so a decomposed ``ầ`` counts once.
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
        return Rejected(MSG_TEXT_TOO_SHORT, {"min": str(min_length), **shown})
    if len(cleaned) > max_length:
        return Rejected(
            MSG_TEXT_TOO_LONG, {"max": str(max_length), "length": str(len(cleaned)), **shown}
        )
    if pattern is not None and re.fullmatch(pattern, cleaned) is None:
        return Rejected(MSG_TEXT_PATTERN, {"example": pattern_example or shown["example"]})
    return Ok(cleaned)


# --------------------------------------------------------------------------- phone

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


def placeholders(message: str) -> set[str]:
    """The ``{name}`` placeholders of a msgid (for checks that params fill them all)."""
    return {name for _, name, _, _ in string.Formatter().parse(message) if name}
