"""What every reader shares: the msgids it may return and the placeholders they carry."""

from __future__ import annotations

from forms.readers import MESSAGES, placeholders
from forms.readers.results import (
    MSG_CONFIRM_EXACT,
    MSG_CONFIRM_NUMBER,
    MSG_CONFIRM_NUMBER_OR,
    MSG_COUNTS_TOTAL,
    MSG_ONE_COUNT,
    MSG_TEXT_TOO_LONG,
)


def test_every_message_asks_for_something_and_every_rejection_shows_an_example() -> None:
    confirmations = {
        MSG_CONFIRM_NUMBER,
        MSG_CONFIRM_NUMBER_OR,
        MSG_CONFIRM_EXACT,
        MSG_ONE_COUNT,
        MSG_COUNTS_TOTAL,
    }
    assert len(set(MESSAGES)) == len(MESSAGES), "msgids are distinct"
    for message in MESSAGES:
        if message not in confirmations:
            assert "{example}" in message, message


def test_placeholders() -> None:
    assert placeholders(MSG_CONFIRM_NUMBER_OR) == {"value", "alternative"}
    assert placeholders(MSG_TEXT_TOO_LONG) == {"max", "length", "example"}
    assert placeholders("no placeholder") == set()
