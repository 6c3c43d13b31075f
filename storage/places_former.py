"""The 63 provinces, their districts and communes from before 1 July 2025, and what each is
part of now: read from the ``vietnamadminunits`` package (MIT), which ships the official
63 → 34 province merger and the commune-by-commune mapping with its data.

Only the package's data files are read (its SQLite dataset and its converter's JSON), not
its Python code: that would import shapely and geopy, and its converter may look an address
up online. Nothing here touches the network.

Read once per process, on first use (about a quarter of a second, in a worker thread), and
kept: some 10,000 old communes and 700 districts as small frozen records, a few megabytes.
Old communes whose name and unit did not change are left out: their current name finds them.
"""

from __future__ import annotations

import asyncio
import json
import sqlite3
import sys
import threading
from collections import defaultdict
from dataclasses import dataclass
from importlib.util import find_spec
from pathlib import Path

from bot.text import fold
from forms.readers.places_former import COMMUNE, DISTRICT, PROVINCE, Former, former_key

PACKAGE = "vietnamadminunits"


@dataclass(frozen=True)
class FormerUnits:
    """``provinces``: the old provinces that are no longer provinces (Quảng Nam, Hà Giang…);
    ``by_province``: old districts and communes by the code of the province they are in now."""

    provinces: tuple[Former, ...]
    by_province: dict[int, tuple[Former, ...]]


class FormerDataMissing(RuntimeError):
    """The package or its data files are not installed."""


def data_dir() -> Path:
    """The package's data folder, found without importing the package."""
    spec = find_spec(PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        raise FormerDataMissing(f"the {PACKAGE} package is not installed")
    folder = Path(next(iter(spec.submodule_search_locations))) / "data"
    if not (folder / "dataset.db").is_file() or not (folder / "converter_2025.json").is_file():
        raise FormerDataMissing(f"the {PACKAGE} package has no data files in {folder}")
    return folder


_lock = threading.Lock()
_loaded: FormerUnits | None = None


def former_units() -> FormerUnits:
    """The old units, read on the first call (from any thread) and kept."""
    global _loaded
    if _loaded is None:
        with _lock:
            if _loaded is None:
                _loaded = _read(data_dir())
    return _loaded


async def load_former_units() -> FormerUnits:
    """:func:`former_units` without holding up the event loop the first time."""
    return _loaded if _loaded is not None else await asyncio.to_thread(former_units)


def _read(folder: Path) -> FormerUnits:
    with (folder / "converter_2025.json").open(encoding="utf-8") as file:
        converter = json.load(file)
    uri = f"{(folder / 'dataset.db').as_uri()}?mode=ro&immutable=1"
    with sqlite3.connect(uri, uri=True) as db:
        current = db.execute(
            "SELECT provinceKey, provinceCode, province, wardKey, wardCode, ward FROM admin_units"
        ).fetchall()
        legacy = db.execute(
            "SELECT provinceKey, provinceShort, provinceKeywords, districtKey, district, "
            "wardKey, ward FROM admin_units_legacy ORDER BY provinceKey, districtKey, wardCode"
        ).fetchall()

    province_of: dict[str, tuple[int, str]] = {}  # current province key → (code, name)
    ward_of: dict[tuple[str, str], tuple[int, str]] = {}  # (province, ward key) → (code, name)
    for p_key, p_code, p_name, w_key, w_code, w_name in current:
        province_of[p_key] = (int(p_code), p_name)
        ward_of[p_key, w_key] = (int(w_code), w_name)

    # Old province key → current province key; old "province_district_ward" key → current
    # wards, the one most of it went to first.
    merged_into = {old: new for new, olds in converter["DICT_PROVINCE"].items() for old in olds}
    became: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for p_key, wards in converter["DICT_PROVINCE_WARD_NO_DIVIDED"].items():
        for w_key, olds in wards.items():
            for old in olds:
                became[old].append((p_key, w_key))
    for p_key, olds in converter["DICT_PROVINCE_WARD_DIVIDED"].items():
        for old, parts in olds.items():
            for part in sorted(parts, key=lambda part: not part["isDefaultNewWard"]):
                became[old].append((p_key, part["newWardKey"]))

    provinces: dict[str, Former] = {}
    districts: dict[tuple[str, str], tuple[str, str, dict[tuple[int, str], int]]] = {}
    communes: dict[int, list[Former]] = defaultdict(list)
    for p_key, p_short, p_keywords, d_key, d_name, w_key, w_name in legacy:
        new_province = merged_into.get(p_key)
        if new_province is None or new_province not in province_of:
            continue
        if p_key not in provinces and p_key != new_province:
            provinces[p_key] = Former(
                kind=PROVINCE,
                name=p_short,
                name_folded=former_key(p_short),
                within="",
                now=(province_of[new_province],),
                aliases=tuple(json.loads(p_keywords or "[]")),
            )
        d_name = sys.intern(d_name)
        targets = [
            (province_of[p][0], ward_of[p, w])
            for p, w in became.get(f"{p_key}_{d_key}_{w_key or ''}", ())
            if (p, w) in ward_of
        ]
        _, _, reached = districts.setdefault((p_key, d_key), (d_name, p_short, {}))
        for target in targets:
            reached[target] = reached.get(target, 0) + 1
        if not w_name or not targets:
            continue
        for code in dict.fromkeys(p for p, _ in targets):
            now = tuple(ward for p, ward in targets if p == code)
            if len(now) == 1 and fold(now[0][1]) == fold(w_name):
                continue  # same name, same unit: the current list finds it
            communes[code].append(
                Former(COMMUNE, w_name, former_key(w_name), d_name, tuple(dict.fromkeys(now)))
            )

    for d_name, p_short, reached in districts.values():
        by_code: dict[int, list[tuple[int, str]]] = defaultdict(list)
        # Most of the district first: the communes most of its old communes went to.
        for (code, ward), _ in sorted(reached.items(), key=lambda item: -item[1]):
            by_code[code].append(ward)
        for code, now in by_code.items():
            communes[code].append(Former(DISTRICT, d_name, former_key(d_name), p_short, tuple(now)))

    return FormerUnits(
        provinces=tuple(provinces.values()),
        by_province={code: tuple(units) for code, units in communes.items()},
    )
