"""Imports of the office's lists: every bad row reported by number, good rows imported once."""

from __future__ import annotations

import csv
from collections.abc import AsyncIterator, Sequence
from datetime import date, datetime
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from storage.db import create_engine, create_session_factory
from storage.imports import (
    IMPORTED,
    ImportFileError,
    ImportReport,
    claim_imported_officer,
    import_file,
    imported_officer,
)
from storage.models import AuditEntry, Product, Role, User, UserStatus

LANG_SON, CAO_LOC, LOC_BINH, THAT_KHE = 20, 6193, 6529, 6040
TODAY = date(2024, 7, 1)

OFFICERS: list[list[Any]] = [
    ["STT", "Họ và tên", "Số điện thoại", "Xã/phường", "Mã xã", "Tỉnh"],
    [1, "Nguyễn Thị Hằng", "0912 345 678", "Cao Lộc", None, "Lạng Sơn"],
    [2, "Hoàng Văn Đức", 912345679, "xa loc binh", None, "lang son"],
    [3, "Trần An", "0123", "Cao Lộc", None, "Lạng Sơn"],
    [4, "Lê Văn Bình", "0987 654 321", "Xã Không Có", None, "Lạng Sơn"],
    [5, None, "0977 777 777", "Cao Lộc", None, "Lạng Sơn"],
    [6, "Phạm Thu", "0912.345.678", "Lộc Bình", None, "Lạng Sơn"],
    [7, "Vi Văn Tú", "+84 98 111 2222", None, "06040", None],
    [None, None, None, None, None, None],
]

PRODUCTS: list[list[Any]] = [
    [
        "Tên sản phẩm",
        "Chủ thể",
        "Xã",
        "Tỉnh",
        "Số sao",
        "Ngày cấp giấy chứng nhận",
        "Nhóm sản phẩm",
    ],
    [
        "Chè Shan tuyết Mẫu Sơn",
        "HTX Chè Mẫu Sơn",
        "Cao Lộc",
        "Lạng Sơn",
        4,
        datetime(2023, 10, 15),
        "Đồ uống",
    ],
    ["Na Chi Lăng", "HTX Na Chi Lăng", "Lộc Bình", "Lạng Sơn", "3 sao", "15/3/2024", "thuc pham"],
    ["Rượu men lá", "Hộ Vi Văn Ba", "Cao Lộc", "Lạng Sơn", 7, "1/1/2024", None],
    ["Mật ong", "HTX Ong", "Cao Lộc", "Lạng Sơn", 3, "32/13/2024", None],
    [None, "HTX Không Tên", "Cao Lộc", "Lạng Sơn", 3, "1/1/2024", None],
    ["Thạch đen", "HTX Thạch", "Xã Không Có", "Lạng Sơn", 5, "1/1/2024", None],
    ["Miến dong", "HTX Miến", "Cao Lộc", "Lạng Sơn", 4, "1/2/2024", "xe máy"],
    ["Hồng không hạt", "HTX Hồng", "Cao Lộc", "Lạng Sơn", 4, "1/8/2024", None],
]


def write_xlsx(path: Path, rows: Sequence[Sequence[Any]]) -> Path:
    book = openpyxl.Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(list(row))
    book.save(path)
    return path


def write_csv(path: Path, rows: Sequence[Sequence[Any]], *, delimiter: str = ",") -> Path:
    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle, delimiter=delimiter)
        for row in rows:
            writer.writerow(["" if v is None else v for v in row])
    return path


@pytest.fixture
async def factory(database_url: str) -> AsyncIterator[async_sessionmaker[AsyncSession]]:
    engine = create_engine(database_url)
    yield create_session_factory(engine)
    await engine.dispose()


async def officers_in(factory: async_sessionmaker[AsyncSession]) -> dict[str, User]:
    async with factory() as session:
        users = await session.scalars(select(User).where(User.status == IMPORTED))
        return {u.phone or "": u for u in users}


def problems(report: ImportReport) -> dict[int, str]:
    return {p.row: p.reason for p in report.problems}


async def test_officers_from_excel_good_rows_in_bad_rows_reported(
    factory: async_sessionmaker[AsyncSession], tmp_path: Path
) -> None:
    path = write_xlsx(tmp_path / "can_bo.xlsx", OFFICERS)
    report = await import_file(factory, "officers", path)
    assert (report.rows, report.created, report.updated, report.unchanged) == (7, 3, 0, 0)
    bad = problems(report)
    assert sorted(bad) == [4, 5, 6, 7]
    assert "phone '0123' is not a valid Vietnamese phone number" in bad[4]
    assert "there is no commune 'Xã Không Có' in Lạng Sơn" in bad[5]
    assert bad[6] == "name is missing"
    assert bad[7] == "phone 0912 345 678 is also on row 2"
    officers = await officers_in(factory)
    assert set(officers) == {"+84912345678", "+84912345679", "+84981112222"}
    hang = officers["+84912345678"]
    assert (hang.full_name, hang.role, hang.commune_code, hang.province_code) == (
        "Nguyễn Thị Hằng",
        Role.OFFICER,
        CAO_LOC,
        LANG_SON,
    )
    assert officers["+84912345679"].commune_code == LOC_BINH  # unaccented, zero lost in Excel
    assert officers["+84981112222"].commune_code == THAT_KHE  # by official code alone

    again = await import_file(factory, "officers", path)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 3)
    assert problems(again) == bad
    assert set(await officers_in(factory)) == set(officers)


async def test_a_title_above_the_header_is_skipped(
    factory: async_sessionmaker[AsyncSession], tmp_path: Path
) -> None:
    rows = [
        ["DANH SÁCH CÁN BỘ PHỤ TRÁCH OCOP CẤP XÃ", None, None, None, None, None],
        ["(Kèm theo Công văn số 123/SNN)", None, None, None, None, None],
        [None] * 6,
        *OFFICERS,
    ]
    report = await import_file(factory, "officers", write_xlsx(tmp_path / "ds.xlsx", rows))
    assert report.created == 3
    assert sorted(problems(report)) == [7, 8, 9, 10]  # the sheet's own row numbers


async def test_officers_from_csv_with_english_headers_and_semicolons(
    factory: async_sessionmaker[AsyncSession], tmp_path: Path
) -> None:
    rows = [
        ["name", "phone", "commune", "province"],
        ["Nguyễn Thị Hằng", "0912345678", "cao loc", "lang son"],
        ["Hoàng Văn Đức", "0912 345 679", "Lộc Bình", "Lạng Sơn"],
        ["Trần An", "12", "Cao Lộc", "Lạng Sơn"],
    ]
    path = write_csv(tmp_path / "officers.csv", rows, delimiter=";")
    report = await import_file(factory, "officers", path)
    assert (report.created, sorted(problems(report))) == (2, [4])
    officers = await officers_in(factory)
    assert officers["+84912345678"].full_name == "Nguyễn Thị Hằng"
    # A corrected list updates the imported officer instead of adding another.
    rows[1][0] = "Nguyễn Thị Thu Hằng"
    write_csv(path, rows, delimiter=";")
    again = await import_file(factory, "officers", path)
    assert (again.created, again.updated, again.unchanged) == (0, 1, 1)
    assert (await officers_in(factory))["+84912345678"].full_name == "Nguyễn Thị Thu Hằng"


async def test_unaccented_headers_and_a_default_province(
    factory: async_sessionmaker[AsyncSession], tmp_path: Path
) -> None:
    path = write_csv(
        tmp_path / "ds.csv",
        [["Ho ten", "So dien thoai", "Xa"], ["Nguyễn Văn An", "0912345678", "Thất Khê"]],
    )
    with_default = await import_file(factory, "officers", path, default_province=LANG_SON)
    assert with_default.created == 1
    path = write_csv(
        tmp_path / "ds2.csv",
        [["Ho ten", "SĐT", "Xa"], ["Nguyễn Văn Ba", "0912345670", "Thất Khê"]],
    )
    without = await import_file(factory, "officers", path)
    assert "province is missing" in problems(without)[2]


async def test_a_number_already_registered_in_the_chat_is_left_alone(
    factory: async_sessionmaker[AsyncSession], tmp_path: Path
) -> None:
    async with factory() as session, session.begin():
        session.add_all(
            [
                User(
                    role=Role.OFFICER,
                    status=UserStatus.ACTIVE,
                    full_name="Nguyễn Thị Hằng",
                    phone="+84912345678",
                    language="vi",
                    province_code=LANG_SON,
                    commune_code=CAO_LOC,
                ),
                User(
                    role=Role.PRODUCER,
                    status=UserStatus.ACTIVE,
                    full_name="HTX Na",
                    phone="+84912345679",
                    language="vi",
                    province_code=LANG_SON,
                    commune_code=LOC_BINH,
                ),
            ]
        )
    path = write_xlsx(tmp_path / "a.xlsx", OFFICERS[:3])
    report = await import_file(factory, "officers", path)
    assert (report.created, report.unchanged) == (0, 1)
    assert "already belongs to registered user" in problems(report)[3]
    assert await officers_in(factory) == {}


async def test_a_dry_run_writes_nothing(
    factory: async_sessionmaker[AsyncSession], tmp_path: Path
) -> None:
    path = write_xlsx(tmp_path / "can_bo.xlsx", OFFICERS)
    report = await import_file(factory, "officers", path, dry_run=True)
    assert report.created == 3 and "would be added" in report.summary()
    assert await officers_in(factory) == {}


async def test_products_from_excel(
    factory: async_sessionmaker[AsyncSession], tmp_path: Path
) -> None:
    path = write_xlsx(tmp_path / "san_pham.xlsx", PRODUCTS)
    report = await import_file(factory, "products", path, today=TODAY)
    assert (report.rows, report.created) == (8, 2)
    bad = problems(report)
    assert sorted(bad) == [4, 5, 6, 7, 8, 9]
    assert bad[4] == "stars must be 3, 4 or 5, not 7"
    assert (
        bad[5] == "certificate date '32/13/2024' is not a date written day first, e.g. 15/03/2024"
    )
    assert bad[6] == "product name is missing"
    assert "there is no commune 'Xã Không Có'" in bad[7]
    assert bad[8].startswith("product group 'xe máy' is not one of: Thực phẩm, Đồ uống")
    assert bad[9] == "certificate date 01/08/2024 is in the future"
    async with factory() as session:
        products = {p.name: p for p in await session.scalars(select(Product))}
    tea = products["Chè Shan tuyết Mẫu Sơn"]
    assert (tea.producer_name, tea.stars, tea.certificate_date, tea.product_group) == (
        "HTX Chè Mẫu Sơn",
        4,
        date(2023, 10, 15),
        "drinks",
    )
    assert (tea.status, tea.commune_code, tea.province_code, tea.user_id) == (
        "certified",
        CAO_LOC,
        LANG_SON,
        None,
    )
    custard_apple = products["Na Chi Lăng"]
    assert (custard_apple.stars, custard_apple.certificate_date) == (3, date(2024, 3, 15))
    assert custard_apple.product_group == "food"

    again = await import_file(factory, "products", path, today=TODAY)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 2)
    async with factory() as session:
        assert await session.scalar(select(func.count()).select_from(Product)) == 2


async def test_products_from_csv_match_existing_ones_whatever_the_accents(
    factory: async_sessionmaker[AsyncSession], tmp_path: Path
) -> None:
    async with factory() as session, session.begin():
        session.add(
            Product(
                name="Chè Shan tuyết Mẫu Sơn",
                producer_name="HTX Chè Mẫu Sơn",
                commune_code=CAO_LOC,
                province_code=LANG_SON,
                status="submitted",
            )
        )
    rows = [
        ["product name", "producer", "commune code", "stars", "certificate date"],
        ["che shan tuyet mau son", "htx che mau son", "06193", "5", "2024-01-20"],
        ["Trà hoa vàng", "HTX Trà", "06193", "★★★★", "20-01-2024"],
        ["Trà hoa vàng", "HTX Trà", "6193", "4", "20/01/2024"],
    ]
    path = write_csv(tmp_path / "products.csv", rows)
    report = await import_file(factory, "products", path, today=TODAY)
    assert (report.created, report.updated) == (1, 1)
    assert problems(report) == {4: "the same product is also on row 3"}
    async with factory() as session:
        products = {p.name: p for p in await session.scalars(select(Product))}
    assert set(products) == {"Chè Shan tuyết Mẫu Sơn", "Trà hoa vàng"}
    tea = products["Chè Shan tuyết Mẫu Sơn"]
    assert (tea.status, tea.stars, tea.certificate_date) == ("certified", 5, date(2024, 1, 20))
    assert products["Trà hoa vàng"].stars == 4


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("list.xls", b"old", "save it as .xlsx"),
        ("list.pdf", b"%PDF", "neither .xlsx nor .csv"),
        ("list.csv", b"Ho t\xean;X\xe3\n", "not UTF-8"),
        ("list.csv", "Họ tên,Xã\nAn,Cao Lộc\n".encode(), "no column for phone"),
        (
            "list.csv",
            "Họ tên,SĐT\nAn,0912345678\n".encode(),
            "needs a column 'Xã/phường' or 'Mã xã'",
        ),
        ("list.csv", b"\n\n", "is empty"),
        ("list.xlsx", b"not a zip", "cannot be read as an Excel file"),
    ],
)
async def test_a_file_that_cannot_be_used_is_one_sentence(
    factory: async_sessionmaker[AsyncSession],
    tmp_path: Path,
    name: str,
    content: bytes,
    message: str,
) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(ImportFileError, match=message):
        await import_file(factory, "officers", path)


async def test_communes_whose_names_fold_alike_need_their_accents(
    factory: async_sessionmaker[AsyncSession], tmp_path: Path
) -> None:
    # Thái Nguyên (19) has Xã Văn Lang (02143) and Xã Văn Lăng (05665); Thanh Hóa (38) has
    # Phường Đông Tiến (15853) and Xã Đồng Tiến (15724).
    path = write_csv(
        tmp_path / "x.csv",
        [
            ["Họ tên", "SĐT", "Xã", "Mã tỉnh"],
            ["Người A", "0912345671", "van lang", 19],
            ["Người B", "0912345672", "Văn Lang", 19],
            ["Người C", "0912345673", "Xã Văn Lăng", 19],
            ["Người D", "0912345674", "xa dong tien", 38],
        ],
    )
    report = await import_file(factory, "officers", path)
    assert list(problems(report)) == [2]
    assert "could be Xã Văn Lăng (05665) or Xã Văn Lang (02143)" in problems(report)[2] or (
        "could be Xã Văn Lang (02143) or Xã Văn Lăng (05665)" in problems(report)[2]
    )
    officers = await officers_in(factory)
    assert officers["+84912345672"].commune_code == 2143
    assert officers["+84912345673"].commune_code == 5665
    assert officers["+84912345674"].commune_code == 15724


# -- claiming an imported officer at onboarding -------------------------------------------------


async def imported_and_new(
    factory: async_sessionmaker[AsyncSession], tmp_path: Path, *, commune: int = CAO_LOC
) -> tuple[int, int]:
    await import_file(factory, "officers", write_xlsx(tmp_path / "l.xlsx", OFFICERS[:2]))
    async with factory() as session, session.begin():
        user = User(
            role=Role.OFFICER,
            status=UserStatus.NEW,
            full_name="Hằng",
            phone="+84912345678",
            language="vi",
            province_code=LANG_SON,
            commune_code=commune,
        )
        session.add(user)
        await session.flush()
        listed = await imported_officer(session, "+84912345678")
        assert listed is not None
        return user.id, listed.id


async def test_a_verified_phone_claims_the_imported_officer(
    factory: async_sessionmaker[AsyncSession], tmp_path: Path
) -> None:
    user_id, listed_id = await imported_and_new(factory, tmp_path)
    async with factory() as session, session.begin():
        user = await session.get(User, user_id)
        assert user is not None
        assert await claim_imported_officer(session, user, "+84912345678", verified=True)
        assert user.status == UserStatus.ACTIVE and user.approved_at is not None
    async with factory() as session:
        assert await session.get(User, listed_id) is None
        entry = (await session.scalars(select(AuditEntry))).one()
        assert entry.action == "imported_officer_claimed" and entry.user_id == user_id
        assert entry.detail["imported_user"] == listed_id
    # The list imported again: the officer is there already, nobody is added.
    again = await import_file(factory, "officers", tmp_path / "l.xlsx")
    assert (again.created, again.unchanged) == (0, 1)


@pytest.mark.parametrize(
    ("verified", "commune", "role"),
    [
        (False, CAO_LOC, Role.OFFICER),
        (True, LOC_BINH, Role.OFFICER),
        (True, CAO_LOC, Role.PRODUCER),
    ],
)
async def test_no_claim_without_proof_or_on_another_commune(
    factory: async_sessionmaker[AsyncSession],
    tmp_path: Path,
    verified: bool,
    commune: int,
    role: str,
) -> None:
    user_id, listed_id = await imported_and_new(factory, tmp_path, commune=commune)
    async with factory() as session, session.begin():
        user = await session.get(User, user_id)
        assert user is not None
        user.role = role
        assert not await claim_imported_officer(session, user, "+84912345678", verified=verified)
        assert user.status == UserStatus.NEW
    async with factory() as session:
        assert await session.get(User, listed_id) is not None


async def test_no_claim_without_an_imported_officer(
    factory: async_sessionmaker[AsyncSession],
) -> None:
    async with factory() as session, session.begin():
        user = User(role=Role.OFFICER, status=UserStatus.NEW, language="vi", commune_code=CAO_LOC)
        session.add(user)
        await session.flush()
        assert not await claim_imported_officer(session, user, "+84912345678", verified=True)


async def test_a_commune_not_found_suggests_near_names(
    factory: async_sessionmaker[AsyncSession], tmp_path: Path
) -> None:
    path = write_csv(
        tmp_path / "x.csv",
        [["Họ tên", "SĐT", "Xã", "Tỉnh"], ["An", "0912345678", "Cao", "Lạng Sơn"]],
    )
    report = await import_file(factory, "officers", path)
    assert problems(report) == {
        2: "there is no commune 'Cao' in Lạng Sơn; did you mean Xã Cao Lộc (06193)?"
    }
