"""Whole numbers and decimals, with money multipliers and units: ``12``, ``1.500``,
``2 triệu``, ``500k``, ``1,5 tấn``.

Vietnamese and English write the thousands and decimal marks the other way round, and both
are typed, so an answer whose shape fits both (``1.5``, ``1,500``) is never guessed
silently: the reader asks (:class:`~forms.readers.results.NeedsConfirmation`).
"""

from __future__ import annotations

from decimal import Decimal, localcontext

from bot.text import fold
from forms.readers.amounts import Amount, parse_amount
from forms.readers.results import (
    MSG_CONFIRM_NUMBER,
    MSG_CONFIRM_NUMBER_OR,
    MSG_NOT_NEGATIVE,
    MSG_NUMBER,
    MSG_NUMBER_TOO_LARGE,
    MSG_NUMBER_TOO_SMALL,
    MSG_WHOLE_NUMBER,
    MSG_WRONG_UNIT,
    NeedsConfirmation,
    Ok,
    Rejected,
    simplify,
)
from forms.readers.units import QuestionUnit, unit_factor

# Examples are shown inside translated messages but are not translated themselves, so
# they use the Vietnamese input habits the readers accept (comma as the decimal mark).
_EXAMPLE_INTEGER = "12"
_EXAMPLE_DECIMAL = "2,5"

# Longer than any sensible answer of its kind: cut early so that a pasted essay costs
# nothing and Decimal never sees a 10,000-digit literal.
_MAX_NUMBER_CHARS = 64

# Whole answers that mean zero ("không" to "how many fairs did you attend?").
_ZERO_WORDS = frozenset({"khong", "ko", "khong co", "none", "zero"})


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
    question_unit = QuestionUnit.parse(unit) if unit else None

    simplified = simplify(text).rstrip(" .!?")
    if not simplified or len(simplified) > _MAX_NUMBER_CHARS:
        return general
    if fold(simplified) in _ZERO_WORDS:
        amount: Amount | None = Amount(Decimal(0), None, False, "", False)
    else:
        with localcontext() as ctx:
            ctx.prec = 120
            amount = parse_amount(simplified)
    if amount is None:
        return general
    if amount.unit_key and question_unit is None:
        return general
    factor = unit_factor(amount.unit_key, amount.multiplied, question_unit)
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
