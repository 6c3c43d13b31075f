"""Money is whole đồng: a fraction is never stored, an implausibly small amount is asked."""

from __future__ import annotations

from decimal import Decimal

import pytest

from forms.readers import NeedsConfirmation, Ok, read_decimal, read_integer
from forms.readers.results import MSG_CONFIRM_NUMBER_OR
from tests.forms.readers.common import assert_well_formed

REVENUE = {"min_value": 0, "max_value": 10**12, "unit": "đồng"}


@pytest.mark.parametrize("text", ["1,5", "2,5", "1.5", "0,5"])
def test_observed_a_fraction_of_a_dong_is_never_stored(text: str) -> None:
    result = read_decimal(text, **REVENUE)
    assert isinstance(result, NeedsConfirmation), result
    assert result.value == result.value.to_integral_value()
    assert result.alternative is not None
    assert result.alternative == result.alternative.to_integral_value()
    assert_well_formed(result)


def test_observed_one_and_a_half_is_asked_as_millions_or_thousands() -> None:
    result = read_decimal("1,5", **REVENUE)
    assert isinstance(result, NeedsConfirmation)
    assert (result.value, result.alternative) == (Decimal(1_500_000), Decimal(1500))
    assert result.message == MSG_CONFIRM_NUMBER_OR
    assert result.params == {"value": "1.500.000 đồng", "alternative": "1.500 đồng"}


@pytest.mark.parametrize(("text", "millions"), [("15", 15), ("800", 800), ("15 đồng", 15)])
def test_an_implausibly_small_amount_is_asked(text: str, millions: int) -> None:
    result = read_decimal(text, **REVENUE)
    assert isinstance(result, NeedsConfirmation), result
    assert (result.value, result.alternative) == (Decimal(millions * 10**6), Decimal(millions))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1 triệu 2 trăm", 1_200_000),
        ("1 trieu 2 tram", 1_200_000),
        ("2 triệu 500", 2_500_000),
        ("1tr2", 1_200_000),
        ("1,2 tr", 1_200_000),
        ("500k", 500_000),
        ("2 tỷ", 2_000_000_000),
        ("1.500.000đ", 1_500_000),
        ("1.500.000 VNĐ", 1_500_000),
        ("15 triệu đồng", 15_000_000),
        ("0", 0),
        ("không", 0),
    ],
)
def test_money_as_people_write_it(text: str, expected: int) -> None:
    assert read_decimal(text, **REVENUE) == Ok(Decimal(expected))
    assert read_integer(text, min_value=0, unit="đồng") == Ok(expected)
