"""Old names as officers type them: a numbered ward of before July 2025 followed by its old
district with no comma nor "quận" ("phường 12 gò vấp", "p12 go vap", "F.12 Gò Vấp"), and an
old district whose name a current commune now bears ("tam ky": Phường Tam Kỳ, or one of
the wards the old city of Tam Kỳ became?).

Same units and old units as :mod:`tests.forms.readers.test_places_former`.
"""

from __future__ import annotations

import pytest

from forms.readers.places_former import looks_like_numbered_ward
from tests.forms.readers.test_places_former import (
    DA_NANG,
    HCM,
    LAM_DONG,
    LANG_SON,
    commune,
    found,
    offered,
    told,
)

HUE, QUANG_NINH, TUYEN_QUANG = 46, 22, 8

# -- old numbered wards ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "typed",
    [
        "phường 12 gò vấp",
        "Phường 12 Gò Vấp",
        "phuong 12 go vap",
        "p12 go vap",
        "P12 Gò Vấp",
        "F.12 Gò Vấp",
        "f12 go vap",
        "p.12 gò vấp",
        "p 12 go vap",
        "phường 12 quận gò vấp",
        "phường 12, gò vấp",
        "f12, go vap",
    ],
)
def test_an_old_numbered_ward_with_its_district_and_no_comma(typed: str) -> None:
    search = commune(HCM, typed)
    assert found(search) == "Phường An Hội Tây", (typed, offered(search))
    assert [(b.former.name, b.former.within) for b in search.became] == [
        ("Phường 12", "Quận Gò Vấp")
    ]


def test_an_old_numbered_ward_split_in_two_is_asked_about() -> None:
    search = commune(HCM, "p.15 tân bình")
    assert search.found is None
    assert offered(search) == ["Phường Tân Sơn", "Phường Tân Bình"]
    assert [(b.former.name, b.former.within) for b in search.became] == [
        ("Phường 15", "Quận Tân Bình")
    ]


@pytest.mark.parametrize(
    ("code", "typed", "name"),
    [
        (HCM, "phuong 12 quan 10", "Phường Hòa Hưng"),
        (HCM, "p1 q3", "Phường Bàn Cờ"),
        (HCM, "phường 1 quận 3", "Phường Bàn Cờ"),
        (HCM, "p7 binh thanh", "Phường Gia Định"),
        (LAM_DONG, "phường 1 đà lạt", "Phường Xuân Hương - Đà Lạt"),
        (LAM_DONG, "p1 bao loc", "Phường 1 Bảo Lộc"),
    ],
)
def test_numbered_wards_with_a_district_or_a_city(code: int, typed: str, name: str) -> None:
    assert found(commune(code, typed)) == name, offered(commune(code, typed))


@pytest.mark.parametrize(
    ("code", "typed", "name"),
    [
        (LAM_DONG, "Phường 1 Bảo Lộc", "Phường 1 Bảo Lộc"),
        (LAM_DONG, "phuong 2 bao loc", "Phường 2 Bảo Lộc"),
        (LAM_DONG, "xa bao lam 3", "Xã Bảo Lâm 3"),
        (LAM_DONG, "đam rông 4", "Xã Đam Rông 4"),
        (TUYEN_QUANG, "phường hà giang 2", "Phường Hà Giang 2"),
        (QUANG_NINH, "mong cai 3", "Phường Móng Cái 3"),
        (HUE, "a luoi 5", "Xã A Lưới 5"),
    ],
)
def test_current_names_with_a_number_are_read_as_before(code: int, typed: str, name: str) -> None:
    search = commune(code, typed)
    assert found(search) == name, offered(search)
    assert told(search) == []


@pytest.mark.parametrize(
    ("typed", "numbered"),
    [
        ("phường 12 gò vấp", True),
        ("p12 go vap", True),
        ("F.12 Gò Vấp", True),
        ("p.12", True),
        ("phuong 3", True),
        ("gò vấp phường 12", True),
        ("phường bến thành", False),
        ("xa bao lam 3", False),
        ("quận 12", False),
        ("12", False),
        ("", False),
    ],
)
def test_what_looks_like_a_numbered_ward(typed: str, numbered: bool) -> None:
    assert looks_like_numbered_ward(typed) is numbered


# -- old districts named like a current commune ---------------------------------------------


@pytest.mark.parametrize(
    ("code", "typed", "current", "district", "others"),
    [
        (
            DA_NANG,
            "tam ky",
            "Phường Tam Kỳ",
            "Thành phố Tam Kỳ",
            {"Phường Bàn Thạch", "Phường Hương Trà", "Phường Quảng Phú"},
        ),
        (
            DA_NANG,
            "Thăng Bình",
            "Xã Thăng Bình",
            "Huyện Thăng Bình",
            {"Xã Thăng An", "Xã Đồng Dương", "Xã Thăng Điền", "Xã Thăng Trường", "Xã Thăng Phú"},
        ),
        (LANG_SON, "cao loc", "Xã Cao Lộc", "Huyện Cao Lộc", {"Phường Kỳ Lừa"}),
    ],
)
def test_an_old_district_named_like_a_current_commune_offers_both(
    code: int, typed: str, current: str, district: str, others: set[str]
) -> None:
    search = commune(code, typed)
    assert search.found is None
    assert search.named is not None and search.named.name == current
    assert offered(search)[0] == current
    assert search.options[0].former is None  # offered under its own name
    assert set(offered(search)[1:]) >= others
    assert current not in offered(search)[1:]
    assert told(search) == [district]


def test_more_communes_than_buttons_are_counted() -> None:
    search = commune(HCM, "thu duc")
    assert search.named is not None and search.named.name == "Phường Thủ Đức"
    assert offered(search)[0] == "Phường Thủ Đức" and len(offered(search)) == 8
    assert search.more > 0
    assert told(search) == ["Thành phố Thủ Đức"]


@pytest.mark.parametrize(
    ("code", "typed", "name"),
    [
        (DA_NANG, "phường tam kỳ", "Phường Tam Kỳ"),
        (DA_NANG, "P. Tam Kỳ", "Phường Tam Kỳ"),
        (DA_NANG, "xã thăng bình", "Xã Thăng Bình"),
        (HCM, "p thu duc", "Phường Thủ Đức"),
        (LANG_SON, "xã cao lộc", "Xã Cao Lộc"),
    ],
)
def test_a_commune_type_word_takes_the_current_commune(code: int, typed: str, name: str) -> None:
    search = commune(code, typed)
    assert found(search) == name
    assert told(search) == [] and search.named is None


@pytest.mark.parametrize(
    ("code", "typed", "district"),
    [
        (DA_NANG, "tp tam ky", "Thành phố Tam Kỳ"),
        (DA_NANG, "huyện thăng bình", "Huyện Thăng Bình"),
        (HCM, "tp thu duc", "Thành phố Thủ Đức"),
    ],
)
def test_a_district_type_word_lists_the_district_as_before(
    code: int, typed: str, district: str
) -> None:
    search = commune(code, typed)
    assert search.found is None and search.named is None
    assert told(search) == [district]
    assert len(offered(search)) > 1


def test_a_district_that_became_only_its_namesake_is_not_asked_about() -> None:
    search = commune(DA_NANG, "ngu hanh son")  # Quận Ngũ Hành Sơn is Phường Ngũ Hành Sơn now
    assert found(search) == "Phường Ngũ Hành Sơn"
    assert told(search) == [] and search.named is None


def test_a_district_no_commune_is_named_after_offers_its_communes_as_before() -> None:
    # Đà Lạt's wards are all named "… - Đà Lạt": offered by their names, nothing to tell.
    search = commune(LAM_DONG, "da lat")
    assert search.named is None and search.became == ()
    assert len(offered(search)) == 5
