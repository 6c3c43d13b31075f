"""Free text: cleaned, stored in NFC, lengths and patterns."""

from __future__ import annotations

import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st

from forms.readers import Ok, read_text
from forms.readers.results import (
    MSG_TEXT_EMPTY,
    MSG_TEXT_NO_WORDS,
    MSG_TEXT_PATTERN,
    MSG_TEXT_TOO_LONG,
    MSG_TEXT_TOO_SHORT,
)
from tests.forms.readers.common import INPUTS, PROPERTY, assert_rejected, assert_well_formed, nfd


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("  Mật ong bạc hà  ", "Mật ong bạc hà"),
        (nfd("Chè Shan tuyết"), unicodedata.normalize("NFC", "Chè Shan tuyết")),
        ("Thiếu vốn\r\nThiếu nhân lực", "Thiếu vốn\nThiếu nhân lực"),
        ("a\x00b", "ab"),
        ("12", "12"),
        ("Giỏ mây 🧺", "Giỏ mây 🧺"),
    ],
)
def test_text_accepted(text: str, expected: str) -> None:
    result = read_text(text)
    assert result == Ok(expected)
    assert unicodedata.is_normalized("NFC", result.value)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", MSG_TEXT_EMPTY),
        ("   \n\t", MSG_TEXT_EMPTY),
        ("\x00\x01", MSG_TEXT_EMPTY),
        ("😀😀", MSG_TEXT_NO_WORDS),
        ("!!! ...", MSG_TEXT_NO_WORDS),
        ("a", MSG_TEXT_TOO_SHORT),
        ("x" * 101, MSG_TEXT_TOO_LONG),
    ],
)
def test_text_rejected(text: str, message: str) -> None:
    assert_rejected(read_text(text, min_length=2, max_length=100), message)


def test_text_length_counts_composed_characters() -> None:
    assert read_text(nfd("ầầầ"), max_length=3) == Ok("ầầầ")
    too_long = assert_rejected(read_text("x" * 11, max_length=10), MSG_TEXT_TOO_LONG)
    assert too_long.params["length"] == "11"
    assert too_long.params["max"] == "10"


def test_text_pattern() -> None:
    kwargs = {"pattern": r"[0-9]{10}", "pattern_example": "0101234567"}
    assert read_text("0101234567", **kwargs) == Ok("0101234567")
    result = assert_rejected(read_text("01012", **kwargs), MSG_TEXT_PATTERN)
    assert result.params["example"] == "0101234567"


def test_text_optional_and_custom_example() -> None:
    assert read_text("  ", min_length=0) == Ok("")
    result = assert_rejected(read_text("", example="Thiếu vốn"), MSG_TEXT_EMPTY)
    assert result.params["example"] == "Thiếu vốn"


@PROPERTY
@given(text=INPUTS, min_length=st.integers(0, 5))
def test_property_text(text: str, min_length: int) -> None:
    result = read_text(text, min_length=min_length, max_length=50)
    assert_well_formed(result)
    if isinstance(result, Ok):
        assert unicodedata.is_normalized("NFC", result.value)
        assert len(result.value) <= 50
        assert "\x00" not in result.value
        result.value.encode("utf-8")
