"""XLSForm expressions (``relevant``, ``constraint``, ``calculation``, ``choice_filter``):
a small XPath subset, parsed to a tree and evaluated over the answers, never handed to
``eval``.

An expression comes from a spreadsheet anybody may import and runs on answers typed by the
public, so the work is bounded before anything runs: the text's length, the number of nodes
and the nesting depth are capped when parsing (evaluation visits each node once and has no
loops), strings built while evaluating are capped, and ``regex()`` takes a literal pattern
of bounded length without nested repetition, matched against a bounded text. Anything wrong
raises :class:`ExpressionError` (or its subclass :class:`ExpressionLimit`), nothing else.

    expr    := or
    or      := and ("or" and)*
    and     := eq ("and" eq)*
    eq      := rel (("=" | "!=") rel)*
    rel     := add (("<" | "<=" | ">" | ">=") add)*
    add     := mul (("+" | "-") mul)*
    mul     := unary (("*" | "div" | "mod") unary)*
    unary   := "-" unary | primary
    primary := NUMBER | STRING | "${" NAME "}" | "." | NAME "(" [expr ("," expr)*] ")"
             | "(" expr ")"
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

MAX_SOURCE = 2000
MAX_NODES = 300
MAX_DEPTH = 40
MAX_NUMBER_TEXT = 30


class ExpressionError(ValueError):
    """An expression cannot be read or evaluated; the message says where and why."""


class ExpressionLimit(ExpressionError):
    """An expression is larger, deeper or asks for more work than is allowed."""


@dataclass(frozen=True)
class Literal:
    value: str | int | float  # numbers as written (str kept for exactness)
    is_number: bool


@dataclass(frozen=True)
class Ref:
    """``${name}``: the answer to another question."""

    name: str


@dataclass(frozen=True)
class Current:
    """``.``: the answer being checked (in a constraint)."""


@dataclass(frozen=True)
class Unary:
    op: str
    operand: Node


@dataclass(frozen=True)
class Binary:
    op: str
    left: Node
    right: Node


@dataclass(frozen=True)
class Call:
    name: str
    args: tuple[Node, ...]


Node = Literal | Ref | Current | Unary | Binary | Call

# name: (fewest arguments, most arguments or None for any)
FUNCTIONS: dict[str, tuple[int, int | None]] = {
    "selected": (2, 2),
    "count-selected": (1, 1),
    "string-length": (1, 1),
    "regex": (2, 2),
    "today": (0, 0),
    "now": (0, 0),
    "if": (3, 3),
    "coalesce": (2, 2),
    "not": (1, 1),
    "true": (0, 0),
    "false": (0, 0),
    "number": (1, 1),
    "string": (1, 1),
    "int": (1, 1),
    "round": (1, 2),
    "concat": (1, 20),
    "contains": (2, 2),
    "starts-with": (2, 2),
    "ends-with": (2, 2),
    "substr": (2, 3),
    "date": (1, 1),
    "boolean": (1, 1),
    "selected-at": (2, 2),
    "abs": (1, 1),
}

_TOKEN = re.compile(
    r"""\s*(?:
      (?P<ref>\$\{[A-Za-z_][A-Za-z0-9_.\-]*\})
    | (?P<number>\d+(?:\.\d*)?|\.\d+)
    | (?P<string>'[^']*'|"[^"]*")
    | (?P<name>[A-Za-z_][A-Za-z0-9_\-:]*)
    | (?P<op>!=|<=|>=|[-+*=<>(),.])
    )""",
    re.VERBOSE,
)


@dataclass(frozen=True)
class Token:
    kind: str  # ref, number, string, name, op, end
    text: str
    position: int


def tokenize(source: str) -> list[Token]:
    if len(source) > MAX_SOURCE:
        raise ExpressionLimit(f"the expression is longer than {MAX_SOURCE} characters")
    tokens: list[Token] = []
    position = 0
    while position < len(source):
        if source[position:].strip() == "":
            break
        found = _TOKEN.match(source, position)
        if found is None or found.end() == position:
            start = len(source) - len(source[position:].lstrip())
            raise ExpressionError(f"cannot read “{source[start : start + 12]}” (at {start + 1})")
        kind = found.lastgroup or "op"
        text = found.group(kind)
        if kind == "number" and len(text) > MAX_NUMBER_TEXT:
            raise ExpressionLimit(f"the number {text[:12]}… is too long")
        tokens.append(Token(kind, text, found.start(kind) + 1))
        position = found.end()
    tokens.append(Token("end", "", len(source) + 1))
    return tokens


class _Parser:
    def __init__(self, source: str, columns: bool = False) -> None:
        self.columns = columns
        self.tokens = tokenize(source)
        self.at = 0
        self.nodes = 0
        self.depth = 0

    def peek(self) -> Token:
        return self.tokens[self.at]

    def take(self, text: str | None = None) -> Token:
        token = self.peek()
        if token.kind == "end" or (text is not None and token.text != text):
            wanted = f"“{text}”" if text else "more"
            found = f"“{token.text}”" if token.text else "the end"
            raise ExpressionError(f"expected {wanted}, found {found} (at {token.position})")
        self.at += 1
        return token

    def node(self, node: Node) -> Node:
        self.nodes += 1
        if self.nodes > MAX_NODES:
            raise ExpressionLimit(f"the expression has more than {MAX_NODES} parts")
        return node

    def parse(self) -> Node:
        tree = self.expr()
        token = self.peek()
        if token.kind != "end":
            raise ExpressionError(f"unexpected “{token.text}” (at {token.position})")
        return tree

    def expr(self) -> Node:
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise ExpressionLimit(f"the expression is nested more than {MAX_DEPTH} deep")
        try:
            return self._binary(0)
        finally:
            self.depth -= 1

    _LEVELS: tuple[tuple[str, ...], ...] = (
        ("or",),
        ("and",),
        ("=", "!="),
        ("<", "<=", ">", ">="),
        ("+", "-"),
        ("*", "div", "mod"),
    )

    def _binary(self, level: int) -> Node:
        if level == len(self._LEVELS):
            return self.unary()
        left = self._binary(level + 1)
        while self.peek().kind in ("op", "name") and self.peek().text in self._LEVELS[level]:
            op = self.take().text
            left = self.node(Binary(op, left, self._binary(level + 1)))
        return left

    def unary(self) -> Node:
        if self.peek().text == "-" and self.peek().kind == "op":
            self.take()
            self.depth += 1
            if self.depth > MAX_DEPTH:
                raise ExpressionLimit(f"the expression is nested more than {MAX_DEPTH} deep")
            try:
                return self.node(Unary("-", self.unary()))
            finally:
                self.depth -= 1
        return self.primary()

    def primary(self) -> Node:
        token = self.take()
        if token.kind == "number":
            return self.node(Literal(token.text, True))
        if token.kind == "string":
            return self.node(Literal(token.text[1:-1], False))
        if token.kind == "ref":
            return self.node(Ref(token.text[2:-1]))
        if token.kind == "op" and token.text == ".":
            return self.node(Current())
        if token.kind == "op" and token.text == "(":
            inner = self.expr()
            self.take(")")
            return inner
        if token.kind == "name" and self.peek().text == "(":
            return self.call(token)
        if token.kind == "name" and self.columns:
            return self.node(Ref(COLUMN_PREFIX + token.text))
        if token.kind == "name":
            raise ExpressionError(
                f"“{token.text}” is not understood (at {token.position}); "
                "write another question as ${name}"
            )
        raise ExpressionError(f"unexpected “{token.text}” (at {token.position})")

    def call(self, token: Token) -> Node:
        name = token.text
        if name not in FUNCTIONS:
            raise ExpressionError(f"the function {name}() is not supported (at {token.position})")
        self.take("(")
        args: list[Node] = []
        if self.peek().text != ")":
            args.append(self.expr())
            while self.peek().text == ",":
                self.take(",")
                args.append(self.expr())
        self.take(")")
        fewest, most = FUNCTIONS[name]
        if len(args) < fewest or (most is not None and len(args) > most):
            wanted = str(fewest) if fewest == most else f"{fewest} to {most}"
            raise ExpressionError(
                f"{name}() takes {wanted} argument(s), not {len(args)} (at {token.position})"
            )
        if name == "regex":
            _check_pattern(args[1])
        return self.node(Call(name, tuple(args)))


MAX_PATTERN = 200
_NESTED_REPEAT = re.compile(r"\([^()]*[*+}][^()]*\)\s*[*+{]")


def _check_pattern(node: Node) -> None:
    """regex() takes a literal pattern that cannot backtrack without bound."""
    if not isinstance(node, Literal) or node.is_number:
        raise ExpressionError("regex() takes its pattern as a text in quotes")
    pattern = str(node.value)
    if len(pattern) > MAX_PATTERN:
        raise ExpressionLimit(f"the regex() pattern is longer than {MAX_PATTERN} characters")
    if _NESTED_REPEAT.search(pattern):
        raise ExpressionLimit("the regex() pattern repeats a repetition: it could run too long")
    try:
        re.compile(pattern)
    except (re.error, RecursionError, OverflowError) as exc:
        raise ExpressionError(f"the regex() pattern cannot be read: {exc}") from None


# In a choice_filter a bare name is a column of the choices sheet ("country = ${country}").
COLUMN_PREFIX = "@"


@lru_cache(maxsize=1024)
def parse(source: str, columns: bool = False) -> Node:
    """The tree of ``source``; raises :class:`ExpressionError`. ``columns``: bare names are
    columns of the choices sheet (a choice_filter), read as ``${@name}``."""
    if not isinstance(source, str) or not source.strip():
        raise ExpressionError("the expression is empty")
    return _Parser(source, columns).parse()


def references(node: Node) -> set[str]:
    """The question names ``node`` reads (``${name}``)."""
    if isinstance(node, Ref):
        return {node.name}
    if isinstance(node, Unary):
        return references(node.operand)
    if isinstance(node, Binary):
        return references(node.left) | references(node.right)
    if isinstance(node, Call):
        found: set[str] = set()
        for arg in node.args:
            found |= references(arg)
        return found
    return set()


def uses_current(node: Node) -> bool:
    if isinstance(node, Current):
        return True
    if isinstance(node, Unary):
        return uses_current(node.operand)
    if isinstance(node, Binary):
        return uses_current(node.left) or uses_current(node.right)
    if isinstance(node, Call):
        return any(uses_current(arg) for arg in node.args)
    return False
