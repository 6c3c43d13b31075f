"""Numbers a reader puts in its messages are formatted for the user's language (Babel)."""

from __future__ import annotations

from decimal import Decimal

from forms.readers import NeedsConfirmation, read_decimal
from forms.readers.results import MSG_NUMBER_TOO_LARGE
from tests.forms.readers.common import assert_rejected


def test_observed_the_two_readings_are_shown_distinct() -> None:
    result = read_decimal("1.5", min_value=0, max_value=1_000_000, unit="tấn")
    assert isinstance(result, NeedsConfirmation)
    assert result.params == {"value": "1,5 tấn", "alternative": "15 tấn"}
    english = read_decimal("1.5", unit="tấn", language="en")
    assert isinstance(english, NeedsConfirmation)
    assert english.params == {"value": "1.5 tấn", "alternative": "15 tấn"}


def test_observed_bounds_are_shown_as_numbers_not_floats() -> None:
    result = assert_rejected(
        read_decimal("2000000", min_value=0, max_value=Decimal("1000000.0"), unit="tấn"),
        MSG_NUMBER_TOO_LARGE,
    )
    assert result.params == {"max": "1.000.000", "example": "1.000.000 tấn"}
    english = read_decimal("2000000", max_value=Decimal("1000000.0"), language="en")
    assert english.params["max"] == "1,000,000"
