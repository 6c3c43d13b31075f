"""The small language of a form file's cross-field checks: sums and comparisons of answers.

A check such as ``certified_3_stars + certified_4_stars + certified_5_stars <=
products_evaluated`` is written by the person who keeps the form file, not by a programmer,
and runs on answers typed by the public: so it is parsed here, never handed to ``eval``.

    condition  := comparison ("and" comparison)*
    comparison := sum ("<=" | "<" | ">=" | ">" | "==" | "!=") sum
    sum        := product (("+" | "-") product)*
    product    := atom (("*" | "/") atom)*
    atom       := NUMBER | NAME | "usual(" NAME ")" | "(" sum ")"

NAME is a question id; ``usual(NAME)`` is the median of that question's answers in the
earlier periods the same report was filed for (the same producer's earlier months, the
same commune's earlier quarters). Anything unknown (a question not answered, skipped or
not asked; no earlier period; a division by zero) makes the whole check not apply rather
than guess.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal, DivisionByZero, InvalidOperation
from functools import cache

HISTORY_FUNCTION = "usual"
OPERATORS = ("<=", ">=", "==", "!=", "<", ">")
_TOKEN = re.compile(r"\s*(?:(\d+(?:\.\d+)?)|([A-Za-z_][A-Za-z0-9_]*)|(<=|>=|==|!=|[-+*/()<>]))")


class RuleError(ValueError):
    """A rule cannot be read; the message says where."""


@dataclass(frozen=True)
class Number:
    value: Decimal


@dataclass(frozen=True)
class Answer:
    """The answer to a question, by id."""

    name: str


@dataclass(frozen=True)
class Usual:
    """The median of a question's answers in the earlier periods."""

    name: str


@dataclass(frozen=True)
class Operation:
    op: str
    left: Expression
    right: Expression


Expression = Number | Answer | Usual | Operation


@dataclass(frozen=True)
class Comparison:
    op: str
    left: Expression
    right: Expression


@dataclass(frozen=True)
class Sides:
    """The two numbers a comparison compared, to show the user."""

    left: Decimal
    right: Decimal
    holds: bool


def _tokens(text: str) -> list[str]:
    tokens: list[str] = []
    position = 0
    text = text.strip()
    while position < len(text):
        found = _TOKEN.match(text, position)
        if found is None or found.end() == position:
            raise RuleError(f"cannot read “{text[position : position + 12]}” in “{text}”")
        tokens.append(next(group for group in found.groups() if group is not None))
        position = found.end()
    return tokens


class _Parser:
    def __init__(self, text: str) -> None:
        self.text = text
        self.tokens = _tokens(text)
        self.at = 0

    def peek(self) -> str | None:
        return self.tokens[self.at] if self.at < len(self.tokens) else None

    def take(self, expected: str | None = None) -> str:
        token = self.peek()
        if token is None or (expected is not None and token != expected):
            wanted = f"“{expected}”" if expected else "more"
            raise RuleError(f"expected {wanted} in “{self.text}”")
        self.at += 1
        return token

    def condition(self) -> tuple[Comparison, ...]:
        parts = [self.comparison()]
        while self.peek() == "and":
            self.take()
            parts.append(self.comparison())
        if self.peek() is not None:
            raise RuleError(f"unexpected “{self.peek()}” in “{self.text}”")
        return tuple(parts)

    def comparison(self) -> Comparison:
        left = self.sum()
        op = self.take()
        if op not in OPERATORS:
            raise RuleError(f"expected a comparison ({', '.join(OPERATORS)}) in “{self.text}”")
        return Comparison(op, left, self.sum())

    def sum(self) -> Expression:
        expression = self.product()
        while self.peek() in ("+", "-"):
            op = self.take()
            expression = Operation(op, expression, self.product())
        return expression

    def product(self) -> Expression:
        expression = self.atom()
        while self.peek() in ("*", "/"):
            op = self.take()
            expression = Operation(op, expression, self.atom())
        return expression

    def atom(self) -> Expression:
        token = self.take()
        if token == "(":
            inner = self.sum()
            self.take(")")
            return inner
        if token[0].isdigit():
            return Number(Decimal(token))
        if token[0].isalpha() or token[0] == "_":
            if token == "and":
                raise RuleError(f"“and” joins comparisons, not numbers, in “{self.text}”")
            if self.peek() == "(":
                if token != HISTORY_FUNCTION:
                    raise RuleError(f"unknown function {token}() in “{self.text}”")
                self.take("(")
                name = self.take()
                if not (name[0].isalpha() or name[0] == "_"):
                    raise RuleError(f"{HISTORY_FUNCTION}() takes a question id in “{self.text}”")
                self.take(")")
                return Usual(name)
            return Answer(token)
        raise RuleError(f"unexpected “{token}” in “{self.text}”")


@cache
def parse_condition(text: str) -> tuple[Comparison, ...]:
    """``a + b <= c and d > 0``, parsed once (form files are read at start-up)."""
    return _Parser(text).condition()


def parse_rule(text: str) -> Comparison:
    """A rule is one comparison: its two sides are the two numbers shown to the user."""
    parts = parse_condition(text)
    if len(parts) != 1:
        raise RuleError(f"a rule is one comparison; put the rest in “when”: “{text}”")
    return parts[0]


def names(expression: Expression | Comparison) -> set[str]:
    """Every question id an expression reads, directly or through ``usual()``."""
    if isinstance(expression, Answer | Usual):
        return {expression.name}
    if isinstance(expression, Operation | Comparison):
        return names(expression.left) | names(expression.right)
    return set()


def history_names(expression: Expression | Comparison) -> set[str]:
    """The question ids read through ``usual()``: their earlier answers must be looked up."""
    if isinstance(expression, Usual):
        return {expression.name}
    if isinstance(expression, Operation | Comparison):
        return history_names(expression.left) | history_names(expression.right)
    return set()


def answer_names(expression: Expression | Comparison) -> set[str]:
    """The question ids read as this report's own answers."""
    if isinstance(expression, Answer):
        return {expression.name}
    if isinstance(expression, Operation | Comparison):
        return answer_names(expression.left) | answer_names(expression.right)
    return set()


def value(
    expression: Expression, answers: Mapping[str, Decimal], usual: Mapping[str, Decimal]
) -> Decimal | None:
    """The number an expression stands for; None when any part of it is unknown."""
    if isinstance(expression, Number):
        return expression.value
    if isinstance(expression, Answer):
        return answers.get(expression.name)
    if isinstance(expression, Usual):
        return usual.get(expression.name)
    left = value(expression.left, answers, usual)
    right = value(expression.right, answers, usual)
    if left is None or right is None:
        return None
    try:
        if expression.op == "+":
            return left + right
        if expression.op == "-":
            return left - right
        if expression.op == "*":
            return left * right
        return left / right
    except (DivisionByZero, InvalidOperation):
        return None


def compare(
    comparison: Comparison, answers: Mapping[str, Decimal], usual: Mapping[str, Decimal]
) -> Sides | None:
    """Both sides and whether the comparison holds; None when a side is unknown."""
    left = value(comparison.left, answers, usual)
    right = value(comparison.right, answers, usual)
    if left is None or right is None:
        return None
    holds = {
        "<=": left <= right,
        "<": left < right,
        ">=": left >= right,
        ">": left > right,
        "==": left == right,
        "!=": left != right,
    }[comparison.op]
    return Sides(left, right, holds)


def holds(
    condition: tuple[Comparison, ...],
    answers: Mapping[str, Decimal],
    usual: Mapping[str, Decimal],
) -> bool | None:
    """Whether every comparison holds; None when one cannot be decided."""
    for comparison in condition:
        sides = compare(comparison, answers, usual)
        if sides is None:
            return None
        if not sides.holds:
            return False
    return True
