"""Provinces and communes by what people type: part of the name, any accents, initials."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

import pytest
from vietnam_provinces import Province as VpProvince

from forms.readers import initials, rank_matches, search_key, unique


@dataclass(frozen=True)
class Place:
    """What matching needs of a unit (the tables hold these fields)."""

    name: str
    name_folded: str


def place(name: str) -> Place:
    return Place(name, search_key(name))


def names(units: list[Place]) -> list[str]:
    return [unit.name for unit in units]


PROVINCES = [place(p.name) for p in VpProvince.iter_all()]
COMMUNES = [
    place(name)
    for name in ("Phường Thanh Hà", "Xã Hà Châu", "Phường Hà", "Xã An Hải", "Xã Văn Lang")
]


@pytest.mark.parametrize(
    ("name", "key"),
    [
        ("Thành phố Hà Nội", "ha noi"),
        ("Tỉnh Thanh Hóa", "thanh hoa"),
        ("Phường Bến Thành", "ben thanh"),
        ("Xã Văn Lang", "van lang"),
        ("Đặc khu Phú Quốc", "phu quoc"),
        ("Hà Nội", "ha noi"),
        (unicodedata.normalize("NFD", "Thành phố Hà Nội"), "ha noi"),
        ("  THÀNH PHỐ   HÀ NỘI ", "ha noi"),
        ("Thành phố", "thanh pho"),
        ("", ""),
    ],
)
def test_search_key_drops_accents_and_the_type_word(name: str, key: str) -> None:
    assert search_key(name) == key


def test_initials_with_and_without_the_type_word() -> None:
    assert initials("Thành phố Hồ Chí Minh") == ("hcm", "tphcm")
    assert initials("Tỉnh Lào Cai") == ("lc", "tlc")
    assert initials("") == ("", "")


def test_a_word_start_finds_every_name_with_such_a_word() -> None:
    found = names(rank_matches("ha", PROVINCES))
    assert "Thành phố Hà Nội" in found
    assert "Thành phố Hải Phòng" in found
    assert "Tỉnh Thanh Hóa" not in found


@pytest.mark.parametrize(
    "typed", ["ha noi", "Hà Nội", "HA NOI", "thanh pho ha noi", "hn", "ha ha noi"]
)
def test_the_capital_however_it_is_typed(typed: str) -> None:
    found = rank_matches(typed, PROVINCES)
    assert unique(found, typed) == place("Thành phố Hà Nội"), names(found)


@pytest.mark.parametrize("typed", ["hcm", "tphcm", "ho chi minh", "Hồ Chí Minh", "ho chi"])
def test_initials_and_words(typed: str) -> None:
    assert names(rank_matches(typed, PROVINCES)) == ["Thành phố Hồ Chí Minh"]


def test_the_best_match_comes_first() -> None:
    # Exact, then names starting with the query, then a later word, each by name.
    assert names(rank_matches("ha", COMMUNES)) == [
        "Phường Hà",
        "Xã Hà Châu",
        "Xã An Hải",
        "Phường Thanh Hà",
    ]


def test_part_of_a_word_when_no_word_starts_so() -> None:
    assert names(rank_matches("ang", COMMUNES)) == ["Xã Văn Lang"]
    assert names(rank_matches("chau ha", COMMUNES)) == ["Xã Hà Châu"]


@pytest.mark.parametrize("typed", ["", "   ", "🙂", "xyz", "Xã", "q q"])
def test_nothing_found(typed: str) -> None:
    assert rank_matches(typed, COMMUNES) == []
    assert unique([], typed) is None


def test_unique_is_the_only_match_or_the_only_exact_name() -> None:
    ha, ha_chau = place("Phường Hà"), place("Xã Hà Châu")
    assert unique([ha_chau], "ha") == ha_chau
    assert unique([ha, ha_chau], "Hà") == ha
    assert unique([ha, ha_chau], "h") is None
    assert unique([ha, place("Xã Hà")], "ha") is None  # two places named alike
