"""Whole numbers and decimals: Vietnamese and English marks, multipliers, units, bounds."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from forms.readers import Ambiguous, NeedsConfirmation, Ok, read_decimal, read_integer
from forms.readers.results import (
    MSG_CONFIRM_NUMBER,
    MSG_CONFIRM_NUMBER_OR,
    MSG_NOT_NEGATIVE,
    MSG_NUMBER,
    MSG_NUMBER_TOO_LARGE,
    MSG_NUMBER_TOO_SMALL,
    MSG_WHOLE_NUMBER,
    MSG_WRONG_UNIT,
)
from tests.forms.readers.common import INPUTS, PROPERTY, assert_rejected, assert_well_formed, nfd


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("12", 12),
        (" 12 ", 12),
        ("1.500", 1500),
        ("1 234", 1234),
        ("1\u00a0234", 1234),
        ("12.000.000", 12_000_000),
        ("1,234,567", 1_234_567),
        ("2 triệu", 2_000_000),
        ("2 trieu", 2_000_000),
        ("2tr", 2_000_000),
        ("2TR", 2_000_000),
        ("500k", 500_000),
        ("3 nghìn", 3000),
        ("3 ngàn", 3000),
        ("2 tỷ", 2_000_000_000),
        ("2 ty", 2_000_000_000),
        ("1,5 triệu", 1_500_000),
        ("1.5tr", 1_500_000),
        ("2tr5", 2_500_000),
        ("2 triệu 500", 2_500_000),
        ("2 triệu 500 nghìn", 2_500_000),
        ("2 triệu 500.000", 2_500_000),
        ("2 triệu rưỡi", 2_500_000),
        ("1 tỷ 2", 1_200_000_000),
        ("5 trăm", 500),
        ("không", 0),
        ("0", 0),
        ("１２", 12),
        ("12.", 12),
        (nfd("2 triệu"), 2_000_000),
    ],
)
def test_integer_accepted(text: str, expected: int) -> None:
    result = read_integer(text)
    assert result == Ok(expected)
    assert type(result.value) is int


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1.234,5", "1234.5"),
        ("1234.5", "1234.5"),
        ("1,5", "1.5"),
        ("1,25", "1.25"),
        ("0.5", "0.5"),
        ("0,500", "0.5"),
        ("1,234.5", "1234.5"),
        ("1.234.567,89", "1234567.89"),
        ("1 234,5", "1234.5"),
        ("1.500", "1500"),
        ("2,5 triệu", "2500000"),
        ("12", "12"),
        ("1.2345", "1.2345"),
    ],
)
def test_decimal_accepted(text: str, expected: str) -> None:
    result = read_decimal(text)
    assert result == Ok(Decimal(expected))
    assert isinstance(result.value, Decimal)


@pytest.mark.parametrize(
    ("text", "value", "alternative", "shown"),
    [
        ("1.5", "1.5", "15", ("1,5", "15")),
        ("2.25", "2.25", "225", ("2,25", "225")),
        ("1,500", "1.5", "1500", ("1,5", "1.500")),
    ],
)
def test_decimal_ambiguous_needs_confirmation(
    text: str, value: str, alternative: str, shown: tuple[str, str]
) -> None:
    result = read_decimal(text)
    assert isinstance(result, NeedsConfirmation)
    assert result.value == Decimal(value)
    assert result.alternative == Decimal(alternative)
    assert result.message == MSG_CONFIRM_NUMBER_OR
    # Shown the Vietnamese way, so the two readings never look alike (Babel, "vi").
    assert result.params == {"value": shown[0], "alternative": shown[1]}
    assert_well_formed(result)


def test_decimal_bounds_settle_an_ambiguity() -> None:
    # 15 is out of range, so 1.5 is the only reading: no question needed.
    assert read_decimal("1.5", max_value=10) == Ok(Decimal("1.5"))
    # Only the unlikely reading fits: ask rather than store it silently.
    result = read_decimal("1.5", min_value=10)
    assert isinstance(result, NeedsConfirmation)
    assert (result.value, result.alternative) == (Decimal(15), None)
    assert result.message == MSG_CONFIRM_NUMBER
    assert_well_formed(result)


def test_integer_comma_thousands_is_confirmed() -> None:
    result = read_integer("1,500")
    assert isinstance(result, NeedsConfirmation)
    assert (result.value, result.alternative) == (1500, None)
    assert type(result.value) is int
    assert result.params == {"value": "1.500"}


@pytest.mark.parametrize("text", ["1.5", "1,5", "2.25", "0.5", "1234.5", "1.234,5", "1,5 kg"])
def test_integer_rejects_fractions(text: str) -> None:
    result = assert_rejected(read_integer(text, unit="kg"), MSG_WHOLE_NUMBER)
    assert result.params["example"] == "12 kg"


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   ",
        "abc",
        "12 5",
        "1.2.3",
        "1,2,3",
        "10-12",
        "12abc",
        "🙂",
        "1..5",
        "tr",
        ",5",
        "2 tỷ 3 tỷ",
        "1" * 100,
        "½",
        "٣",
    ],
)
def test_number_rejections(text: str) -> None:
    assert_rejected(read_integer(text), MSG_WHOLE_NUMBER)
    assert_rejected(read_decimal(text), MSG_NUMBER)


def test_negative_numbers_need_a_negative_minimum() -> None:
    assert_rejected(read_integer("-5"), MSG_NOT_NEGATIVE)
    assert_rejected(read_decimal("âm 5"), MSG_NOT_NEGATIVE)
    assert_rejected(read_integer("-5", min_value=0), MSG_NUMBER_TOO_SMALL)
    assert read_integer("-5", min_value=-10) == Ok(-5)
    assert read_integer("−5", min_value=-10) == Ok(-5)
    assert read_decimal("-1,5", min_value=-10) == Ok(Decimal("-1.5"))


def test_number_bounds_name_the_bound() -> None:
    small = assert_rejected(read_integer("5", min_value=10), MSG_NUMBER_TOO_SMALL)
    assert small.params == {"min": "10", "example": "10"}
    large = assert_rejected(read_integer("50", max_value=10), MSG_NUMBER_TOO_LARGE)
    assert large.params == {"max": "10", "example": "10"}
    large = assert_rejected(
        read_decimal("7", max_value=Decimal("5.5"), unit="tấn"), MSG_NUMBER_TOO_LARGE
    )
    assert large.params == {"max": "5,5", "example": "5,5 tấn"}
    assert read_integer("10", min_value=10, max_value=10) == Ok(10)


def test_number_example_respects_bounds() -> None:
    result = assert_rejected(read_integer("abc", min_value=100), MSG_WHOLE_NUMBER)
    assert result.params["example"] == "100"


@pytest.mark.parametrize(
    ("text", "unit", "expected"),
    [
        ("1,5 tấn", "tấn", "1.5"),
        ("1,5 tan", "tấn", "1.5"),
        ("1,5 TẤN", "tấn", "1.5"),
        (nfd("1,5 tấn"), "tấn", "1.5"),
        ("1,5", "tấn", "1.5"),
        ("500kg", "tấn", "0.5"),
        ("3 tạ", "tấn", "0.3"),
        ("1,5 tấn", "kg", "1500"),
        ("500kg", "kg", "500"),
        ("500 kg", "kg", "500"),
        ("2 yến", "kg", "20"),
        ("3 tạ", "kg", "300"),
        ("1 tấn rưỡi", "kg", "1500"),
        ("250 g", "kg", "0.25"),
        ("2tr", "đồng", "2000000"),
        ("2 triệu đồng", "đồng", "2000000"),
        ("2.000.000đ", "đồng", "2000000"),
        ("2.000.000 VNĐ", "VND", "2000000"),
        ("500k", "VND", "500000"),
        ("500", "triệu đồng", "500"),
        ("500 triệu", "triệu đồng", "500"),
        ("2 tỷ", "triệu đồng", "2000"),
        ("2 triệu đồng", "triệu đồng", "2"),
        ("2 ha", "m2", "20000"),
        ("25 người", "người", "25"),
        ("25 nguoi", "người", "25"),
        ("50 tấn/năm", "tấn/năm", "50"),
        ("50 tấn", "tấn/năm", "50"),
        ("500 kg/năm", "tấn/năm", "0.5"),
    ],
)
def test_units(text: str, unit: str, expected: str) -> None:
    assert read_decimal(text, unit=unit) == Ok(Decimal(expected))


def test_units_on_integer_questions() -> None:
    assert read_integer("1,5 tấn", unit="kg") == Ok(1500)
    assert_rejected(read_integer("500kg", unit="tấn"), MSG_WHOLE_NUMBER)


@pytest.mark.parametrize(
    ("text", "unit"),
    [
        ("5 ha", "tấn"),
        ("5 kg", "đồng"),
        ("5 tấn", "người"),
        ("5 con", "người"),
        ("5 lít", "kg"),
        ("5 kg/tháng", "tấn/năm"),
    ],
)
def test_units_that_do_not_fit(text: str, unit: str) -> None:
    result = assert_rejected(read_decimal(text, unit=unit), MSG_WRONG_UNIT)
    assert result.params["unit"] == unit
    assert result.params["example"].endswith(unit)


def test_unit_without_a_unit_question_is_not_a_number() -> None:
    assert_rejected(read_decimal("5 kg"), MSG_NUMBER)


@PROPERTY
@given(
    text=INPUTS,
    low=st.none() | st.integers(-100, 100),
    unit=st.sampled_from([None, "kg", "tấn", "đồng", "triệu đồng", "người", "tấn/năm", "%"]),
)
def test_property_integer(text: str, low: int | None, unit: str | None) -> None:
    result = read_integer(
        text, min_value=low, max_value=None if low is None else low + 500, unit=unit
    )
    assert_well_formed(result)
    assert not isinstance(result, Ambiguous)
    if isinstance(result, Ok | NeedsConfirmation):
        assert type(result.value) is int


@PROPERTY
@given(text=INPUTS, unit=st.sampled_from([None, "kg", "tấn", "VND", "m2"]))
def test_property_decimal(text: str, unit: str | None) -> None:
    result = read_decimal(text, unit=unit)
    assert_well_formed(result)
    assert not isinstance(result, Ambiguous)
    if isinstance(result, Ok | NeedsConfirmation):
        assert isinstance(result.value, Decimal)
        assert result.value >= 0
