"""The XLSForm expression evaluator: what forms write, and that nothing typed or imported
makes it raise anything but ExpressionError or run without bound."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from forms.xlsform.evaluate import evaluate, holds
from forms.xlsform.expressions import (
    MAX_DEPTH,
    ExpressionError,
    ExpressionLimit,
    parse,
    references,
)

TODAY = date(2026, 12, 2)


def ok(source: str, answers: dict[str, Any] | None = None, current: Any = "") -> bool:
    return holds(source, answers or {}, current=current, today=TODAY)


@pytest.mark.parametrize(
    ("source", "answers", "expected"),
    [
        ("${x} > 0 and ${y} != ''", {"x": "3", "y": "a"}, True),
        ("${x} > 0 and ${y} != ''", {"x": "3", "y": None}, False),
        ("${x} > 0 and ${y} != ''", {"x": "0", "y": "a"}, False),
        ("${x} > 0", {}, False),  # not answered: not a number, never greater
        ("${x} = ''", {}, True),
        ("selected(${s}, 'a')", {"s": ["a", "b"]}, True),
        ("selected(${s}, 'c')", {"s": ["a", "b"]}, False),
        ("selected(${s}, 'a')", {"s": "a"}, True),  # select_one
        ("count-selected(${s}) >= 2", {"s": ["a", "b"]}, True),
        ("string-length(${t}) <= 3", {"t": "Phở"}, True),
        ("regex(${p}, '^0[0-9]{9}$')", {"p": "0912345678"}, True),
        ("regex(${p}, '^0[0-9]{9}$')", {"p": "912345678"}, False),
        ("${d} <= today()", {"d": "2026-11-30"}, True),
        ("${d} <= today()", {"d": "2027-01-01"}, False),
        ("if(${x} > 5, 'big', 'small') = 'small'", {"x": "2"}, True),
        ("coalesce(${x}, 7) = 7", {}, True),
        ("coalesce(${x}, 7) = 3", {"x": "3"}, True),
        (". >= 0 and . <= 100", {}, None),
        ("${a} + ${b} * 2 = 7", {"a": "1", "b": "3"}, True),
        ("${a} div ${b} = 2.5", {"a": "5", "b": "2"}, True),
        ("${a} mod 2 = 1", {"a": "5"}, True),
        ("${a} div 0 > 0", {"a": "5"}, False),
        ("not(${y})", {"y": False}, True),
        ("${y} = true()", {"y": True}, True),
        ("-${a} < 0", {"a": "1.5"}, True),
        ("${a} = 1.50", {"a": "1.5"}, True),
        ("concat(${a}, '-', ${b}) = 'x-y'", {"a": "x", "b": "y"}, True),
    ],
)
def test_what_forms_write(source: str, answers: dict[str, Any], expected: bool | None) -> None:
    if expected is None:
        assert ok(source, answers, current="50")
        assert not ok(source, answers, current="150")
        assert not ok(source, answers, current="")
    else:
        assert ok(source, answers) is expected


def test_values() -> None:
    assert evaluate("${a} * 1000", {"a": "1.5"}, today=TODAY) == Decimal("1500.0")
    assert evaluate("string(${a} * 2)", {"a": "1.25"}, today=TODAY) == "2.5"
    assert evaluate("round(${a}, 1)", {"a": "2.25"}, today=TODAY) == Decimal("2.3")
    assert evaluate("substr('Hà Nội', 0, 2)", {}, today=TODAY) == "Hà"
    assert references(parse("${a} + count-selected(${b}) > ${c}")) == {"a", "b", "c"}


@pytest.mark.parametrize(
    ("source", "reason"),
    [
        ("${x} >", "expected more"),
        ("pulldata('f', 'a', 'b', 'c')", "pulldata() is not supported"),
        ("x > 1", "“x” is not understood"),
        ("selected(${s})", "selected() takes 2 argument(s), not 1"),
        ("regex(., ${p})", "pattern as a text in quotes"),
        ("regex(., '(a+)+$')", "repeats a repetition"),
        ("1 + 'a", "cannot read"),
        ("", "empty"),
    ],
)
def test_refused_with_a_reason(source: str, reason: str) -> None:
    with pytest.raises(ExpressionError, match=reason.replace("(", r"\(").replace(")", r"\)")):
        parse(source)


def test_bounded() -> None:
    with pytest.raises(ExpressionLimit):
        parse("(" * (MAX_DEPTH + 5) + "1" + ")" * (MAX_DEPTH + 5))
    with pytest.raises(ExpressionLimit):
        parse(" + ".join(["1"] * 400))
    with pytest.raises(ExpressionLimit):
        parse("1" * 3000)
    with pytest.raises(ExpressionLimit):
        parse("-" * 200 + "1")
    # A text that grows at every step is stopped.
    doubling = "concat(${t}, ${t})"
    with pytest.raises(ExpressionLimit):
        evaluate(doubling, {"t": "x" * 6000}, today=TODAY)


# -- properties --------------------------------------------------------------------------

ATOMS = st.sampled_from(
    ["${a}", "${b}", "${s}", ".", "0", "1", "2.5", "'x'", "''", "today()", "true()", "99999"]
)
OPERATORS = st.sampled_from(
    [" + ", " - ", " * ", " div ", " mod ", " = ", " != ", " < ", " >= ", " and ", " or "]
)


@st.composite
def expressions(draw: st.DrawFn, depth: int = 0) -> str:
    if depth > 4 or draw(st.booleans()):
        return draw(ATOMS)
    kind = draw(st.integers(0, 3))
    if kind == 0:
        return draw(expressions(depth + 1)) + draw(OPERATORS) + draw(expressions(depth + 1))
    if kind == 1:
        return "(" + draw(expressions(depth + 1)) + ")"
    if kind == 2:
        name = draw(
            st.sampled_from(
                ["not", "string-length", "count-selected", "number", "string", "int", "date"]
            )
        )
        return f"{name}({draw(expressions(depth + 1))})"
    name = draw(st.sampled_from(["selected", "coalesce", "round", "contains", "concat"]))
    return f"{name}({draw(expressions(depth + 1))}, {draw(expressions(depth + 1))})"


ANSWERS = st.fixed_dictionaries(
    {
        "a": st.one_of(
            st.none(),
            st.booleans(),
            st.text(max_size=20),
            st.decimals(allow_nan=False, allow_infinity=False).map(str),
            st.integers(-(10**30), 10**30),
        ),
        "b": st.one_of(st.none(), st.text(max_size=10), st.sampled_from(["2026-01-31", "1e999"])),
        "s": st.one_of(st.none(), st.lists(st.sampled_from(["a", "b", "x"]), max_size=3)),
    }
)


@settings(max_examples=300, deadline=None)
@given(source=expressions(), answers=ANSWERS, current=st.text(max_size=10))
def test_generated_expressions_only_raise_expression_errors(
    source: str, answers: dict[str, Any], current: str
) -> None:
    try:
        evaluate(source, answers, current=current, today=TODAY)
    except ExpressionError:
        pass


@settings(max_examples=500, deadline=None)
@given(
    source=st.text(
        alphabet=st.sampled_from(list("${}ab.()',-+*=<>!0123456789 ifdvmoregx")), max_size=80
    )
)
def test_any_text_only_raises_expression_errors(source: str) -> None:
    try:
        evaluate(source, {"a": "1", "b": ["x"]}, current="2", today=TODAY)
    except ExpressionError:
        pass


@settings(max_examples=200, deadline=None)
@given(source=st.text(max_size=200))
def test_unicode_text_only_raises_expression_errors(source: str) -> None:
    try:
        evaluate(source, {}, today=TODAY)
    except ExpressionError:
        pass
