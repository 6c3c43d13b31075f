"""Several counts in one answer: the one the question counts is offered, the others never
stored (forms/readers/counts.py)."""

from __future__ import annotations

import pytest

from forms.readers import NeedsConfirmation, Ok, read_decimal, read_integer
from forms.readers.results import MSG_COUNTS_TOTAL, MSG_ONE_COUNT, MSG_ONE_NUMBER
from tests.forms.readers.common import assert_rejected

COURSES = "Số lớp tập huấn đã tổ chức"
PEOPLE = "Số lượt người được tập huấn"
FAIRS = "Số hội chợ, triển lãm, xúc tiến thương mại đã tham gia"


@pytest.mark.parametrize(
    ("text", "label", "value", "noun"),
    [
        ("2 lớp, 60 người", COURSES, 2, "lớp"),
        ("2 lớp,60 người", COURSES, 2, "lớp"),
        ("2 lớp và 60 người", COURSES, 2, "lớp"),
        ("2 lớp 60 người", COURSES, 2, "lớp"),
        ("2 lớp; 60 người", COURSES, 2, "lớp"),
        ("ba lớp, 60 học viên", COURSES, 3, "lớp"),
        ("2 lớp, 60 người", PEOPLE, 60, "người"),
        ("2 lớp với 60 hv", PEOPLE, 60, "hv"),
    ],
)
def test_the_count_of_the_question_is_offered(text: str, label: str, value: int, noun: str) -> None:
    result = read_integer(text, label=label)
    assert result == NeedsConfirmation(
        value, None, MSG_ONE_COUNT, {"noun": noun, "value": str(value)}
    ), result


def test_counts_all_of_the_question_kind_are_offered_added_up() -> None:
    result = read_integer("2 hội chợ và 3 triển lãm", label=FAIRS)
    assert result == NeedsConfirmation(5, None, MSG_COUNTS_TOTAL, {"value": "5"})


def test_a_total_beyond_the_bounds_is_refused_as_such() -> None:
    result = read_integer("2 hội chợ, 3 triển lãm", label=FAIRS, max_value=4)
    assert not isinstance(result, (Ok, NeedsConfirmation)), result


@pytest.mark.parametrize(
    "text",
    ["3 lớp, 60 người", "2 sp, 60 người"],
)
def test_counts_none_of_which_is_the_question_s_are_refused(text: str) -> None:
    assert_rejected(read_integer(text, label=FAIRS), MSG_ONE_NUMBER)


@pytest.mark.parametrize(
    "text",
    [
        "2 lớp, 60",  # is 60 this question's? the usual message
        "2 tỷ 3 tỷ",  # no nouns: not counts
        "1,5 tấn",
        "2 lớp, 60 người, 3 hội chợ, 4 sp, 5 hv",  # more parts than an answer has
    ],
)
def test_answers_that_are_not_several_counts_keep_their_reading(text: str) -> None:
    result = read_integer(text, label=COURSES)
    assert not isinstance(result, Ok)
    if isinstance(result, NeedsConfirmation):
        assert result.message not in (MSG_ONE_COUNT, MSG_COUNTS_TOTAL)
    else:
        assert result.message != MSG_ONE_NUMBER


def test_a_measured_question_does_not_split() -> None:
    """ "2 tấn 5" is two and a half tonnes, not two counts."""
    assert read_decimal("2 tấn 5", unit="tấn") == Ok(2.5)


def test_english_numbers_are_shown_the_english_way() -> None:
    result = read_integer("2 classes, 1500 people", label="Number of people trained", language="en")
    assert isinstance(result, NeedsConfirmation)
    assert result.params["value"] == "1,500"
