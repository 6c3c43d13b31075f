"""Parsing the shape of a written amount: ``1.234,5``, ``1,500``, ``2tr5``, ``1 tỷ 200
triệu``, ``1 tấn rưỡi``, ``-5``, into a value (and, when the shape is ambiguous, the other
reading) plus whatever unit words follow; bounds and unit conversion are in numbers.py.

Input here is already simplified and short (the readers cut it at a few dozen characters),
so the token regex never sees a long line.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal

from forms.readers.units import HALF, MULTIPLIERS

_NUMBER_TOKEN = re.compile(
    r"(?P<num>[0-9]{1,3}(?: [0-9]{3})+(?![0-9])(?:[.,][0-9]+)?|[0-9]+(?:[.,][0-9]+)*)"
    r"|(?P<word>[a-z]+|%)"
    r"|(?P<sign>[-+\u2212\u2013])"
    r"|(?P<slash>/)"
    r"|(?P<space>\s+)"
    r"|(?P<other>.)",
    re.DOTALL,
)


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
class Amount:
    """A parsed answer before unit conversion and bounds.

    ``rest`` holds the words after the number (a unit, a noun, the question restated);
    ``unit_key`` is them joined without spaces. ``continued`` marks digits read as the
    continuation of a multiplier (``2tr5``), which only holds when nothing but a unit
    follows them (``15tr 1 tháng`` is not 15,100,000 a month).
    """

    value: Decimal
    alternative: Decimal | None
    typo: bool
    unit_key: str
    multiplied: bool
    rest: tuple[str, ...] = ()
    continued: bool = False
    scale: Decimal = Decimal(1)  # the largest multiplier written (1 without one)


def _tokens(text: str) -> list[tuple[str, str]]:
    return [
        (match.lastgroup or "other", match.group())
        for match in _NUMBER_TOKEN.finditer(text)
        if match.lastgroup != "space"
    ]


def _continuation(
    raw: str, multiplier: Decimal, *, hundreds: bool
) -> tuple[Decimal, Decimal | None]:
    """What bare digits after a multiplier add, and the other reading if there is one.

    Spoken Vietnamese names the next unit down without saying it: ``2 triệu 5`` (and
    ``2tr5``) is 2,500,000, ``2 triệu 500`` is 2,500,000 (năm trăm nghìn), ``1 triệu 2 trăm``
    is 1,200,000. Two digits are the one shape that reads both ways: ``2 triệu 50`` is
    2,050,000 spoken (năm mươi nghìn) but 2,500,000 to someone who writes ``2tr50`` as a
    decimal, so both readings are returned and the reader asks. After hundreds (``2 trăm
    50``, ``1 triệu 2 trăm 50``) two digits are tens and units: both readings agree.
    """
    digits = len(raw)
    as_decimal = int(raw) * multiplier / Decimal(10) ** digits
    if hundreds:
        lower = multiplier / 100
    else:
        lower = multiplier / 1000 if multiplier >= 1000 else Decimal(1)
    as_spoken = int(raw) * lower
    if digits == 2 and not raw.startswith("0") and as_spoken != as_decimal:
        return as_decimal, as_spoken
    return as_decimal, None


def _multiplier_at(tokens: list[tuple[str, str]], i: int) -> tuple[Decimal, int] | None:
    """The multiplier written at ``tokens[i]`` and how many tokens it takes: ``triệu``, or
    ``trăm nghìn`` (100 × 1,000) as one."""
    if i >= len(tokens) or tokens[i][0] != "word" or tokens[i][1] not in MULTIPLIERS:
        return None
    multiplier = MULTIPLIERS[tokens[i][1]]
    if multiplier == 100 and i + 1 < len(tokens) and tokens[i + 1][0] == "word":
        larger = MULTIPLIERS.get(tokens[i + 1][1])
        if larger is not None and larger >= 1000:
            return multiplier * larger, 2
    return multiplier, 1


def parse_amount(text: str) -> Amount | None:
    """Parse ``[sign] number [multiplier [number [multiplier]...]] [unit]``, or None.

    Multipliers must decrease (``1 tỷ 200 triệu``). A bare number right after a
    multiplier follows spoken Vietnamese (see :func:`_continuation`): ``2tr5`` and
    ``2 triệu 500`` are 2,500,000 and ``1 tỷ 2`` is 1,200,000,000, while a full number
    (``2 triệu 500.000``) is simply added. "Trăm" after a larger multiplier counts
    hundreds of the unit below it: ``1 triệu 2 trăm`` is 1,200,000, as it is said.
    """
    tokens = _tokens(text)
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
    continued = False
    last_multiplier: Decimal | None = None
    hundreds = False
    scale = Decimal(1)
    groups = 0
    while i < count and tokens[i][0] == "num":
        raw = tokens[i][1]
        i += 1
        groups += 1
        found = _multiplier_at(tokens, i)
        if found is None:
            if last_multiplier is not None:
                if raw.isdigit() and len(raw) <= 3:
                    added, other = _continuation(raw, last_multiplier, hundreds=hundreds)
                    if other is not None:
                        alternative = total + other
                    total += added
                    continued = True
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
        multiplier, size = found
        hundreds = multiplier == 100 and size == 1
        i += size
        if hundreds and last_multiplier is not None and last_multiplier > 1000:
            multiplier = last_multiplier / 10  # "1 triệu 2 trăm": 2 trăm nghìn
        if last_multiplier is not None and multiplier >= last_multiplier:
            return None
        literal = _parse_literal(raw, has_multiplier=True)
        if literal is None:
            return None
        total += literal.value * multiplier
        scale = max(scale, multiplier)
        last_multiplier = multiplier
        if i < count and tokens[i] == ("word", HALF):
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
    if rest and rest[-1] == ("word", HALF):
        if last_multiplier is not None or alternative is not None:
            return None  # "1.5 tấn rưỡi" makes no sense
        total += Decimal("0.5")
        rest = rest[:-1]
    words = tuple(text for _, text in rest)
    if negative:
        total = -total
        alternative = None if alternative is None else -alternative
    return Amount(
        total,
        alternative,
        typo,
        "".join(words),
        last_multiplier is not None,
        words,
        continued,
        scale,
    )
