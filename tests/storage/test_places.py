"""The places store on each database: current names, names from before July 2025 (old
provinces, districts, communes) mapped onto the units the tables hold, and imported lists
that still use the old names."""

from __future__ import annotations

import csv
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.db import create_engine, create_session_factory
from storage.imports import IMPORTED, import_file
from storage.models import User
from storage.places import Places

HCM, DA_NANG, LANG_SON = 79, 48, 20


@pytest.fixture
async def places(database_url: str) -> AsyncIterator[Places]:
    engine = create_engine(database_url)
    async with create_session_factory(engine)() as session:
        yield Places(session)
    await engine.dispose()


async def test_current_names_as_people_write_them(places: Places) -> None:
    for typed in ("TP.HCM", "tp hcm", "Sài Gòn", "TP. Hồ Chí Minh"):
        search = await places.find_province(typed, limit=8)
        assert search.found is not None and search.found.code == HCM, typed
        assert search.became == ()
    ward = await places.find_commune(HCM, "P. Bến Thành", limit=8)
    assert ward.found is not None and ward.found.name == "Phường Bến Thành"


async def test_an_old_province_leads_to_the_province_in_the_table(places: Places) -> None:
    search = await places.find_province("quang nam", limit=8)
    assert search.found == await places.province(DA_NANG)
    assert [b.former.name for b in search.became] == ["Quảng Nam"]
    assert search.became[0].now == (search.found,)


async def test_an_old_commune_leads_to_the_commune_in_the_table(places: Places) -> None:
    search = await places.find_commune(DA_NANG, "Xã Tam Thanh", limit=8)
    assert search.found is not None
    assert search.found.name == "Phường Quảng Phú" and search.found.province_code == DA_NANG
    assert search.found == await places.commune(search.found.code)


async def test_an_old_district_offers_the_communes_in_the_table(places: Places) -> None:
    search = await places.find_commune(HCM, "quận 1", limit=8)
    assert search.found is None
    assert sorted(o.unit.name for o in search.options) == [
        "Phường Bến Thành",
        "Phường Cầu Ông Lãnh",
        "Phường Sài Gòn",
        "Phường Tân Định",
    ]
    assert all(o.unit.province_code == HCM for o in search.options)


async def test_an_old_numbered_ward_with_its_district_and_no_comma(places: Places) -> None:
    for typed in ("phường 12 gò vấp", "p12 go vap", "F.12 Gò Vấp", "p.12 gò vấp"):
        search = await places.find_commune(HCM, typed, limit=8)
        assert search.found is not None and search.found.name == "Phường An Hội Tây", typed
        assert [(b.former.name, b.former.within) for b in search.became] == [
            ("Phường 12", "Quận Gò Vấp")
        ]


async def test_a_commune_named_like_an_old_district_is_offered_first(places: Places) -> None:
    search = await places.find_commune(DA_NANG, "tam ky", limit=8)
    assert search.found is None and search.named is not None
    assert search.named.name == "Phường Tam Kỳ" and search.options[0].unit == search.named
    assert len(search.options) > 1 and all(o.unit.province_code == DA_NANG for o in search.options)
    assert [b.former.name for b in search.became] == ["Thành phố Tam Kỳ"]
    typed = await places.find_commune(DA_NANG, "phường tam kỳ", limit=8)
    assert typed.found == search.named and typed.became == ()


async def test_the_options_are_capped_and_the_rest_counted(places: Places) -> None:
    search = await places.find_commune(HCM, "phuong 1", limit=3)
    assert len(search.options) == 3 and search.more > 0


def _write(path: Path, rows: list[list[str]]) -> Path:
    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        csv.writer(handle).writerows(rows)
    return path


async def test_an_imported_list_with_old_names(database_url: str, tmp_path: Path) -> None:
    path = _write(
        tmp_path / "officers.csv",
        [
            ["Họ tên", "SĐT", "Xã", "Tỉnh"],
            ["Lê Văn Hùng", "0935111222", "Xã Tam Thanh", "Quảng Nam"],
            ["Trần Thị Mai", "0903123456", "Bến Thành", "TP.HCM"],
            ["Ngô Văn Tư", "0903123457", "Phước Ninh", "Quảng Nam"],
            ["Vũ Thị Năm", "0903123458", "Thị trấn Cao Lộc", "Lạng Sơn"],
        ],
    )
    engine = create_engine(database_url)
    try:
        factory = create_session_factory(engine)
        report = await import_file(factory, "officers", path)
        assert {p.row: p.reason for p in report.problems} == {
            4: "the former commune 'Phước Ninh' is now part of Phường Hải Châu (20242) or "
            "Xã Quế Phước (20669) in Thành phố Đà Nẵng: give the commune's current name or code"
        }
        async with factory() as session:
            officers = await _imported(session)
        assert officers == {
            "+84935111222": "Phường Quảng Phú",
            "+84903123456": "Phường Bến Thành",
            "+84903123458": "Phường Kỳ Lừa",
        }
    finally:
        await engine.dispose()


async def _imported(session: AsyncSession) -> dict[str, str]:
    places = Places(session)
    found = {}
    for user in await session.scalars(select(User).where(User.status == IMPORTED)):
        commune = await places.commune(user.commune_code or 0)
        found[user.phone or ""] = commune.name if commune else "?"
    return found


async def test_unit_names_are_stored_as_the_bot_writes_them(places: Places) -> None:
    """The package writes ten names as "Xã  Phú Hữu" and 22 as "Xã Chiêm Hoá"; the tables
    hold them with one space and the tone mark where the bot puts it ("Hóa", "Thủy"), by
    storage/units.py and, for databases loaded before, migration 0016."""
    from storage.models import Commune, Province
    from storage.units import tidy

    assert tidy("Xã  Chiêm Hoá") == "Xã Chiêm Hóa"
    assert tidy("Phường Thuỷ Nguyên") == "Phường Thủy Nguyên"
    assert tidy("Xã Hoàng Hoa") == "Xã Hoàng Hoa" and tidy("Xã Quý Lộc") == "Xã Quý Lộc"
    for model in (Province, Commune):
        names = list(await places.session.scalars(select(model.name)))
        assert names and [n for n in names if tidy(n) != n] == []
