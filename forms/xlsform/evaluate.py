"""Evaluation of a parsed XLSForm expression over the answers, with XPath's loose typing.

Answers arrive as the bot stores them (forms/engine.py): numbers as strings ("1.5"), dates
as ISO strings, a choice as its key, several choices as a list of keys, yes/no as a bool, a
location as [lat, lon]; a question not answered or skipped is empty (''), as in ODK. A number
that cannot be computed (a division by zero, an empty answer in a sum) is "not a number":
every comparison with it is false, so a constraint on it fails and a condition does not hold
rather than guess.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date, datetime
from decimal import Decimal, DecimalException, localcontext
from typing import Any

from forms.xlsform.expressions import (
    Binary,
    Call,
    Current,
    ExpressionError,
    ExpressionLimit,
    Literal,
    Node,
    Ref,
    Unary,
    parse,
)

MAX_STRING = 10_000
MAX_REGEX_TEXT = 1000
_EPOCH = date(1970, 1, 1)
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")

Value = str | Decimal | bool | date | list[str] | None  # None: not a number


def evaluate(
    source: str | Node,
    answers: Mapping[str, Any],
    *,
    current: Any = "",
    today: date,
) -> Value:
    """The value of ``source`` given ``answers``; raises only :class:`ExpressionError`."""
    tree = parse(source) if isinstance(source, str) else source
    try:
        with localcontext() as context:
            context.prec = 28
            context.Emax = 999_999
            context.Emin = -999_999
            return _Evaluator(answers, _from_answer(current), today).run(tree)
    except ExpressionError:
        raise
    except (DecimalException, ArithmeticError, ValueError, TypeError, RecursionError) as exc:
        raise ExpressionError(f"the expression cannot be computed: {exc}") from None


def holds(
    source: str | Node, answers: Mapping[str, Any], *, current: Any = "", today: date
) -> bool:
    """``source`` read as true or false (a condition, a constraint)."""
    return truth(evaluate(source, answers, current=current, today=today))


def _from_answer(value: Any) -> Value:
    if value is None:
        return ""
    if isinstance(value, bool | Decimal | date | str):
        return value
    if isinstance(value, int | float):
        return Decimal(str(value))
    if isinstance(value, list | tuple):
        if all(isinstance(v, int | float) and not isinstance(v, bool) for v in value):
            return " ".join(str(v) for v in value)  # a location: "lat lon"
        return [str(v) for v in value]
    return str(value)


def number(value: Value) -> Decimal | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return Decimal(int(value))
    if isinstance(value, Decimal):
        return value if value.is_finite() else None
    if isinstance(value, date):
        return Decimal((value - _EPOCH).days)
    if isinstance(value, list):
        value = " ".join(value)
    text = value.strip()
    if _ISO_DATE.match(text):
        parsed = _date(text)
        return None if parsed is None else Decimal((parsed - _EPOCH).days)
    if not re.fullmatch(r"-?(\d+(\.\d*)?|\.\d+)", text) or len(text) > 40:
        return None
    return Decimal(text)


def string(value: Value) -> str:
    if value is None:
        return "NaN"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Decimal):
        if abs(value.adjusted()) < 25:
            if value == value.to_integral_value():
                return str(value.quantize(Decimal(1)))
            return format(value.normalize(), "f")
        return str(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, list):
        return " ".join(value)
    return value


def truth(value: Value) -> bool:
    if value is None:
        return False
    if isinstance(value, bool):
        return value
    if isinstance(value, Decimal):
        return value != 0
    if isinstance(value, date):
        return True
    return len(value) > 0


def _date(text: str) -> date | None:
    try:
        return date.fromisoformat(text[:10])
    except ValueError:
        return None


def _selected(value: Value) -> list[str]:
    if isinstance(value, list):
        return value
    return string(value).split()


def _capped(text: str) -> str:
    if len(text) > MAX_STRING:
        raise ExpressionLimit(f"the expression builds a text longer than {MAX_STRING} characters")
    return text


class _Evaluator:
    def __init__(self, answers: Mapping[str, Any], current: Value, today: date) -> None:
        self.answers = answers
        self.current = current
        self.today = today

    def run(self, node: Node) -> Value:
        if isinstance(node, Literal):
            return Decimal(str(node.value)) if node.is_number else str(node.value)
        if isinstance(node, Ref):
            return _from_answer(self.answers.get(node.name))
        if isinstance(node, Current):
            return self.current
        if isinstance(node, Unary):
            operand = number(self.run(node.operand))
            return None if operand is None else -operand
        if isinstance(node, Binary):
            return self.binary(node)
        if isinstance(node, Call):
            return self.call(node)
        raise ExpressionError("unknown expression")

    def binary(self, node: Binary) -> Value:
        op = node.op
        if op == "or":
            return truth(self.run(node.left)) or truth(self.run(node.right))
        if op == "and":
            return truth(self.run(node.left)) and truth(self.run(node.right))
        left, right = self.run(node.left), self.run(node.right)
        if op in ("=", "!="):
            same = _equal(left, right)
            return same if op == "=" else not same
        if op in ("<", "<=", ">", ">="):
            a, b = number(left), number(right)
            if a is None or b is None:
                return False
            return {"<": a < b, "<=": a <= b, ">": a > b, ">=": a >= b}[op]
        a, b = number(left), number(right)
        if a is None or b is None:
            return None
        try:
            if op == "+":
                return a + b
            if op == "-":
                return a - b
            if op == "*":
                return a * b
            if b == 0:
                return None
            return a / b if op == "div" else a % b
        except DecimalException:
            return None  # too large to compute: not a number

    def call(self, node: Call) -> Value:
        name, args = node.name, node.args
        if name == "if":
            return self.run(args[1]) if truth(self.run(args[0])) else self.run(args[2])
        if name == "coalesce":
            first = self.run(args[0])
            return first if string(first) not in ("", "NaN") else self.run(args[1])
        if name in ("today", "now"):
            return self.today
        if name == "true":
            return True
        if name == "false":
            return False
        values = [self.run(arg) for arg in args]
        if name == "selected":
            return string(values[1]).strip() in _selected(values[0])
        if name == "selected-at":
            chosen = _selected(values[0])
            index = number(values[1])
            if index is None or index != index.to_integral_value():
                return ""
            position = int(index) if abs(index) < len(chosen) + 1 else len(chosen)
            return chosen[position] if 0 <= position < len(chosen) else ""
        if name == "count-selected":
            return Decimal(len(_selected(values[0])))
        if name == "string-length":
            return Decimal(len(string(values[0])))
        if name == "regex":
            text = string(values[0])
            if len(text) > MAX_REGEX_TEXT:
                return False
            return re.search(string(values[1]), text) is not None
        if name == "not":
            return not truth(values[0])
        if name == "boolean":
            return truth(values[0])
        if name == "number":
            return number(values[0])
        if name == "string":
            return string(values[0])
        if name in ("int", "abs"):
            value = number(values[0])
            if value is None:
                return None
            return abs(value) if name == "abs" else value.to_integral_value(rounding="ROUND_DOWN")
        if name == "round":
            return _round(values)
        if name == "concat":
            return _capped("".join(string(v) for v in values))
        if name == "contains":
            return string(values[1]) in string(values[0])
        if name == "starts-with":
            return string(values[0]).startswith(string(values[1]))
        if name == "ends-with":
            return string(values[0]).endswith(string(values[1]))
        if name == "substr":
            return _substr(values)
        if name == "date":
            return _to_date(values[0])
        raise ExpressionError(f"the function {name}() is not supported")


def _equal(left: Value, right: Value) -> bool:
    if isinstance(left, bool) or isinstance(right, bool):
        return truth(left) == truth(right)
    if (
        isinstance(left, Decimal | date)
        or isinstance(right, Decimal | date)
        or None
        in (
            left,
            right,
        )
    ):
        a, b = number(left), number(right)
        return a is not None and b is not None and a == b
    if isinstance(left, list) or isinstance(right, list):
        return string(left) == string(right)
    return string(left) == string(right)


def _round(values: list[Value]) -> Value:
    value = number(values[0])
    digits = number(values[1]) if len(values) > 1 else Decimal(0)
    if value is None or digits is None or not -20 <= digits <= 20:
        return None
    try:
        return value.quantize(Decimal(1).scaleb(-int(digits)), rounding="ROUND_HALF_UP")
    except DecimalException:
        return value


def _substr(values: list[Value]) -> Value:
    text = string(values[0])
    start = number(values[1])
    end = number(values[2]) if len(values) > 2 else Decimal(len(text))
    if start is None or end is None:
        return ""
    low = max(0, min(len(text), int(max(min(start, len(text)), 0))))
    high = max(low, min(len(text), int(max(min(end, len(text)), 0))))
    return text[low:high]


def _to_date(value: Value) -> Value:
    if isinstance(value, date):
        return value
    if isinstance(value, Decimal):
        if abs(value) > 3_000_000:
            return None
        return date.fromordinal(_EPOCH.toordinal() + int(value))
    if isinstance(value, str):
        parsed = _date(value.strip()) if _ISO_DATE.match(value.strip()[:10]) else None
        return parsed if parsed is not None else None
    return None


def now_date() -> date:
    """Today's date for callers that have no clock of their own (the CLI's checks)."""
    return datetime.now().date()
