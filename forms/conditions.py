"""A built-in form file's ``when``: whether a question applies given the answers before it.
Kept apart from the engine (forms/engine.py), which applies it in order over a form."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any


def _number(value: Any) -> Decimal | None:
    try:
        return Decimal(str(value))
    except (InvalidOperation, ValueError):
        return None


def condition_holds(when: dict[str, Any] | None, answers: dict[str, Any]) -> bool:
    """``when`` holds when every referenced earlier answer fits (a skipped one never does).

    A question not answered yet counts as fitting, so that progress ("Câu 1/15") counts the
    questions that may still come; the count shrinks once an answer rules some out.
    """
    for ref, condition in (when or {}).items():
        if ref not in answers:
            continue
        value = answers[ref]
        checks = condition if isinstance(condition, dict) else {"eq": condition}
        for op, expected in checks.items():
            if op == "answered":
                if (value is not None) != bool(expected):
                    return False
                continue
            if value is None:
                return False
            if op == "eq" and value != expected:
                return False
            if op == "ne" and value == expected:
                return False
            if op == "in" and value not in expected:
                return False
            if op == "not_in" and value in expected:
                return False
            if op in ("gt", "gte", "lt", "lte"):
                number, bound = _number(value), _number(expected)
                if number is None or bound is None:
                    return False
                holds = {
                    "gt": number > bound,
                    "gte": number >= bound,
                    "lt": number < bound,
                    "lte": number <= bound,
                }[op]
                if not holds:
                    return False
    return True
