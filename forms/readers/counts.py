"""Two counts in one answer ("2 lớp, 60 người", "2 hội chợ và 3 triển lãm").

Officers answer the question and the next one together. Storing either number silently
would be a misread, and a bare "type a whole number" does not say what went wrong: the
answer is split, each part read as an answer of its own, and the one this question counts is
offered for confirmation (all of them, added up, when every part is of its kind: the fairs
and the exhibitions of "Số hội chợ, triển lãm").
"""

from __future__ import annotations

import re
from collections.abc import Callable
from decimal import Decimal

from forms.readers import nouns
from forms.readers.results import (
    MSG_COUNTS_TOTAL,
    MSG_ONE_COUNT,
    MSG_ONE_NUMBER,
    MSG_OTHER_NOUN,
    NeedsConfirmation,
    Ok,
    Rejected,
    match_key,
)
from forms.readers.words import NUMBER_WORDS

# Between counts: a semicolon or plus; a comma after a word or before a space ("2 lớp,60
# người", "2 lớp, 60 người"; never "1,5"); "và"/"với"/"and"; a number right after a word.
_BETWEEN = re.compile(
    r"\s*[;+]\s*|(?<=[^\W\d_])\s*,\s*|,\s+|\s+(?:và|va|với|voi|and)\s+|(?<=[^\W\d_])\s+(?=\d)",
    re.IGNORECASE,
)
_MAX_PARTS = 4
_NUMBER_FIRST = re.compile(r"^\s*(?:khoảng|khoang|tầm|tam|về|ve)?\s*\d[\d.,]*\s*", re.IGNORECASE)

Read = Callable[[str], "Ok[Decimal] | NeedsConfirmation[Decimal] | Rejected"]


def _noun(part: str) -> str:
    """The counted noun as typed: the part without its number ("2 lớp" → "lớp")."""
    rest = _NUMBER_FIRST.sub("", part, count=1)
    if rest == part:  # a number in words: "ba lớp"
        first, _, after = part.strip().partition(" ")
        rest = after if match_key(first) in NUMBER_WORDS else part
    return rest.strip() or part.strip()


def one_of_counts(
    text: str, read: Read, shown: Callable[[Decimal], str], example: str
) -> NeedsConfirmation[Decimal] | Rejected | None:
    """What to say of an answer holding several counts, or None when it does not (each part
    must be a count with its noun: of this question's kind, or of another kind)."""
    parts = [part for part in _BETWEEN.split(text) if part.strip()]
    if not 2 <= len(parts) <= _MAX_PARTS:
        return None
    fitting: list[tuple[str, Decimal]] = []
    for part in parts:
        if nouns.noun_at(match_key(_noun(part)).split(), 0)[0] is None:
            return None  # "2 lớp, 60": is 60 this question's? "2 tỷ 3 tỷ": no nouns at all
        reading = read(part)
        if isinstance(reading, Ok):
            fitting.append((part, reading.value))
        elif not (isinstance(reading, Rejected) and reading.message == MSG_OTHER_NOUN):
            return None
    if len(fitting) == 1:
        part, value = fitting[0]
        return NeedsConfirmation(
            value, None, MSG_ONE_COUNT, {"noun": _noun(part), "value": shown(value)}
        )
    if len(fitting) == len(parts):
        total = sum((value for _, value in fitting), Decimal(0))
        checked = read(format(total, "f"))  # the total within the question's bounds too
        if not isinstance(checked, Ok):
            return checked if isinstance(checked, Rejected) else None
        return NeedsConfirmation(total, None, MSG_COUNTS_TOTAL, {"value": shown(total)})
    return Rejected(MSG_ONE_NUMBER, {"example": example})
