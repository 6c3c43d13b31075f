"""Numbers in answers are kept exactly and shown back with every digit they have.

Observed: "500 g" at a question in tấn was shown as "0" in the review and on the receipt,
since answers were formatted with Babel's default pattern (three decimals at most).
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from bot.i18n import Translator
from bot.messages import Inbound, InboundKind
from forms.engine import read_answer, show_answer
from forms.readers import Ok
from forms.schema import Question
from storage.exports.columns import answer_cell
from storage.exports.csv_sink import csv_field

OUTPUT = Question.model_validate(
    {
        "id": "output",
        "type": "decimal",
        "unit": "tấn",
        "min": 0,
        "max": 1_000_000,
        "label": {"vi": "Sản lượng trong tháng (tấn)", "en": "Output this month (tonnes)"},
    }
)


def _typed(text: str) -> Inbound:
    return Inbound(
        channel="console", user_id="hoa", message_id="1", kind=InboundKind.TEXT, text=text
    )


def _stored(text: str, language: str = "vi") -> str:
    reading = read_answer(OUTPUT, _typed(text), today=date(2024, 6, 12), language=language)
    assert isinstance(reading, Ok), reading
    assert isinstance(reading.value, str)
    return reading.value


@pytest.mark.parametrize(
    ("typed", "stored", "vi", "en"),
    [
        ("500 kg", "0.5", "0,5 tấn", "0.5 tấn"),
        ("500 g", "0.0005", "0,0005 tấn", "0.0005 tấn"),
        ("1,2 kg", "0.0012", "0,0012 tấn", "0.0012 tấn"),
        ("0,5 g", "0.0000005", "0,0000005 tấn", "0.0000005 tấn"),
        ("1234,5678 kg", "1.2345678", "1,2345678 tấn", "1.2345678 tấn"),
        ("2 tấn 500 kg", "2.5", "2,5 tấn", "2.5 tấn"),
        ("1500 tấn", "1500", "1.500 tấn", "1,500 tấn"),
    ],
)
def test_a_converted_amount_is_stored_and_shown_unrounded(
    typed: str, stored: str, vi: str, en: str
) -> None:
    value = _stored(typed)
    assert value == stored  # never "5E-7": the form's own expressions read plain decimals
    assert show_answer(OUTPUT, value, Translator("vi")) == vi
    assert show_answer(OUTPUT, value, Translator("en")) == en


@pytest.mark.parametrize(
    ("stored", "vi"),
    [
        ("1.50", "1,5 tấn"),  # no trailing zeros
        ("5E-7", "0,0000005 tấn"),  # an answer stored before: never scientific notation
        ("1.5E+3", "1.500 tấn"),
        ("0E-7", "0 tấn"),
        ("12345678.000001", "12.345.678,000001 tấn"),
        ("-0.0012", "-0,0012 tấn"),
        ("abc", "abc tấn"),  # not a number (an older form's answer): as stored
    ],
)
def test_stored_numbers_are_shown_plainly(stored: str, vi: str) -> None:
    assert show_answer(OUTPUT, stored, Translator("vi")) == vi


def test_an_export_keeps_the_exact_stored_value() -> None:
    tr = Translator("vi")
    for stored in ("0.0005", "0.0000005", "0.0012", "1.2345678"):
        cell = answer_cell(OUTPUT, stored, tr)
        assert cell == Decimal(stored)
        assert csv_field(cell) == stored
