"""Dates: day first, relative words, ISO, bounds."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from forms.readers import Ok, Rejected, read_date
from forms.readers.results import MSG_DATE, MSG_DATE_INVALID, MSG_DATE_TOO_EARLY, MSG_DATE_TOO_LATE
from tests.forms.readers.common import (
    INPUTS,
    PROPERTY,
    TODAY,
    assert_rejected,
    assert_well_formed,
    nfd,
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("15/3/2024", date(2024, 3, 15)),
        ("15-03-2024", date(2024, 3, 15)),
        ("15.03.2024", date(2024, 3, 15)),
        ("15 / 3 / 2024", date(2024, 3, 15)),
        ("15/3/24", date(2024, 3, 15)),
        ("15/3", date(2024, 3, 15)),
        ("15/03/2024.", date(2024, 3, 15)),
        ("１５/３/２０２４", date(2024, 3, 15)),
        ("2024-03-15", date(2024, 3, 15)),
        ("hôm nay", TODAY),
        ("hom nay", TODAY),
        ("Hôm nay", TODAY),
        (nfd("hôm nay"), TODAY),
        ("today", TODAY),
        ("hôm qua", date(2024, 6, 9)),
        ("hom qua", date(2024, 6, 9)),
        ("yesterday", date(2024, 6, 9)),
        ("hôm kia", date(2024, 6, 8)),
        ("ngày mai", date(2024, 6, 11)),
        ("ngày 15 tháng 3 năm 2024", date(2024, 3, 15)),
        ("ngay 15 thang 3 nam 2024", date(2024, 3, 15)),
        ("ngày 15 tháng 3", date(2024, 3, 15)),
        ("15 tháng 3 2024", date(2024, 3, 15)),
        ("ngày 15/3/2024", date(2024, 3, 15)),
        ("29/2/2024", date(2024, 2, 29)),
    ],
)
def test_date_accepted(text: str, expected: date) -> None:
    assert read_date(text, today=TODAY) == Ok(expected)


@pytest.mark.parametrize(
    "text", ["", "abc", "15", "15/3/202", "2024", "🙂", "1/2/3/4", "x" * 10_000]
)
def test_date_not_a_date(text: str) -> None:
    result = assert_rejected(read_date(text, today=TODAY), MSG_DATE)
    assert result.params["example"] == "10/06/2024"


@pytest.mark.parametrize(
    "text", ["31/2/2024", "29/2/2023", "32/1", "0/1/2024", "15/13/2024", "15/3/1800", "2024-02-30"]
)
def test_date_does_not_exist(text: str) -> None:
    assert_rejected(read_date(text, today=TODAY), MSG_DATE_INVALID)


def test_date_bounds() -> None:
    early = assert_rejected(
        read_date("1/1/2020", today=TODAY, min_date=date(2024, 1, 1)), MSG_DATE_TOO_EARLY
    )
    assert early.params == {"min": "01/01/2024", "example": "01/01/2024"}
    late = assert_rejected(read_date("ngày mai", today=TODAY, max_date=TODAY), MSG_DATE_TOO_LATE)
    assert late.params == {"max": "10/06/2024", "example": "10/06/2024"}
    inside = read_date("1/1/2024", today=TODAY, min_date=date(2024, 1, 1), max_date=TODAY)
    assert inside == Ok(date(2024, 1, 1))


def test_date_relative_at_the_edge_of_the_calendar() -> None:
    assert_rejected(read_date("hôm qua", today=date.min), MSG_DATE_INVALID)
    assert_rejected(read_date("ngày mai", today=date.max), MSG_DATE_INVALID)


def test_date_example_stays_within_bounds() -> None:
    result = read_date("abc", today=TODAY, max_date=date(2024, 1, 31))
    assert isinstance(result, Rejected)
    assert result.params["example"] == "31/01/2024"


@PROPERTY
@given(text=INPUTS, today=st.dates())
def test_property_date(text: str, today: date) -> None:
    result = read_date(text, today=today)
    assert_well_formed(result)
    assert isinstance(result, Ok | Rejected)
