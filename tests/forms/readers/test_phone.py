"""Phone numbers: read into E.164, shown back the Vietnamese way."""

from __future__ import annotations

import string

import pytest
from hypothesis import given
from hypothesis import strategies as st

from forms.readers import Ok, display_phone, read_phone
from forms.readers.results import MSG_PHONE, MSG_PHONE_INVALID, MSG_PHONE_NOT_VN
from tests.forms.readers.common import INPUTS, PROPERTY, assert_rejected, assert_well_formed


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("0912 345 678", "+84912345678"),
        ("0912345678", "+84912345678"),
        ("0912.345.678", "+84912345678"),
        ("0912-345-678", "+84912345678"),
        ("+84912345678", "+84912345678"),
        ("+84 912 345 678", "+84912345678"),
        ("84912345678", "+84912345678"),
        ("0084912345678", "+84912345678"),
        ("(+84) 912-345-678", "+84912345678"),
        ("０９１２３４５６７８", "+84912345678"),
        ("024 3823 4567", "+842438234567"),
        ("(024) 3823 4567", "+842438234567"),
    ],
)
def test_phone_accepted(text: str, expected: str) -> None:
    assert read_phone(text) == Ok(expected)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", MSG_PHONE),
        ("abc", MSG_PHONE),
        ("0912abc678", MSG_PHONE),
        ("+-()", MSG_PHONE),
        ("1" * 50, MSG_PHONE),
        ("123", MSG_PHONE_INVALID),
        ("01234567890", MSG_PHONE_INVALID),
        ("0912 345 678 999", MSG_PHONE_INVALID),
        ("+1 650 253 0000", MSG_PHONE_NOT_VN),
        ("+33 1 42 68 53 00", MSG_PHONE_NOT_VN),
    ],
)
def test_phone_rejected(text: str, message: str) -> None:
    result = assert_rejected(read_phone(text), message)
    assert result.params == {"example": "0912 345 678"}


@PROPERTY
@given(text=st.one_of(INPUTS, st.text(alphabet=string.digits + " +().-", max_size=25)))
def test_property_phone(text: str) -> None:
    result = read_phone(text)
    assert_well_formed(result)
    if isinstance(result, Ok):
        assert result.value.startswith("+84")
        assert read_phone(result.value) == result


@pytest.mark.parametrize(
    ("stored", "shown"),
    [
        ("+84912345678", "0912 345 678"),
        ("+842438234567", "024 3823 4567"),
        ("not a number", "not a number"),
        ("", ""),
    ],
)
def test_display_phone(stored: str, shown: str) -> None:
    assert display_phone(stored) == shown


@PROPERTY
@given(text=st.text(alphabet=string.digits + " +().-", max_size=25))
def test_display_phone_reads_back(text: str) -> None:
    """What is shown reads back as the same stored number."""
    result = read_phone(text)
    if isinstance(result, Ok):
        assert read_phone(display_phone(result.value)) == result
