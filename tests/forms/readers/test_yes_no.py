"""Yes or no, the ways people type it from a phone."""

from __future__ import annotations

import pytest
from hypothesis import given

from forms.readers import Ok, Rejected, read_yes_no
from forms.readers.results import MSG_YES_NO
from tests.forms.readers.common import INPUTS, PROPERTY, assert_rejected, assert_well_formed, nfd


@pytest.mark.parametrize(
    "text",
    [
        "có",
        "co",
        "Có",
        nfd("Có"),
        "yes",
        "YES",
        "y",
        "ok",
        "OK",
        "đồng ý",
        "dong y",
        "1",
        "dạ có",
        "có ạ",
        "có rồi",
        "vâng",
        "👍",
        "👍🏽",
        "✅",
        "có.",
    ],
)
def test_yes(text: str) -> None:
    assert read_yes_no(text) == Ok(True)


@pytest.mark.parametrize(
    "text",
    [
        "không",
        "khong",
        "Không",
        nfd("Không"),
        "ko",
        "k",
        "no",
        "n",
        "N",
        "0",
        "dạ không",
        "không ạ",
        "chưa",
        "không có",
        "👎",
    ],
)
def test_no(text: str) -> None:
    assert read_yes_no(text) == Ok(False)


@pytest.mark.parametrize("text", ["", "maybe", "có lẽ", "2", "🙂", "có không"])
def test_yes_no_rejected(text: str) -> None:
    assert_rejected(read_yes_no(text), MSG_YES_NO)


@PROPERTY
@given(text=INPUTS)
def test_property_yes_no(text: str) -> None:
    result = read_yes_no(text)
    assert_well_formed(result)
    assert isinstance(result, Ok | Rejected)
