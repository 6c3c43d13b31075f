"""Period keys as people and the CLI type them: odd ones are "not a period", never a crash."""

from __future__ import annotations

import pytest

from forms.periods import PeriodKind, next_period, parse_period, previous_period


@pytest.mark.parametrize(
    "key", ["0000", "9999-Q4", "0000-Q1", "9999-12", "0001-01", "2024-13", "²⁰²⁴-Q1", "٢٠٢٤", ""]
)
def test_odd_keys_are_not_periods(key: str) -> None:
    assert parse_period(key) is None


@pytest.mark.parametrize(
    ("key", "kind", "before", "after"),
    [
        ("2024-Q2", PeriodKind.QUARTER, "2024-Q1", "2024-Q3"),
        ("2024-q4", PeriodKind.QUARTER, "2024-Q3", "2025-Q1"),
        ("2025-01", PeriodKind.MONTH, "2024-12", "2025-02"),
        ("2099", PeriodKind.YEAR, "2098", "2100"),
    ],
)
def test_periods_and_their_neighbours(key: str, kind: PeriodKind, before: str, after: str) -> None:
    period = parse_period(key)
    assert period is not None and period.kind is kind
    assert (previous_period(period).key, next_period(period).key) == (before, after)
