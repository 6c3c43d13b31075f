"""Awkward and long answers: every reader returns a proper result and never raises.

How fast they do it is measured by ``python -m bench.readers``, not here: timing
assertions fail on a busy machine. What is checked here is that the paths made linear
still give the answers they gave.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest

from forms.readers import (
    Ok,
    rank_matches,
    read_choice,
    read_choices,
    read_date,
    read_decimal,
    read_integer,
    read_phone,
    read_text,
    read_yes_no,
    search_key,
    unique,
)
from forms.readers.results import MSG_CHOICE_UNKNOWN_PART
from tests.forms.readers.common import (
    LEGAL_FORMS,
    PRODUCT_GROUPS,
    STARS,
    TODAY,
    assert_rejected,
    assert_well_formed,
    nfd,
)
from tests.forms.readers.long_inputs import LONGEST, long_inputs
from tests.forms.readers.test_places import PROVINCES, Place

READERS: dict[str, Callable[[str], object]] = {
    "integer": lambda text: read_integer(text, unit="kg"),
    "integer, count of a label": lambda text: read_integer(
        text, min_value=0, max_value=10_000, label=("Số lượt người được tập huấn", "People")
    ),
    "decimal, đồng": lambda text: read_decimal(text, min_value=0, unit="đồng", language="en"),
    "integer, multiplied unit": lambda text: read_integer(text, min_value=-5, unit="triệu đồng"),
    "decimal": lambda text: read_decimal(text),
    "decimal, unit": lambda text: read_decimal(text, unit="tấn/năm"),
    "date": lambda text: read_date(text, today=TODAY),
    "yes/no": read_yes_no,
    "yes/no, label": lambda text: read_yes_no(text, label="Có khó khăn, vướng mắc không?"),
    "choice": lambda text: read_choice(text, PRODUCT_GROUPS),
    "choice, numbered labels": lambda text: read_choice(text, STARS),
    "choices": lambda text: read_choices(text, PRODUCT_GROUPS),
    "choices, bounded": lambda text: read_choices(text, LEGAL_FORMS, min_count=1, max_count=2),
    "choices, numbered labels": lambda text: read_choices(text, STARS),
    "text": read_text,
    "text, long": lambda text: read_text(text, max_length=4000),
    "text, pattern": lambda text: read_text(text, max_length=4000, pattern=r"[0-9 ]+"),
    "phone": read_phone,
}


@pytest.mark.parametrize("reader", READERS.values(), ids=READERS.keys())
@pytest.mark.parametrize(
    "text",
    [
        "",
        "9" * 10_000,
        "1." * 5_000,
        "a" * 10_000,
        "\x00\x01\x1b[31m",
        "\ud800",
        "\u202e1234",
        "{example}",
        nfd("Hợp tác xã") * 500,
        "𝟏𝟐",
        "١٢",
    ],
)
def test_awkward_inputs_never_raise(reader: Callable[[str], object], text: str) -> None:
    assert_well_formed(reader(text))


LONG = long_inputs()


@pytest.mark.parametrize("reader", READERS.values(), ids=READERS.keys())
@pytest.mark.parametrize("text", LONG.values(), ids=LONG.keys())
def test_long_answers_get_a_proper_result(reader: Callable[[str], object], text: str) -> None:
    assert len(text) == LONGEST
    assert_well_formed(reader(text))


@pytest.mark.parametrize("text", LONG.values(), ids=LONG.keys())
def test_long_place_names_get_a_proper_result(text: str) -> None:
    found = rank_matches(text, PROVINCES)
    assert all(isinstance(unit, Place) for unit in found)
    chosen = unique(found, text)
    assert chosen is None or chosen in found


def test_repeats_read_once_give_the_same_choices() -> None:
    assert read_choices("1, " * 1000 + "3", LEGAL_FORMS) == Ok(("enterprise", "team"))
    assert read_choices("1 " * 1900 + "3", LEGAL_FORMS) == Ok(("enterprise", "team"))
    assert read_choices("htx dn " * 500, LEGAL_FORMS) == Ok(("enterprise", "coop"))
    assert read_choices("+" * 3998 + "2", LEGAL_FORMS) == Ok(("coop",))
    unknown = assert_rejected(
        read_choices(" " * 3998 + "x", PRODUCT_GROUPS), MSG_CHOICE_UNKNOWN_PART
    )
    assert unknown.params["part"] == "x"
    later = assert_rejected(
        read_choices("1, " * 1000 + "xyz", LEGAL_FORMS), MSG_CHOICE_UNKNOWN_PART
    )
    assert later.params["part"] == "xyz"


def test_polite_words_however_many() -> None:
    assert read_yes_no("dạ " * 1300 + "có") == Ok(True)
    assert read_yes_no("không" + " ạ" * 1900) == Ok(False)
    assert read_yes_no("dạ " * 1300) == Ok(True)  # "dạ" alone is a yes


def test_a_word_typed_many_times_finds_what_it_finds_once() -> None:
    once = rank_matches("ha", PROVINCES)
    assert set(rank_matches("ha " * 1300, PROVINCES)) == set(once)
    assert unique(rank_matches("hà nội " * 500, PROVINCES), "hà nội " * 500) is not None
    assert search_key("  " * 1000 + "Hà Nội") == "ha noi"
