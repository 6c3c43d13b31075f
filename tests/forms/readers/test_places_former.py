"""Places typed as people do since the July-2025 merger: city abbreviations, type words in
front, old provinces, districts and communes leading to the units they are part of now.

The units are those of ``vietnam-provinces`` (what the database holds); the old ones come
from the ``vietnamadminunits`` package as the bot loads them. The expectations for the 63
old provinces are read from the package's own files, independently of that loader.
"""

from __future__ import annotations

import json
import subprocess
import sys
from dataclasses import dataclass
from functools import cache

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from vietnam_provinces import Province as VpProvince
from vietnam_provinces import Ward as VpWard

from bot.text import fold
from forms.readers.places import MAX_QUERY, read_query, search_key
from forms.readers.places_former import COMMUNE, PROVINCE, Search, find_place, now_in
from storage.places_former import data_dir, former_units


@dataclass(frozen=True)
class Unit:
    code: int
    name: str
    name_folded: str


def unit(code: int, name: str) -> Unit:
    return Unit(code, name, search_key(name))


PROVINCES = [unit(int(p.code), p.name) for p in VpProvince.iter_all()]
NAMES = {p.code: p.name for p in PROVINCES}
HCM, HA_NOI, HAI_PHONG, CAN_THO, HUE, DA_NANG = 79, 1, 31, 92, 46, 48
LAM_DONG, LANG_SON = 68, 20


@cache
def communes(province: int) -> list[Unit]:
    return [
        unit(int(w.code), w.name) for w in VpWard.iter_all() if int(w.province_code) == province
    ]


def province(typed: str) -> Search[Unit]:
    olds = former_units().provinces
    return find_place(typed, PROVINCES, olds, now_in(PROVINCES), level=PROVINCE, limit=8)


def commune(code: int, typed: str) -> Search[Unit]:
    units = communes(code)
    olds = former_units().by_province.get(code, ())
    return find_place(typed, units, olds, now_in(units), level=COMMUNE, limit=8)


def found(search: Search[Unit]) -> str | None:
    return search.found.name if search.found else None


def told(search: Search[Unit]) -> list[str]:
    """The old units the answer came through, as the bot names them."""
    return [b.former.name for b in search.became]


def offered(search: Search[Unit]) -> list[str]:
    return [o.unit.name for o in search.options]


# -- current names as people write them ------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "code"),
    [
        ("TP.HCM", HCM),
        ("tp hcm", HCM),
        ("TP. Hồ Chí Minh", HCM),
        ("tphcm", HCM),
        ("Thành phố Hồ Chí Minh", HCM),
        ("Sài Gòn", HCM),
        ("sai gon", HCM),
        ("Tp Hà Nội", HA_NOI),
        ("HN", HA_NOI),
        ("hà nội", HA_NOI),
        ("ha noi", HA_NOI),
        ("HP", HAI_PHONG),
        ("tp can tho", CAN_THO),
        ("Huế", HUE),
        ("Thừa Thiên Huế", HUE),
        ("ĐN", DA_NANG),
        ("Đà Nẵng", DA_NANG),
        ("T.P Đà Nẵng", DA_NANG),
        ("tỉnh Lạng Sơn", LANG_SON),
    ],
)
def test_cities_and_provinces_as_people_write_them(typed: str, code: int) -> None:
    search = province(typed)
    assert found(search) == NAMES[code], (typed, offered(search))
    assert told(search) == []  # a current name: nothing to explain


@pytest.mark.parametrize(
    ("typed", "name"),
    [
        ("P. Bến Thành", "Phường Bến Thành"),
        ("p. bến thành", "Phường Bến Thành"),
        ("phường bến thành", "Phường Bến Thành"),
        ("ben thanh", "Phường Bến Thành"),
        ("x. Bình Lợi", "Xã Bình Lợi"),
        ("X. Bình Lợi", "Xã Bình Lợi"),
        ("xã binh loi", "Xã Bình Lợi"),
        ("đặc khu côn đảo", "Đặc khu Côn Đảo"),
    ],
)
def test_type_words_in_front_of_a_commune_are_not_needed(typed: str, name: str) -> None:
    assert found(commune(HCM, typed)) == name


@pytest.mark.parametrize("typed", ["tt Cao Lộc", "TT. Cao Lộc", "thị trấn cao lộc"])
def test_a_town_that_is_no_more_leads_to_its_ward(typed: str) -> None:
    # Thị trấn Cao Lộc is now Phường Kỳ Lừa; Xã Cao Lộc is another commune.
    search = commune(LANG_SON, typed)
    assert found(search) == "Phường Kỳ Lừa"
    assert told(search) == ["Thị trấn Cao Lộc"]


def test_a_current_name_wins_over_an_old_one_spelled_alike() -> None:
    # The old Thị trấn Cao Lộc is not offered; the old Huyện Cao Lộc is, after Xã Cao Lộc
    # (see test_places_former_typing), unless "xã" is typed.
    search = commune(LANG_SON, "cao loc")
    assert offered(search)[0] == "Xã Cao Lộc"
    assert told(search) == ["Huyện Cao Lộc"]
    assert found(commune(LANG_SON, "xã cao lộc")) == "Xã Cao Lộc"


@pytest.mark.parametrize("typed", ["phường 1 bảo lộc", "p1 bao loc", "Phường 1 Bảo Lộc"])
def test_numbered_wards(typed: str) -> None:
    assert found(commune(LAM_DONG, typed)) == "Phường 1 Bảo Lộc"


def test_an_old_numbered_ward_is_asked_about_and_its_district_decides() -> None:
    search = commune(LAM_DONG, "phuong 1")  # Phường 1 of Bảo Lộc, and of Đà Lạt
    assert offered(search) == ["Phường 1 Bảo Lộc", "Phường Xuân Hương - Đà Lạt"]
    assert [b.former.within for b in search.became] == ["Thành phố Bảo Lộc", "Thành phố Đà Lạt"]
    for typed in ("phường 1, Đà Lạt", "p1 tp da lat", "phuong 1 thanh pho da lat"):
        assert found(commune(LAM_DONG, typed)) == "Phường Xuân Hương - Đà Lạt", typed
    assert found(commune(HCM, "phường 1 quận 3")) == "Phường Bàn Cờ"
    assert found(commune(HCM, "p1 q3")) == "Phường Bàn Cờ"


# -- the 63 provinces before July 2025 ---------------------------------------------------------


def _old_provinces() -> list[tuple[str, str, int]]:
    """(full name, short name, code of the province it is part of now) for each of the 63,
    from the package's files."""
    folder = data_dir()
    legacy = json.loads((folder / "parser_legacy.json").read_text(encoding="utf-8"))
    current = json.loads((folder / "parser_from_2025.json").read_text(encoding="utf-8"))
    merger = json.loads((folder / "converter_2025.json").read_text(encoding="utf-8"))
    into = {old: new for new, olds in merger["DICT_PROVINCE"].items() for old in olds}
    return [
        (
            p["province"],
            p["provinceShort"],
            int(current["DICT_PROVINCE"][into[key]]["provinceCode"]),
        )
        for key, p in legacy["DICT_PROVINCE"].items()
    ]


OLD_PROVINCES = _old_provinces()


def test_the_package_lists_63_old_provinces_in_34() -> None:
    assert len(OLD_PROVINCES) == 63
    assert len({code for _, _, code in OLD_PROVINCES}) == 34 == len(PROVINCES)


@pytest.mark.parametrize(
    ("full", "short", "code"), OLD_PROVINCES, ids=[short for _, short, _ in OLD_PROVINCES]
)
def test_every_old_province_finds_the_province_it_is_part_of(
    full: str, short: str, code: int
) -> None:
    for typed in (short, full, fold(short), short.upper()):
        search = province(typed)
        assert found(search) == NAMES[code], (typed, offered(search))
        # Said when the name is not the province's own: "Quảng Nam nay thuộc TP Đà Nẵng".
        renamed = search_key(NAMES[code]) != fold(short)
        assert told(search) == ([short] if renamed else []), typed


# Checked by a person against Resolution 202/2025/QH15.
@pytest.mark.parametrize(
    ("typed", "now"),
    [
        ("Quảng Nam", "Thành phố Đà Nẵng"),
        ("quang nam", "Thành phố Đà Nẵng"),
        ("Hà Giang", "Tuyên Quang"),
        ("Bắc Giang", "Bắc Ninh"),
        ("Bình Dương", "Thành phố Hồ Chí Minh"),
        ("Bà Rịa - Vũng Tàu", "Thành phố Hồ Chí Minh"),
        ("Vũng Tàu", "Thành phố Hồ Chí Minh"),
        ("BRVT", "Thành phố Hồ Chí Minh"),
        ("Kon Tum", "Quảng Ngãi"),
        ("Quảng Bình", "Quảng Trị"),
        ("Long An", "Tây Ninh"),
        ("Bình Định", "Gia Lai"),
        ("Đắk Nông", "Lâm Đồng"),
        ("Hải Dương", "Thành phố Hải Phòng"),
        ("Sóc Trăng", "Thành phố Cần Thơ"),
        ("Yên Bái", "Lào Cai"),
        ("Tỉnh Thái Bình", "Hưng Yên"),
    ],
)
def test_old_provinces_checked_by_hand(typed: str, now: str) -> None:
    search = province(typed)
    assert found(search) == now
    assert len(search.became) == 1 and search.became[0].now == (search.found,)


def test_part_of_a_name_offers_old_provinces_beside_current_ones() -> None:
    search = province("dak")
    assert [(o.unit.name, o.former.name if o.former else None) for o in search.options] == [
        ("Đắk Lắk", None),
        ("Lâm Đồng", "Đắk Nông"),
    ]
    assert found(province("hai")) == "Thành phố Hải Phòng"  # Hải Dương leads there too
    assert told(province("hai")) == []


# -- old districts and communes ------------------------------------------------------------------


def test_an_old_commune_of_quang_nam_leads_to_its_ward_in_da_nang() -> None:
    for typed in ("Xã Tam Thanh", "xã Tam Thanh", "tam thanh, tam ky", "Tam Thanh, Tam Kỳ"):
        search = commune(DA_NANG, typed)
        assert found(search) == "Phường Quảng Phú", typed
        assert [(b.former.name, b.former.within) for b in search.became] == [
            ("Xã Tam Thanh", "Thành phố Tam Kỳ")
        ]


def test_old_communes_named_alike_are_asked_about_unless_the_accents_tell() -> None:
    search = commune(DA_NANG, "tam thanh")  # Tam Thanh, Tam Thạnh and Tam Thành were three
    assert [(b.former.name, b.former.within) for b in search.became] == [
        ("Xã Tam Thạnh", "Huyện Núi Thành"),
        ("Xã Tam Thành", "Huyện Phú Ninh"),
        ("Xã Tam Thanh", "Thành phố Tam Kỳ"),
    ]
    assert offered(search) == ["Xã Đức Phú", "Xã Tây Hồ", "Phường Quảng Phú"]
    assert found(commune(DA_NANG, "Tam Thạnh")) == "Xã Đức Phú"
    assert found(commune(DA_NANG, "xã Tam Thành")) == "Xã Tây Hồ"


def test_an_old_district_offers_the_communes_it_became() -> None:
    search = commune(DA_NANG, "huyện Núi Thành")
    assert search.found is None
    assert set(offered(search)) == {
        "Xã Núi Thành",
        "Xã Tam Xuân",
        "Xã Tam Anh",
        "Xã Tam Mỹ",
        "Xã Đức Phú",
        "Xã Tam Hải",
    }
    assert told(search) == ["Huyện Núi Thành"]
    quan_1 = commune(HCM, "Q.1")
    assert set(offered(quan_1)) == {
        "Phường Bến Thành",
        "Phường Cầu Ông Lãnh",
        "Phường Sài Gòn",
        "Phường Tân Định",
    }


def test_a_commune_split_in_several_is_asked_about() -> None:
    units = former_units()
    split = next(
        f
        for f in units.by_province[DA_NANG]
        if f.kind == COMMUNE and len(f.now) > 1 and len(commune(DA_NANG, f.name).options) > 1
    )
    search = commune(DA_NANG, split.name)
    assert search.found is None
    assert set(offered(search)) >= {name for _, name in split.now}
    assert split.name in told(search)


def test_a_district_named_like_current_wards_offers_them_by_their_names() -> None:
    search = commune(LAM_DONG, "da lat")
    assert all(o.former is None for o in search.options)
    assert len(offered(search)) == 5 and search.became == ()


@pytest.mark.parametrize("typed", ["", "   ", "🙂", "xyz", "Xã", "qqq q", "huyện", ","])
def test_nothing_found(typed: str) -> None:
    assert commune(DA_NANG, typed) == Search()
    assert province(typed) == Search()


def test_every_old_unit_leads_to_a_current_one() -> None:
    units = former_units()
    assert len(units.provinces) == 29  # 63 - 34: those whose name is no province's now
    for code, olds in units.by_province.items():
        now = now_in(communes(code))
        lost = [f.name for f in olds if not now(f)]
        assert lost == [], (code, lost[:5])


def test_only_the_data_is_read_not_the_package_code() -> None:
    """Its code would import shapely and geopy (slow to start) and may look addresses up
    online; its data files are all the bot needs."""
    script = (
        "import sys\n"
        "from storage.places_former import former_units\n"
        "assert former_units().provinces\n"
        "loaded = {'vietnamadminunits', 'shapely', 'geopy'} & set(sys.modules)\n"
        "assert not loaded, loaded\n"
    )
    subprocess.run([sys.executable, "-c", script], check=True, timeout=120)


# -- never an error, never slow ---------------------------------------------------------------


def test_a_long_line_is_read_as_its_start() -> None:
    long = "bến thành " * 10_000
    assert len(read_query(long).full) <= MAX_QUERY
    assert found(commune(HCM, "phường " + long)) == "Phường Bến Thành"
    assert province("quảng nam " * 5_000).found is not None


@settings(max_examples=150, deadline=None)
@given(st.text(max_size=300))
def test_any_text_gets_an_answer(text: str) -> None:
    for search in (province(text), commune(HCM, text), commune(DA_NANG, text)):
        assert isinstance(search, Search)
        assert search.found is None or not search.options
        assert search.named is None or search.options[0].unit == search.named
        assert len(search.options) <= 8
        if search.found is None:
            assert all(
                o.unit in communes(HCM) + communes(DA_NANG) + PROVINCES for o in search.options
            )


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.sampled_from(
            ["tp", "x.", "p", "quận", "1", "hcm", "tam", "thanh", ",", "đà", "nẵng", "🙂", "-"]
        ),
        max_size=400,
    )
)
def test_place_like_words_in_any_number(words: list[str]) -> None:
    text = " ".join(words)
    assert isinstance(province(text), Search)
    assert isinstance(commune(DA_NANG, text), Search)
