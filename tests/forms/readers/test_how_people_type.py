"""Observed in issue 13: answers typed the way officials type on phones that were refused."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import pytest

from forms.readers import (
    Ok,
    read_choice,
    read_choices,
    read_date,
    read_decimal,
    read_integer,
    read_phone,
    read_text,
    read_yes_no,
)
from tests.forms.readers.common import LEGAL_FORMS, TODAY

PRODUCTS = "Số sản phẩm đã được đánh giá, phân hạng trong kỳ"
TRAININGS = "Số lớp tập huấn đã tổ chức"
PEOPLE = "Số lượt người được tập huấn"
COOPS = "Số HTX, doanh nghiệp mới thành lập hoặc được củng cố"


@pytest.mark.parametrize(
    ("text", "label", "expected"),
    [
        ("12 sản phẩm", PRODUCTS, 12),
        ("12 sp", PRODUCTS, 12),
        ("3 lớp", TRAININGS, 3),
        ("150 người", PEOPLE, 150),
        ("2 cơ sở", COOPS, 2),
        ("khoảng 20", PRODUCTS, 20),
    ],
)
def test_counts_accept_the_noun_after_them(text: str, label: str, expected: int) -> None:
    assert read_integer(text, min_value=0, max_value=10_000, label=label) == Ok(expected)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("ko có", False),
        ("k", False),
        ("uh", True),
        ("ừ", True),
        ("có ạ", True),
        ("không ạ", False),
        ("dạ có", True),
        ("ok", True),
        ("vâng", True),
        ("chưa", False),
    ],
)
def test_yes_no(text: str, expected: bool) -> None:
    assert read_yes_no(text) == Ok(expected)


@pytest.mark.parametrize("text", ["sđt 0912345678", "+84 912 345 678", "0912.345.678"])
def test_phone(text: str) -> None:
    assert read_phone(text) == Ok("+84912345678")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("mùng 5/6", date(2024, 6, 5)),
        ("15/3/2024 10:30", date(2024, 3, 15)),
        ("ngày 5 tháng 6 năm 2024", date(2024, 6, 5)),
        ("5-6-2024", date(2024, 6, 5)),
    ],
)
def test_dates(text: str, expected: date) -> None:
    assert read_date(text, today=TODAY) == Ok(expected)


def test_invisible_characters_pasted_from_other_apps_are_ignored() -> None:
    assert read_integer("1\u200b2\u00a0sp", label=PRODUCTS) == Ok(12)
    assert read_yes_no("\ufeffcó\u200b") == Ok(True)
    assert read_phone("0912\u00a0345\u200b678") == Ok("+84912345678")
    assert read_date("15/3/2024\u200b", today=TODAY) == Ok(date(2024, 3, 15))


READERS_AND_ANSWERS = [
    (lambda t: read_integer(t, min_value=0, label=PEOPLE), "150 người"),
    (lambda t: read_decimal(t, min_value=0, unit="tấn"), "1,5 tấn"),
    (lambda t: read_decimal(t, min_value=0, unit="đồng"), "1 triệu 2 trăm"),
    (lambda t: read_date(t, today=TODAY), "15/3/2024 10:30"),
    (read_yes_no, "dạ có"),
    (lambda t: read_choice(t, LEGAL_FORMS), "hợp tác xã"),
    (lambda t: read_choices(t, LEGAL_FORMS), "1, 3"),
    (read_text, "Thiếu vốn sản xuất"),
    (read_phone, "sđt 0912 345 678"),
]


@pytest.mark.parametrize(("reader", "answer"), READERS_AND_ANSWERS)
@pytest.mark.parametrize("invisible", ["\u200b", "\ufeff", "\u00ad", "\u2060", "\u200d"])
def test_every_reader_ignores_what_other_apps_paste(
    reader: Callable[[str], object], answer: str, invisible: str
) -> None:
    """bot.text.clean is where every reader starts: an invisible character anywhere, and
    no-break spaces for spaces, change nothing."""
    expected = reader(answer)
    assert isinstance(expected, Ok)
    for at in range(len(answer) + 1):
        assert reader(answer[:at] + invisible + answer[at:]) == expected
    assert reader(answer.replace(" ", "\u00a0")) == expected
    assert reader(answer.replace(" ", "\u202f")) == expected
