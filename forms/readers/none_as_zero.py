"""Answers that mean zero to a count or an amount: "không" to "how many fairs did you
attend?", "chưa có doanh thu", "ko có lớp nào", "chưa phát sinh"; never "không biết" (don't
know) nor "chưa có số liệu" (no figures yet), which are not a number."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

from forms.readers import nouns
from forms.readers.amounts import Amount

# Answers that mean zero ("không" to "how many fairs did you attend?", "chưa có doanh thu").
_ZERO_PHRASES = frozenset(
    {"khong", "ko", "k", "kh", "khg", "hok", "hong", "khong co", "ko co", "k co", "kh co",
     "hok co", "hong co", "chua", "chua co", "chua co gi", "khong co gi", "ko co gi",
     "none", "zero", "nil", "nothing", "no"}
)  # fmt: skip
_ZERO_TAIL = frozenset({"nao", "gi", "ca", "het", "luon", "dau", "ai", "any"})
# "Chưa phát sinh", "chưa bán được", "không sản xuất": nothing was done that the question
# measures. By kind of question: "không bán được" is no revenue, not no output.
_NOTHING_DONE = frozenset({"phat", "sinh", "co"})
_NOTHING_DONE_BY_DIMENSION: dict[str | None, frozenset[str]] = {
    "money": frozenset({"ban", "duoc", "thu", "kinh", "doanh"}),
    "mass": frozenset({"san", "xuat", "sx", "thu", "hoach", "lam", "duoc"}),
    None: frozenset({"to", "chuc", "tham", "gia", "lam", "duoc"}),
}


def none_as_zero(
    core: Sequence[str], question: nouns.Context, dimension: str | None
) -> Amount | None:
    """Zero when the answer says "none" (``không``, ``chưa có doanh thu``, ``ko có lớp nào``,
    ``chưa phát sinh``); not for "không biết" (don't know) or "chưa có số liệu"."""
    done = _NOTHING_DONE | _NOTHING_DONE_BY_DIMENSION.get(dimension, frozenset())
    for size in (3, 2, 1):
        if " ".join(core[:size]) not in _ZERO_PHRASES:
            continue
        rest = [word for word in core[size:] if word not in _ZERO_TAIL]
        known = question.words | nouns.FILLERS | done
        if all(word in known for word in rest) or nouns.fit(rest, question) is nouns.Fit.FITS:
            return Amount(Decimal(0), None, False, "", False)
        return None
    return None
