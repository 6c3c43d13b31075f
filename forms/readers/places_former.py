"""Places as people will type them for years: names from before the merger of 1 July 2025.

Vietnam went from 63 provinces to 34, abolished districts and merged communes into 3,321
(Resolution 202/2025/QH15). Someone from old Quảng Nam types ``quang nam``, a commune that
no longer exists, or their old huyện; :func:`find_place` leads them to the unit that place is
part of now and keeps the old name it came through, so the bot can say so ("Quảng Nam nay
thuộc TP Đà Nẵng") rather than switch places silently. When an old name leads to several
units (a commune split in two, a district), they are offered to choose from.

Pure, like :mod:`forms.readers.places`: storage loads the old units (from the
``vietnamadminunits`` package) and says what each became.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from typing import Generic, Protocol, TypeVar

from bot.text import fold, nfc
from forms.readers.places import (
    DISTRICT_KINDS,
    MAX_QUERY,
    TYPE_WORDS,
    Named,
    Query,
    Unit,
    exact,
    kind_of,
    rank_matches,
    read_query,
    search_key,
    unique,
)

PROVINCE, DISTRICT, COMMUNE = "province", "district", "commune"

# Names of provinces that no list of units carries: a city's old and everyday names, and
# abbreviations whose initials fit two provinces, old or new, but mean one in speech ("ĐN" is
# Đà Nẵng, not Đồng Nai; "HN" Hà Nội, not old Hà Nam). Folded, type words off; each leads to
# the name matched instead.
PROVINCE_NICKNAMES: dict[str, str] = {
    "sai gon": "ho chi minh",
    "sg": "ho chi minh",
    "hcmc": "ho chi minh",
    "hn": "ha noi",
    "hp": "hai phong",
    "dn": "da nang",
    "thua thien hue": "hue",
    "thua thien": "hue",
    "tth": "hue",
}


@dataclass(frozen=True, slots=True)
class Former:
    """A unit from before 1 July 2025: one of the 63 provinces, a district, or a commune.

    ``name`` as it was written ("Quảng Nam" for a province, "Huyện Núi Thành", "Xã Tam
    Thanh"); ``within`` the district a commune was in ("Thành phố Tam Kỳ"); ``now`` the
    current units it is part of, as (code, name) pairs, the main one first (a commune split
    in several went mostly to one); ``aliases`` other names it went by, folded ("vung tau").
    """

    kind: str
    name: str
    name_folded: str
    within: str
    now: tuple[tuple[int, str], ...]
    aliases: tuple[str, ...] = ()


@dataclass(frozen=True)
class Became(Generic[Unit]):
    """An old unit that fits what was typed, and the current units it is part of."""

    former: Former
    now: tuple[Unit, ...]


@dataclass(frozen=True)
class Option(Generic[Unit]):
    """A unit to choose, and the old unit it is offered for (None: its own name fits)."""

    unit: Unit
    former: Former | None = None


@dataclass(frozen=True)
class Search(Generic[Unit]):
    """What a typed place leads to.

    ``found`` is the unit meant, when that is clear; otherwise ``options`` are the units to
    choose from, best first, and ``more`` how many further matches were left out. ``became``
    are the old units the answer came through: with ``found``, the ones to tell about; with
    ``options``, those the options came from. ``named`` is set when the name typed is both a
    current unit's (offered first) and an old district's (``became``, its other units offered
    after): "tam ky" is Phường Tam Kỳ, or one of the wards the old city of Tam Kỳ became.
    """

    found: Unit | None = None
    options: tuple[Option[Unit], ...] = ()
    became: tuple[Became[Unit], ...] = ()
    more: int = 0
    named: Unit | None = None


def former_key(name: str) -> str:
    """An old unit's name folded, without its type word: "Thị trấn Núi Thành" → "nui thanh"."""
    key = fold(name)
    for word in ("thanh pho", "tinh", "quan", "huyen", "thi xa", "thi tran", "phuong", "xa"):
        if key.startswith(word + " "):
            return key[len(word) + 1 :]
    return key


def find_place(
    query: str,
    units: Sequence[Unit],
    former: Sequence[Former],
    now: Callable[[Former], tuple[Unit, ...]],
    *,
    level: str,
    limit: int,
) -> Search[Unit]:
    """The current unit that ``query`` names among ``units`` (the provinces, or the
    communes of one province: ``level``), directly or through one of the ``former`` units.

    A current name that fits whole wins over an old one spelled alike, unless the type word
    typed is the old unit's ("thị trấn Cao Lộc"). An old name typed whole leads to what it
    became; several old units of that name (or one split in several) are offered. At the province level an old name typed in part is offered beside the current
    names it also fits; at the commune level (hundreds of old names) it is offered only when
    no current name fits. A type word of a district ("huyện", "q.") looks among the old
    districts first. ``now`` maps an old unit to the current ones it is part of (those among
    ``units``); ``limit`` caps the options.

    A current commune named like an old district of the province ("tam ky", "thu duc") is
    offered first, beside the other communes that district became: the person may be from the
    old district. A commune's type word ("phường tam kỳ") takes the commune.

    A commune may come with where it was: "phường 1, quận 3", "Tam Thanh, Tam Kỳ", "p1 q3",
    and a numbered ward with no comma at all: "phường 12 gò vấp", "F.12 Gò Vấp"; when the
    whole line finds no single unit, the part before is looked for among the old units of the
    place named after.
    """
    found = _find(query, units, former, now, level=level, limit=limit)
    if level != COMMUNE or found.found is not None:
        return found
    split = _split_within(query)
    if split is None:
        return found
    part, within = split
    inside = [f for f in former if _within(f, within)]
    narrowed = _find(part, units, inside, now, level=level, limit=limit)
    if narrowed.found is not None or (
        narrowed.options and (not found.options or len(narrowed.options) < len(found.options))
    ):
        return narrowed
    return found


COMMUNE_KINDS = frozenset(TYPE_WORDS.values()) - DISTRICT_KINDS - {"tinh"}
# Where a commune's name ends and its old district's begins: a comma, or a district's type
# word ("quận 3", "q.3", "huyện Núi Thành", "tp Tam Kỳ") after the first word.
_WITHIN = re.compile(
    r"\s*[,;]\s*|\s+(?=(?:quận|quan|huyện|huyen|thị xã|thi xa|tx|thành phố|thanh pho|tp|q|h)"
    r"(?:[.\s]|\d))",
    re.IGNORECASE,
)


# A numbered ward and the place it was in, with nothing between ("phường 12 gò vấp", "p12 go
# vap", "F.12 Gò Vấp"): what follows the number, read after the type word.
_NUMBERED_THEN = re.compile(r"^(\d+) (.+)$")
# A numbered ward anywhere in the folded text ("gò vấp p.12" is "go vap p 12").
_NUMBERED = re.compile(r"(?:^| )(?:phuong|p|f) ?\d+(?: |$)")


def looks_like_numbered_ward(text: str) -> bool:
    """Whether the text names a numbered ward ("phường 12", "p12", "F.12"): there were dozens
    of each number, so one is found only with its old district."""
    return bool(_NUMBERED.search(read_query(text).full))


def _split_within(query: str) -> tuple[str, str] | None:
    text = nfc(query[: MAX_QUERY * 2])
    for match in _WITHIN.finditer(text):
        part, rest = text[: match.start()], text[match.end() :]
        if read_query(part).key and read_query(rest).key:
            return part, rest
    typed = read_query(text)
    numbered = _NUMBERED_THEN.match(typed.key) if typed.kind == "phuong" else None
    if numbered is not None:
        return f"phuong {numbered[1]}", numbered[2]
    return None


def _within(old: Former, where: str) -> bool:
    """Whether an old unit was in the place named ("quận 3" for Phường 1 of Quận 3)."""
    words = read_query(where).key.split()
    within = former_key(old.within).split()
    return bool(words) and all(any(w.startswith(word) for w in within) for word in words)


def _find(
    query: str,
    units: Sequence[Unit],
    former: Sequence[Former],
    now: Callable[[Former], tuple[Unit, ...]],
    *,
    level: str,
    limit: int,
) -> Search[Unit]:
    typed = read_query(query)
    if level == PROVINCE and typed.key in PROVINCE_NICKNAMES:
        query = PROVINCE_NICKNAMES[typed.key]
        typed = read_query(query)
    district_typed = level == COMMUNE and typed.kind in DISTRICT_KINDS
    if district_typed:
        former = [f for f in former if f.kind == DISTRICT]
    elif level == COMMUNE and typed.kind in COMMUNE_KINDS:
        former = [f for f in former if f.kind == COMMUNE]
    matches = rank_matches(query, units)
    chosen = unique(matches, query)
    named = exact(matches, query)
    old = rank_matches(query, former)
    whole = exact(old, query) or _aliased(typed.key, former)

    if chosen is not None and not district_typed:
        if chosen in named:
            # The current name wins over an old one spelled alike ("cao loc": Xã Cao Lộc, not
            # the old Thị trấn Cao Lộc), unless the type word typed is the old one's.
            rivals = [f for f in whole if f.kind != DISTRICT and _kind_points_to(typed, f, chosen)]
            if rivals:
                return _choose([], _became(rivals, now), limit)
            # An old district of that name too ("tam ky"): its communes beside this one.
            districts = _became([f for f in whole if f.kind == DISTRICT], now)
            shared = _choose([chosen], districts, limit)
            if shared.options:
                return replace(shared, named=chosen)
            return Search(found=chosen)
        if whole:  # "tam thanh": Xã Tam Thanh Đông now, or the old Xã Tam Thanh?
            return _choose([chosen], _became(whole, now), limit)
        if level == PROVINCE and old:  # "dak": Đắk Lắk, or the old Đắk Nông?
            return _choose([chosen], _became(old, now), limit)
        return Search(found=chosen)
    if whole:
        # A district named like current communes ("da lat": the old city, and the wards
        # called "… - Đà Lạt") offers those communes first, under their own names.
        districts = all(f.kind == DISTRICT for f in whole) and not district_typed
        return _choose(named or (matches if districts else []), _became(whole, now), limit)
    if chosen is not None:  # a district's type word, but no old district of that name
        return Search(found=chosen)
    if matches and level == PROVINCE:
        return _choose(matches, _became(old, now), limit)
    if matches:
        return _choose(matches, (), limit)
    return _choose([], _became(old, now), limit)


def _kind_points_to(typed: Query, old: Former, current: Named) -> bool:
    """Whether the type word typed is the old unit's and not the current one's ("thị trấn
    Cao Lộc" is the old town, not today's Xã Cao Lộc)."""
    if typed.kind is None:
        return False
    return kind_of(old.name) == typed.kind != kind_of(current.name)


def _aliased(key: str, former: Sequence[Former]) -> list[Former]:
    compact = key.replace(" ", "")
    return [f for f in former if compact in f.aliases] if compact else []


def _became(
    former: Sequence[Former], now: Callable[[Former], tuple[Unit, ...]]
) -> tuple[Became[Unit], ...]:
    pairs = (Became(f, now(f)) for f in former)
    return tuple(b for b in pairs if b.now)


def _choose(current: Sequence[Unit], became: tuple[Became[Unit], ...], limit: int) -> Search[Unit]:
    """The one unit these lead to, or the options among them: each unit once, under its own
    name when it fits by it, except that an old province is offered under its old name too.
    Old units whose every unit is offered under its own name are not told about."""
    options: list[Option[Unit]] = [Option(u) for u in current]
    seen = {id(u) for u in current}
    for b in became:
        for unit in b.now:
            if id(unit) not in seen or b.former.kind == PROVINCE:
                options.append(Option(unit, b.former))
                seen.add(id(unit))
    direct = {id(u) for u in current}
    if len(seen) == 1:
        unit = options[0].unit
        told = () if id(unit) in direct else became
        return Search(found=unit, became=told)
    if not options:
        return Search()
    shown = tuple(options[:limit])
    kept = tuple(b for b in became if any(o.former is b.former for o in shown))
    return Search(options=shown, became=kept, more=len(options) - len(shown))


class Coded(Protocol):
    @property
    def code(self) -> int: ...

    @property
    def name(self) -> str: ...

    @property
    def name_folded(self) -> str: ...


CodedUnit = TypeVar("CodedUnit", bound=Coded)


def now_in(units: Sequence[CodedUnit]) -> Callable[[Former], tuple[CodedUnit, ...]]:
    """What an old unit became, among ``units``: each (code, name) it lists, found by name.

    Names decide, not codes: the package and our list (from ``vietnam-provinces``) agree on
    every name but not on every code. They may differ in accents' place ("Hòa"/"Hoà"),
    spacing and the type word ("Tỉnh Bắc Ninh"/"Bắc Ninh"); where two of ours fold alike
    ("Xã Văn Lang", "Xã Văn Lăng") the exact spelling, then the code, decides.
    """
    by_key: dict[str, list[CodedUnit]] = defaultdict(list)
    for unit in units:
        by_key[unit.name_folded].append(unit)

    def spelled(name: str) -> str:
        return " ".join(nfc(name).casefold().split())

    def one(code: int, name: str) -> CodedUnit | None:
        found = by_key.get(search_key(name), [])
        if len(found) > 1:
            found = [u for u in found if spelled(u.name) == spelled(name)] or [
                u for u in found if u.code == code
            ]
        return found[0] if len(found) == 1 else None

    def now(old: Former) -> tuple[CodedUnit, ...]:
        return tuple(dict.fromkeys(u for code, name in old.now if (u := one(code, name))))

    return now
