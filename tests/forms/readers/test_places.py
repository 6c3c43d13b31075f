"""Provinces and communes by what people type: part of the name, any accents, initials."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

import pytest
from vietnam_provinces import Province as VpProvince

from forms.readers import initials, rank_matches, search_key, unique
from forms.readers.places import read_query


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


@pytest.mark.parametrize(
    ("typed", "kind", "key"),
    [
        ("TP.HCM", "thanh pho", "hcm"),
        ("tp hcm", "thanh pho", "hcm"),
        ("T.P Đà Nẵng", "thanh pho", "da nang"),
        ("P. Bến Thành", "phuong", "ben thanh"),
        ("p1", "phuong", "1"),
        ("F.12", "phuong", "12"),
        ("x. Tam Thanh", "xa", "tam thanh"),
        ("TT. Núi Thành", "thi tran", "nui thanh"),
        ("thị trấn Núi Thành", "thi tran", "nui thanh"),
        ("đặc khu Phú Quốc", "dac khu", "phu quoc"),
        ("q.1", "quan", "1"),
        ("huyện Núi Thành", "huyen", "nui thanh"),
        ("Hà Nội", None, "ha noi"),
        ("Xã", "xa", ""),
        ("phu quoc", None, "phu quoc"),
    ],
)
def test_the_type_word_in_front_is_read_apart(typed: str, kind: str | None, key: str) -> None:
    query = read_query(typed)
    assert (query.kind, query.key) == (kind, key)


def test_the_type_word_typed_tells_apart_a_ward_and_a_commune_of_one_name() -> None:
    ward, commune = place("Phường Tân Lập"), place("Xã Tân Lập")
    assert unique(rank_matches("tan lap", [ward, commune]), "tan lap") is None
    assert unique([ward, commune], "xã tân lập") == commune
    assert unique([ward, commune], "P. Tân Lập") == ward


def test_accents_typed_tell_apart_names_that_fold_alike() -> None:
    lang, lăng = place("Xã Văn Lang"), place("Xã Văn Lăng")
    assert unique([lang, lăng], "van lang") is None  # typed without accents: either
    assert unique([lang, lăng], "Văn Lăng") == lăng
    assert unique([lang, lăng], "xã Văn Lang") == lang  # accents typed: "Lang" is Lang
