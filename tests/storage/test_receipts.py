"""Receipts typed back the short way find the stored one (storage/receipts.py)."""

from __future__ import annotations

import pytest

from storage.receipts import receipt_key


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("BCX-000001", "BCX-000001"),
        ("bcx-1", "BCX-000001"),
        ("bcx 1", "BCX-000001"),
        ("bcx1", "BCX-000001"),
        (" yt-000042 ", "YT-000042"),
        ("YT_42", "YT-000042"),
        ("yt-1234567", "YT-1234567"),
        ("something else", "SOMETHING ELSE"),
        ("", ""),
    ],
)
def test_a_receipt_as_typed(typed: str, stored: str) -> None:
    assert receipt_key(typed) == stored
