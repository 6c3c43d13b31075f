"""Units and multipliers people write after a number (``2 triệu``, ``1,5 tấn``, ``500k``),
and the unit a question asks in, so that an answer in another unit of the same kind is
converted (``500 kg`` for a question in tấn) and one of another kind is refused.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal

from forms.readers.results import simplify

# Multipliers people write after a number; folded forms.
MULTIPLIERS: dict[str, Decimal] = {
    "chuc": Decimal(10),  # "2 chục": twenty
    "tram": Decimal(100),
    "k": Decimal(1000),
    "nghin": Decimal(1000),
    "ngan": Decimal(1000),
    "thousand": Decimal(1000),
    "tr": Decimal(10**6),
    "trieu": Decimal(10**6),
    "million": Decimal(10**6),
    "cu": Decimal(10**6),  # "15 củ": 15 triệu, as people say it
    "ty": Decimal(10**9),
    "ti": Decimal(10**9),
    "billion": Decimal(10**9),
}
HALF = "ruoi"  # "rưỡi": and a half, as in "2 triệu rưỡi", "1 tấn rưỡi"

# Known units by dimension, keyed by their simplified spelling without spaces.
_MASS = "mass"
_MONEY = "money"
_AREA = "area"
_VOLUME = "volume"
_UNITS: dict[str, tuple[str, Decimal]] = {
    **dict.fromkeys(("g", "gr", "gam", "gram", "grams"), (_MASS, Decimal("0.001"))),
    "lang": (_MASS, Decimal("0.1")),  # "lạng": 100 g
    **dict.fromkeys(
        ("kg", "kgs", "kilo", "kilogam", "kilogram", "kilograms", "ky", "kylo", "ki", "can"),
        (_MASS, Decimal(1)),
    ),
    "yen": (_MASS, Decimal(10)),
    "ta": (_MASS, Decimal(100)),
    **dict.fromkeys(("t", "tan", "ton", "tons", "tonne", "tonnes"), (_MASS, Decimal(1000))),
    **dict.fromkeys(("d", "dong", "vnd"), (_MONEY, Decimal(1))),
    **dict.fromkeys(("trd", "trdong"), (_MONEY, Decimal(10**6))),  # "15trđ"
    **dict.fromkeys(("m2", "metvuong"), (_AREA, Decimal(1))),
    **dict.fromkeys(("ha", "hecta", "hectare", "hectares", "hec"), (_AREA, Decimal(10_000))),
    "km2": (_AREA, Decimal(10**6)),
    "ml": (_VOLUME, Decimal("0.001")),
    **dict.fromkeys(("l", "lit", "liter", "litre", "liters", "litres"), (_VOLUME, Decimal(1))),
    **dict.fromkeys(("m3", "khoi"), (_VOLUME, Decimal(1000))),
}


def unit_key(text: str) -> str:
    """How a unit is compared: simplified, letters/digits/``%``/``/`` only, no spaces."""
    return re.sub(r"[^a-z0-9%/]", "", simplify(text))


def is_unit(key: str) -> bool:
    """True for a known unit of measure (``kg``, ``dong``, ``tan/nam``)."""
    return resolve_unit(key) is not None


def resolve_unit(key: str) -> tuple[str, Decimal] | None:
    """Dimension and factor of a known unit key; ``tan/nam`` → (``mass/nam``, 1000)."""
    head, slash, rest = key.partition("/")
    found = _UNITS.get(head)
    if found is None:
        return None
    dimension, factor = found
    return (f"{dimension}/{rest}" if slash else dimension), factor


@dataclass(frozen=True, slots=True)
class QuestionUnit:
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
    def parse(cls, unit: str) -> QuestionUnit:
        key = unit_key(unit)
        found = resolve_unit(key)
        if found is not None:
            return cls(unit, key, found[0], found[1], found[1], False)
        for word in sorted(MULTIPLIERS, key=len, reverse=True):
            if key.startswith(word) and (rest := resolve_unit(key[len(word) :])):
                factor = MULTIPLIERS[word] * rest[1]
                return cls(unit, key, rest[0], factor, rest[1], True)
        return cls(unit, key, None, Decimal(1), Decimal(1), False)

    @property
    def whole_money(self) -> bool:
        """A question in đồng (not in triệu đồng): its answers are whole đồng."""
        return self.dimension == _MONEY and self.factor == 1

    @property
    def measured(self) -> bool:
        """A known unit of measure (tấn, đồng, ha), not a count's noun (người)."""
        return self.dimension is not None

    def numerator(self) -> str | None:
        return None if self.dimension is None else self.dimension.partition("/")[0]


def unit_factor(
    answer_unit: str, answer_multiplied: bool, unit: QuestionUnit | None
) -> Decimal | None:
    """Factor that converts an answer into the question's unit; None when it does not fit.

    ``answer_unit`` is the unit key the answer carries (empty for a bare number) and
    ``answer_multiplied`` whether the answer used a multiplier (``500 triệu``).
    """
    if not answer_unit:
        if unit is not None and unit.multiplied and answer_multiplied:
            # "500 triệu" for a question in "triệu đồng": the multiplier is about đồng.
            return unit.bare_factor / unit.factor
        return Decimal(1)
    if unit is None:
        return None
    if answer_unit == unit.key:
        return Decimal(1)
    found = resolve_unit(answer_unit)
    if found is None or unit.dimension is None:
        return None
    dimension, factor = found
    if dimension == unit.dimension or ("/" not in dimension and dimension == unit.numerator()):
        return factor / unit.factor
    return None
