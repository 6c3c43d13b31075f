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


@pytest.mark.parametrize(
    ("typed", "key"),
    [
        ("quý 3/2026", "2026-Q3"),
        ("Quy 3 2026", "2026-Q3"),
        ("Q3/2026", "2026-Q3"),
        ("2026 quý 3", "2026-Q3"),
        ("tháng 6/2024", "2024-06"),
        ("thang 6 2024", "2024-06"),
        ("6/2024", "2024-06"),
        ("T6/2024", "2024-06"),
        ("năm 2024", "2024"),
    ],
)
def test_periods_as_officials_write_them(typed: str, key: str) -> None:
    period = parse_period(typed)
    assert period is not None and period.key == key


@pytest.mark.parametrize("typed", ["quý 5/2026", "13/2024", "tháng 0/2024", "quý 3", "3/20266"])
def test_what_is_not_a_period_as_typed(typed: str) -> None:
    assert parse_period(typed) is None
