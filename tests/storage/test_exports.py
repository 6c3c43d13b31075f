"""Exports opened again as an office would: with openpyxl and the csv module."""

from __future__ import annotations

import io
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any

import openpyxl
import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from storage.db import create_engine, create_session_factory
from storage.exports import (
    ExportError,
    export,
    on_time_by_deadline,
)
from storage.models import Role, Submission, User, UserStatus
from storage.scope import Reach, Scope
from storage.submissions import Submissions

LANG_SON, CAO_LOC, LOC_BINH, THAT_KHE = 20, 6193, 6529, 6040
HA_NOI, HOAN_KIEM = 1, 70
NATIONAL = Scope(Reach.NATIONAL)
DEADLINE = datetime(2024, 6, 15, 16, 59, 59, tzinfo=UTC)  # 23:59:59 on 15/6 in Hà Nội time
ON_TIME = on_time_by_deadline(lambda _form, _period, _province=None: DEADLINE)
MALICIOUS = '=HYPERLINK("http://x","y")'

FIXED = [
    "Mã tỉnh",
    "Tỉnh",
    "Mã xã",
    "Xã/phường",
    "Kỳ báo cáo",
    "Mã biên nhận",
    "Phiên bản",
    "Người gửi",
    "Thời gian gửi",
    "Thời gian cập nhật",
    "Đúng hạn",
    "Trạng thái duyệt",
    "Nhận xét duyệt",
]


def at(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=UTC)


async def add_officer(session: AsyncSession, name: str, province: int, commune: int) -> User:
    user = User(
        role=Role.OFFICER,
        status=UserStatus.ACTIVE,
        full_name=name,
        language="vi",
        province_code=province,
        commune_code=commune,
    )
    session.add(user)
    await session.flush()
    return user


async def file_report(
    session: AsyncSession,
    user: User,
    answers: dict[str, Any],
    now: datetime,
    *,
    form_id: str = "commune_report",
    period: str = "2024-Q2",
    scope_key: str | None = None,
    prefix: str = "BCX",
) -> Submission:
    return await Submissions(session).create(
        form_id=form_id,
        period=period,
        scope_key=scope_key or f"commune:{user.commune_code}",
        receipt_prefix=prefix,
        user=user,
        answers=answers,
        now=now,
    )


def report_answers(**overrides: Any) -> dict[str, Any]:
    answers: dict[str, Any] = {
        "products_registered": "12",
        "products_proposed": "3",
        "products_evaluated": "0",
        "certificates_expiring": "1",
        "coops_new": "2",
        "trainings": "0",
        "fairs": "1",
        "sales_points": "4",
        "supermarket_products": "5",
        "difficulties": "Thiếu vốn, đường xá khó khăn",
        "proposals": None,
    }
    answers.update(overrides)
    return answers


@pytest.fixture
async def factory(database_url: str) -> AsyncIterator[async_sessionmaker[AsyncSession]]:
    engine = create_engine(database_url)
    yield create_session_factory(engine)
    await engine.dispose()


@pytest.fixture
async def seeded(factory: async_sessionmaker[AsyncSession]) -> async_sessionmaker[AsyncSession]:
    """Lạng Sơn: Cao Lộc on time (revised once, flagged), Lộc Bình late, the rest missing;
    Hà Nội: Hoàn Kiếm, which a Lạng Sơn export must never show."""
    async with factory() as session, session.begin():
        hang = await add_officer(session, "Nguyễn Thị Hằng", LANG_SON, CAO_LOC)
        duc = await add_officer(session, "Hoàng Văn Đức", LANG_SON, LOC_BINH)
        an = await add_officer(session, "Trần An", HA_NOI, HOAN_KIEM)
        first = await file_report(
            session,
            hang,
            report_answers(difficulties=MALICIOUS, proposals="+1+1"),
            at(2024, 6, 10, 2, 30),
        )
        await Submissions(session).revise(
            first,
            user=hang,
            answers=report_answers(
                difficulties=MALICIOUS, proposals="+1+1", products_evaluated="-2"
            ),
            now=at(2024, 6, 12, 3, 0),
        )
        first.review_status, first.review_comment = "needs_fix", "@SUM(1) thiếu số liệu"
        await file_report(session, duc, report_answers(coops_new="1.5"), at(2024, 6, 20, 1, 0))
        await file_report(session, an, report_answers(difficulties="Hà Nội"), at(2024, 6, 1))
        # Another quarter: not in a 2024-Q2 export.
        await file_report(session, hang, report_answers(), at(2024, 3, 1), period="2024-Q1")
    return factory


def rows_of(sheet: Any) -> list[list[Any]]:
    return [list(row) for row in sheet.iter_rows(values_only=True)]


async def xlsx(factory: async_sessionmaker[AsyncSession], **options: Any) -> Any:
    buffer = io.BytesIO()
    options.setdefault("scope", NATIONAL)
    await export(factory, buffer, **options)
    buffer.seek(0)
    return openpyxl.load_workbook(buffer)


async def test_workbook_has_vietnamese_headers_codes_times_and_statuses(
    seeded: async_sessionmaker[AsyncSession],
) -> None:
    book = await xlsx(
        seeded, report="commune_report", period="2024-Q2", province_code=LANG_SON, on_time=ON_TIME
    )
    assert book.sheetnames == ["Báo cáo OCOP định kỳ của xã", "Tình hình báo cáo"]
    rows = rows_of(book["Báo cáo OCOP định kỳ của xã"])
    header = rows[0]
    assert header[: len(FIXED)] == FIXED
    assert header[len(FIXED)] == "Số ý tưởng/sản phẩm đăng ký tham gia OCOP trong kỳ"
    assert header[-2:] == ["Khó khăn, vướng mắc", "Đề xuất, kiến nghị"]
    data = {row[3]: dict(zip(header, row, strict=True)) for row in rows[1:]}
    assert set(data) == {"Xã Cao Lộc", "Xã Lộc Bình"}

    cao_loc = data["Xã Cao Lộc"]
    assert cao_loc["Mã tỉnh"] == "20" and cao_loc["Tỉnh"] == "Lạng Sơn"
    assert cao_loc["Mã xã"] == "06193"
    assert cao_loc["Kỳ báo cáo"] == "quý 2/2024"
    assert cao_loc["Mã biên nhận"].startswith("BCX-")
    assert cao_loc["Phiên bản"] == 2
    assert cao_loc["Người gửi"] == "Nguyễn Thị Hằng"
    assert cao_loc["Thời gian gửi"] == datetime(2024, 6, 10, 9, 30)  # Hà Nội time
    assert cao_loc["Thời gian cập nhật"] == datetime(2024, 6, 12, 10, 0)
    assert cao_loc["Đúng hạn"] == "Đúng hạn"
    assert cao_loc["Trạng thái duyệt"] == "Cần bổ sung"
    assert cao_loc["Nhận xét duyệt"] == "'@SUM(1) thiếu số liệu"
    # Numbers are numbers (a negative one too), the latest revision counts.
    assert cao_loc["Số ý tưởng/sản phẩm đăng ký tham gia OCOP trong kỳ"] == 12
    assert cao_loc["Số sản phẩm đã được đánh giá, phân hạng trong kỳ"] == -2
    # What the officer typed stays inert text.
    assert cao_loc["Khó khăn, vướng mắc"] == "'" + MALICIOUS
    assert cao_loc["Đề xuất, kiến nghị"] == "'+1+1"

    loc_binh = data["Xã Lộc Bình"]
    assert loc_binh["Đúng hạn"] == "Trễ hạn"
    assert loc_binh["Trạng thái duyệt"] == "Chưa duyệt"
    assert loc_binh["Số HTX, doanh nghiệp mới thành lập hoặc được củng cố"] == 1.5
    assert loc_binh["Khó khăn, vướng mắc"] == "Thiếu vốn, đường xá khó khăn"
    assert loc_binh["Đề xuất, kiến nghị"] is None  # skipped: an empty cell


async def test_no_cell_is_a_formula(seeded: async_sessionmaker[AsyncSession]) -> None:
    book = await xlsx(seeded, report="commune_report", period="2024-Q2")
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f", cell.coordinate
                if isinstance(cell.value, str):
                    assert not cell.value.startswith(("=", "+", "-", "@")), cell.value


async def test_completeness_sheet_lists_every_commune_of_the_province(
    seeded: async_sessionmaker[AsyncSession],
) -> None:
    book = await xlsx(
        seeded, report="commune_report", period="2024-Q2", province_code=LANG_SON, on_time=ON_TIME
    )
    rows = rows_of(book["Tình hình báo cáo"])
    assert rows[0] == [
        "Báo cáo",
        "Kỳ báo cáo",
        "Mã tỉnh",
        "Tỉnh",
        "Mã xã",
        "Xã/phường",
        "Tình trạng",
        "Mã biên nhận",
        "Thời gian gửi",
        "Đúng hạn",
    ]
    status = {row[5]: row for row in rows[1:]}
    assert len(rows) - 1 == len(status) == 65  # the communes of Lạng Sơn
    # Sent back for fixing: that is its state, as on the dashboard; it was sent on time.
    assert status["Xã Cao Lộc"][6] == "Cần bổ sung"
    assert status["Xã Cao Lộc"][8] == datetime(2024, 6, 10, 9, 30)
    assert status["Xã Cao Lộc"][9] == "Đúng hạn"
    assert status["Xã Lộc Bình"][6] == status["Xã Lộc Bình"][9] == "Trễ hạn"
    assert status["Xã Thất Khê"][6] == "Chưa gửi"
    assert status["Xã Thất Khê"][7] is status["Xã Thất Khê"][9] is None
    assert {row[0] for row in rows[1:]} == {"Báo cáo OCOP định kỳ của xã"}
    assert {row[1] for row in rows[1:]} == {"quý 2/2024"}
    assert {row[3] for row in rows[1:]} == {"Lạng Sơn"}
    assert [row[6] for row in rows[1:]].count("Chưa gửi") == 63


async def test_without_an_on_time_rule_a_report_is_just_received(
    seeded: async_sessionmaker[AsyncSession],
) -> None:
    """No deadline known: a report not reviewed is "received" (the dashboard's word), one
    reviewed keeps its review; neither is judged on time or late."""
    for commune, state in [(LOC_BINH, "Đã nhận"), (CAO_LOC, "Cần bổ sung")]:
        book = await xlsx(seeded, report="commune_report", period="2024-Q2", commune_code=commune)
        rows = rows_of(book["Tình hình báo cáo"])
        assert [[row[6], row[9]] for row in rows[1:]] == [[state, None]]
        report = rows_of(book["Báo cáo OCOP định kỳ của xã"])
        assert report[1][FIXED.index("Đúng hạn")] is None


async def test_a_province_own_deadline_judges_its_reports(
    seeded: async_sessionmaker[AsyncSession],
) -> None:
    """Lạng Sơn gives its communes until 25/06: Lộc Bình's report of 20/06 is on time there,
    in the report's sheet and in the completeness sheet; other provinces keep 15/06."""
    asked: list[tuple[str, str, int | None]] = []

    def deadline_of(form: str, period: str, province: int | None = None) -> datetime:
        asked.append((form, period, province))
        return at(2024, 6, 25, 16, 59, 59) if province == LANG_SON else DEADLINE

    book = await xlsx(
        seeded,
        report="commune_report",
        period="2024-Q2",
        on_time=on_time_by_deadline(deadline_of),
    )
    report = rows_of(book["Báo cáo OCOP định kỳ của xã"])
    flags = {row[3]: row[FIXED.index("Đúng hạn")] for row in report[1:]}
    assert flags["Xã Lộc Bình"] == "Đúng hạn"
    status = {row[5]: row[6] for row in rows_of(book["Tình hình báo cáo"])[1:]}
    assert status["Xã Lộc Bình"] == "Đúng hạn"
    # One lookup per report, period and province, however many rows.
    assert len(asked) == len(set(asked)) == 2
    assert {province for _, _, province in asked} == {LANG_SON, HA_NOI}


async def test_a_province_export_holds_nothing_of_another_province(
    seeded: async_sessionmaker[AsyncSession],
) -> None:
    lang_son_admin = Scope(Reach.PROVINCE, province_code=LANG_SON)
    book = await xlsx(seeded, scope=lang_son_admin, period="2024-Q2")
    text = " ".join(
        str(value) for sheet in book.worksheets for row in rows_of(sheet) for value in row
    )
    assert "Lạng Sơn" in text and "Cao Lộc" in text
    assert "Hà Nội" not in text and "Hoàn Kiếm" not in text and "Trần An" not in text
    with pytest.raises(ExportError, match="outside"):
        await xlsx(seeded, scope=lang_son_admin, province_code=HA_NOI)
    with pytest.raises(ExportError, match="outside"):
        await xlsx(seeded, scope=lang_son_admin, commune_code=HOAN_KIEM)


async def test_an_officer_scope_sees_only_the_commune(
    seeded: async_sessionmaker[AsyncSession],
) -> None:
    officer = Scope(Reach.COMMUNE, province_code=LANG_SON, commune_code=LOC_BINH)
    book = await xlsx(seeded, scope=officer, report="commune_report", period="2024-Q2")
    communes = [row[3] for row in rows_of(book.worksheets[0])[1:]]
    assert communes == ["Xã Lộc Bình"]
    assert [row[5] for row in rows_of(book["Tình hình báo cáo"])[1:]] == ["Xã Lộc Bình"]


async def test_all_reports_one_sheet_each_and_every_period_without_a_period(
    seeded: async_sessionmaker[AsyncSession],
) -> None:
    book = await xlsx(seeded, province_code=LANG_SON)
    assert book.sheetnames == [
        "Báo cáo OCOP định kỳ của xã",
        "Báo cáo sản xuất hằng tháng",
        "Đăng ký ý tưởng sản phẩm OCOP",
        "Tình hình báo cáo",
    ]
    periods = [row[4] for row in rows_of(book.worksheets[0])[1:]]
    assert sorted(periods) == ["quý 1/2024", "quý 2/2024", "quý 2/2024"]
    completeness = rows_of(book["Tình hình báo cáo"])[1:]
    assert len(completeness) == 2 * 65  # both quarters that have reports


async def test_a_year_covers_its_quarters(seeded: async_sessionmaker[AsyncSession]) -> None:
    book = await xlsx(seeded, report="commune_report", period="2024", province_code=LANG_SON)
    assert len(rows_of(book.worksheets[0])) - 1 == 3
    assert len(rows_of(book["Tình hình báo cáo"])) - 1 == 4 * 65


async def test_ideas_are_chosen_by_the_local_day_they_were_sent(
    factory: async_sessionmaker[AsyncSession],
) -> None:
    async with factory() as session, session.begin():
        producer = await add_officer(session, "HTX Chè Tân Thành", LANG_SON, CAO_LOC)
        producer.role = Role.PRODUCER
        for n, now in enumerate([at(2024, 6, 30, 16, 30), at(2024, 6, 30, 17, 30)]):
            await file_report(
                session,
                producer,
                {"product_name": f"Chè {n}", "product_group": "drinks", "market": ["local"]},
                now,
                form_id="product_idea",
                period="",
                scope_key=f"idea:{n}",
                prefix="YT",
            )
    book = await xlsx(factory, report="product_idea", period="2024-Q2")
    rows = rows_of(book.worksheets[0])
    header = rows[0]
    assert book.sheetnames == ["Đăng ký ý tưởng sản phẩm OCOP"]  # no completeness for ideas
    assert len(rows) == 2  # 17:30 UTC on 30/6 is already 1 July in Vietnam
    row = dict(zip(header, rows[1], strict=True))
    assert row["Tên sản phẩm"] == "Chè 0"
    assert row["Nhóm sản phẩm"] == "Đồ uống"
    assert row["Thị trường hiện nay"] == "Trong xã"
    assert row["Kỳ báo cáo"] is None
