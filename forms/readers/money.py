"""Money is whole đồng: what a reader does with an amount that cannot be one, or is too small
to be meant.

Nobody reports a revenue of 1.5 đồng or 15 đồng: ``1,5`` at a question in đồng means
1,5 triệu to most people (amounts are said in triệu), and ``15`` means 15 triệu, or the
user forgot the unit. Neither is ever stored as typed, and neither is guessed: the reader
offers the likely reading and the literal one (``15 triệu đồng hay 15 đồng?``), the
literal one scaled to whole đồng when it has a fraction (``1,5 triệu hay 1.500 đồng?``).
"""

from __future__ import annotations

from decimal import Decimal

# Below this a bare amount in đồng may not be what was meant: the smallest note in use is
# 1.000 đồng, and a revenue, an investment or a support fund is never under 100.000 đồng,
# while people who keep accounts in nghìn đồng type "15.000" for 15 triệu. An amount
# with its multiplier ("50 nghìn", "50k") is what it says and is not asked about.
PLAUSIBLE_DONG = Decimal(100_000)
_MILLION = Decimal(10**6)
_THOUSAND = Decimal(1000)


def whole(value: Decimal) -> bool:
    return value == value.to_integral_value()


def dong_readings(value: Decimal, scale: Decimal = Decimal(1)) -> list[Decimal] | None:
    """The readings to offer for an amount in đồng typed without a multiplier, most likely
    first; None when the amount can be stored as typed.

    ``15`` → 15 triệu or 15 đồng; ``1,5`` → 1,5 triệu or 1.500 đồng; ``1.500`` and
    ``15.000`` → that many nghìn, or đồng; ``5 chục``, ``2 trăm`` (money talk for chục and
    trăm nghìn) → 50.000 or 50 đồng. Zero is a real answer (no sales this month). ``scale``
    is the largest multiplier written; from nghìn up the amount is what it says.
    """
    if value <= 0 or value >= PLAUSIBLE_DONG:
        return None  # stored as typed, or refused when it has a fraction of a đồng
    if scale > 1:  # "5 chục", "2 trăm": said of money, that is chục nghìn, trăm nghìn
        readings = [value * _THOUSAND, value]
    elif value < _THOUSAND:
        literal = value if whole(value) else value * _THOUSAND
        readings = [value * _MILLION, literal]
    else:
        readings = [value * _THOUSAND, value]
    return [reading for reading in readings if whole(reading)]
