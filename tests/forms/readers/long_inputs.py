"""Long answers built to find the slow paths of the readers: runs of spaces before a letter
(a regular expression that backtracks), many separators or numbers (a loop per part), long
words, repeated or all-different words (a loop per word inside a loop per option).

Shared by tests/forms/readers/test_long_inputs.py (every reader returns a proper result)
and ``python -m bench.readers`` (how long each takes).
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable

#: The longest answer the readers are promised to read in a few milliseconds.
LONGEST = 3_999


def _fill(unit: str, length: int, tail: str = "") -> str:
    """``unit`` repeated, then ``tail``, cut to exactly ``length`` characters."""
    body = unit * (length // max(1, len(unit)) + 1)
    return (body[: max(0, length - len(tail))] + tail)[:length]


def _label_pieces(length: int) -> str:
    """All-different pieces of real option labels (``du l``, ``lich c``…) joined by commas:
    each part must be matched against every option, none repeats."""
    label = "dich vu du lich cong dong du lich sinh thai va diem du lich"
    pieces = [
        label[start : start + size]
        for size in range(3, 12)
        for start in range(len(label) - size + 1)
    ]
    return _fill(", ".join(pieces) + ", ", length)


FAMILIES: dict[str, Callable[[int], str]] = {
    "spaces then x": lambda n: _fill(" ", n, "x"),
    "x then spaces": lambda n: "x" + _fill(" ", n - 1),
    "tabs then x": lambda n: _fill("\t", n, "x"),
    "no-break spaces then x": lambda n: _fill("\u00a0", n, "x"),
    "newlines then x": lambda n: _fill("\n", n, "x"),
    "spaces then 12": lambda n: _fill(" ", n, "12"),
    "commas": lambda n: _fill(",", n),
    "comma space, then x": lambda n: _fill(", ", n, "x"),
    "và và và": lambda n: _fill(" và", n),
    "digits": lambda n: _fill("9", n),
    "1 1 1": lambda n: _fill("1 ", n),
    "1 1 1 then x": lambda n: _fill("1 ", n, "x"),
    "1,1,1": lambda n: _fill("1,", n),
    "1.1.1": lambda n: _fill("1.", n),
    "1/1/1": lambda n: _fill("1/", n),
    "1 000 000": lambda n: "1" + _fill(" 000", n - 1),
    "digits then x": lambda n: _fill("1", n, "x"),
    "1 2 3 … 9": lambda n: _fill("1 2 3 4 5 6 7 8 9 ", n),
    "one long word": lambda n: _fill("a", n),
    "ab ab ab": lambda n: _fill("ab ", n),
    "du du du": lambda n: _fill("du ", n),
    "h h h": lambda n: _fill("h ", n),
    "ha noi ha noi": lambda n: _fill("ha noi ", n),
    "dạ dạ … có": lambda n: _fill("dạ ", n, "có"),
    "có ạ ạ ạ": lambda n: "có" + _fill(" ạ", n - 2),
    "label pieces": _label_pieces,
    "Hợp tác xã (NFD)": lambda n: _fill(unicodedata.normalize("NFD", "Hợp tác xã "), n),
    "combining marks": lambda n: "a" + _fill("\u0301", n - 1),
    "emoji": lambda n: _fill("👍", n),
    "dashes": lambda n: _fill("-", n),
    "plus then 1": lambda n: _fill("+", n, "1"),
    "ngày tháng": lambda n: _fill("ngày 1 tháng ", n),
    "mười mười": lambda n: _fill("mười ", n),
    "khoảng khoảng … 12": lambda n: _fill("khoảng ", n, "12"),
    "12 sp sp sp": lambda n: "12" + _fill(" sp", n - 2),
    "1 triệu 2 trăm": lambda n: _fill("1 triệu 2 trăm ", n),
    "có, có, có": lambda n: _fill("có, ", n),
    "cảm ơn nhiều": lambda n: "có" + _fill(" cảm ơn nhiều", n - 2),
    "10:30 10:30": lambda n: _fill("10:30 ", n, "15/3"),
    "sđt sđt": lambda n: _fill("sđt ", n, "0912345678"),
    "zero-width": lambda n: _fill("\u200b", n, "12"),
}


def long_inputs(length: int = LONGEST) -> dict[str, str]:
    """Every family at ``length`` characters."""
    return {name: make(length) for name, make in FAMILIES.items()}
