"""Finding a province or commune by what people type: part of its name, any accents, with or
without its type word (``Thành phố``, ``Xã``), or its initials (``hcm``).

Pure matching on names, no database: storage (``storage.places``, the importers) feeds it
the units it loaded. Anything with a ``name`` and its ``name_folded`` (the
:func:`search_key` of the name) can be matched.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache
from typing import Protocol, TypeVar

from bot.text import fold

# Words of the unit's type that people add or leave out when typing a name.
TYPE_PREFIXES = ("thanh pho ", "tinh ", "phuong ", "xa ", "dac khu ")


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


@lru_cache(maxsize=4096)  # every unit's name, so a search does not fold them all again
def initials(name: str) -> tuple[str, str]:
    """ "Thành phố Hồ Chí Minh" → ("hcm", "tphcm"): the abbreviations people type."""
    full = "".join(word[0] for word in fold(name).split())
    short = "".join(word[0] for word in search_key(name).split())
    return short, full


def rank_matches(query: str, units: Sequence[Unit]) -> list[Unit]:
    """Units whose name has a word starting with each word typed, best first.

    ``ha`` finds Hà Nội and Hải Phòng but not Thanh Hóa; when no name fits that way, any
    name holding the words anywhere is taken (people type parts of words too). An exact
    name wins; then names that start with the query; then the rest by name.

    A word typed twice is checked once, and each unit's check stops at the first word it
    lacks, so a long line of repeated words costs one pass over it, not one per unit.
    """
    key = search_key(query)
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
        found = [u for u in units if key in initials(u.name)]

    def score(unit: Unit) -> tuple[int, str]:
        if unit.name_folded == key:
            return (0, unit.name_folded)
        if unit.name_folded.startswith(key):
            return (1, unit.name_folded)
        if f" {key}" in f" {unit.name_folded}":
            return (2, unit.name_folded)
        return (3, unit.name_folded)

    return sorted(found, key=score)


def unique(matches: Sequence[Unit], query: str) -> Unit | None:
    """The unit the person meant: the only match, or the only one named exactly so."""
    if len(matches) == 1:
        return matches[0]
    key = search_key(query)
    exact = [m for m in matches if m.name_folded == key]
    return exact[0] if len(exact) == 1 else None
