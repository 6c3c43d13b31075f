"""Finding a province or commune by what people type: part of its name, any accents, with or
without its type word (``Thành phố``, ``TP.``, ``Xã``, ``x.``, ``P.``), or its initials (``hcm``).

Pure matching on names, no database: storage (``storage.places``, the importers) feeds it
the units it loaded. Anything with a ``name`` and its ``name_folded`` (the
:func:`search_key` of the name) can be matched. Names from before the July-2025 merger are
resolved in :mod:`forms.readers.places_former`.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Protocol, TypeVar

from bot.text import fold, nfc

# Words of the unit's type that people add or leave out when typing a name. Only these are
# taken off the names we store (``name_folded``): the tables hold them, so they stay as they are.
TYPE_PREFIXES = ("thanh pho ", "tinh ", "phuong ", "xa ", "dac khu ")

# What people write before a name to say what kind of unit it is (folded, so "TP." is "tp"
# and "T.P" is "t p"), and the kind each stands for. Districts (quận, huyện, thị xã) and
# towns (thị trấn) were abolished in July 2025 but are still typed.
TYPE_WORDS: dict[str, str] = {
    "thanh pho": "thanh pho",
    "tp": "thanh pho",
    "t p": "thanh pho",
    "tinh": "tinh",
    "phuong": "phuong",
    "p": "phuong",
    "f": "phuong",  # Saigon's habit: F.1 for Phường 1
    "xa": "xa",
    "x": "xa",
    "thi tran": "thi tran",
    "tt": "thi tran",
    "dac khu": "dac khu",
    "dk": "dac khu",
    "quan": "quan",
    "q": "quan",
    "huyen": "huyen",
    "h": "huyen",
    "thi xa": "thi xa",
    "tx": "thi xa",
}
# The kinds that name an old district rather than a commune.
DISTRICT_KINDS = frozenset({"quan", "huyen", "thi xa", "thanh pho"})
# Longest first, so "thi tran" is taken before "t" could be.
_TYPE_WORD = re.compile(
    r"^(" + "|".join(sorted((re.escape(w) for w in TYPE_WORDS), key=len, reverse=True)) + r") "
)
# "p1", "q10", "f.1" (fold makes "f 1"): a type letter glued to a ward or district number.
_GLUED_NUMBER = re.compile(r"^([pfqx])(\d+)\b")
_NOT_WORD = re.compile(r"[^\w\s]")
# Longer than any unit's name; what follows cannot be part of one (and costs nothing).
MAX_QUERY = 200


class Named(Protocol):
    """A province or commune as matching sees it."""

    @property
    def name(self) -> str: ...

    @property
    def name_folded(self) -> str: ...


Unit = TypeVar("Unit", bound=Named)


def search_key(name: str) -> str:
    """The folded name without its type word: "Thành phố Hà Nội" → "ha noi"."""
    key = fold(name)
    for prefix in TYPE_PREFIXES:
        if key.startswith(prefix):
            return key[len(prefix) :]
    return key


@dataclass(frozen=True)
class Query:
    """What someone typed, read for matching.

    ``full`` is the folded text; ``key`` the same without the type word in front ("tp hcm" →
    "hcm", "x. tam thanh" → "tam thanh", "p1" → "1"); ``kind`` the kind that word stands for
    ("thanh pho", "xa", "huyen"…), or None when none was typed.
    """

    full: str
    key: str
    kind: str | None


def read_query(text: str) -> Query:
    # Cut before caching: a cache keyed by whole messages could grow with what is sent.
    return _read_query(text[: MAX_QUERY * 2])


@lru_cache(maxsize=1024)
def _read_query(text: str) -> Query:
    full = fold(text)[:MAX_QUERY].strip()
    full = _GLUED_NUMBER.sub(r"\1 \2", full)
    match = _TYPE_WORD.match(full + " ")
    if match is None:
        return Query(full, full, None)
    key = full[match.end() :].strip()
    return Query(full, key, TYPE_WORDS[match[1]])


def kind_of(name: str) -> str | None:
    """The type word a unit's name starts with ("Thị trấn Núi Thành" → "thi tran")."""
    match = _TYPE_WORD.match(fold(name) + " ")
    return TYPE_WORDS[match[1]] if match else None


def _accented(text: str) -> str:
    """Lower case with its accents, punctuation as spaces: tells "Lăng" from "Lang"."""
    return " ".join(_NOT_WORD.sub(" ", nfc(text).casefold()).split())


@lru_cache(maxsize=16384)  # every name, current and old, so a search does not fold them again
def initials(name: str) -> tuple[str, str]:
    """ "Thành phố Hồ Chí Minh" → ("hcm", "tphcm"): the abbreviations people type."""
    full = "".join(word[0] for word in fold(name).split())
    short = "".join(word[0] for word in search_key(name).split())
    return short, full


def rank_matches(query: str, units: Sequence[Unit]) -> list[Unit]:
    """Units whose name has a word starting with each word typed, best first.

    ``ha`` finds Hà Nội and Hải Phòng but not Thanh Hóa; when no name fits that way, any
    name holding the words anywhere is taken (people type parts of words too). A type word
    in front ("TP.", "x.", "phường") is not needed to match. An exact name wins; then names
    that start with the query; then the rest by name.

    A word typed twice is checked once, and each unit's check stops at the first word it
    lacks, so a long line of repeated words costs one pass over it, not one per unit.
    """
    typed = read_query(query)
    key = typed.key
    if not key:
        return []
    words = key.split()
    distinct = tuple(dict.fromkeys(words))

    def word_prefixes(unit: Unit) -> bool:
        name_words = unit.name_folded.split()
        return all(any(nw.startswith(w) for nw in name_words) for w in distinct)

    found = [u for u in units if word_prefixes(u)]
    if not found:
        found = [u for u in units if all(word in u.name_folded for word in distinct)]
    if not found and len(words) == 1:  # initials, as in "hcm" or "tphcm"
        compact = typed.full.replace(" ", "")
        found = [u for u in units if key in initials(u.name) or compact in initials(u.name)]

    def score(unit: Unit) -> tuple[int, str]:
        if unit.name_folded in (key, typed.full):
            return (0, unit.name_folded)
        if unit.name_folded.startswith(key):
            return (1, unit.name_folded)
        if f" {key}" in f" {unit.name_folded}":
            return (2, unit.name_folded)
        return (3, unit.name_folded)

    return sorted(found, key=score)


def exact(matches: Sequence[Unit], query: str) -> list[Unit]:
    """The matches named exactly as typed (accents, case and type word aside); where two
    such names differ only by their type ("Phường Tân Lập", "Xã Tân Lập") or their accents
    ("Xã Văn Lang", "Xã Văn Lăng"), the type word and the accents typed choose."""
    typed = read_query(query)
    found = [m for m in matches if m.name_folded in (typed.key, typed.full)]
    if len(found) > 1 and typed.kind is not None:
        found = [m for m in found if kind_of(m.name) == typed.kind] or found
    if len(found) > 1 and typed.key:
        # The words typed after the type word, with the accents they were typed with, if the
        # person types accents at all ("Xã Tam Thanh" is not Tam Thành); "tam thanh" fits all.
        accented = _accented(query[: MAX_QUERY * 2])
        if accented != fold(accented):
            tail = " ".join(accented.split()[-len(typed.key.split()) :])
            found = [m for m in found if _accented(m.name).endswith(tail)] or found
    return found


def unique(matches: Sequence[Unit], query: str) -> Unit | None:
    """The unit the person meant: the only match, or the only one named exactly so."""
    if len(matches) == 1:
        return matches[0]
    named = exact(matches, query)
    return named[0] if len(named) == 1 else None
