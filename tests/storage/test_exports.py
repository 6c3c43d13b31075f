"""Exports opened again as an office would: with openpyxl and the csv module."""

from __future__ import annotations

import asyncio
import concurrent.futures
import csv
import io
import threading
import time
import zipfile
from collections.abc import AsyncIterator
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from storage.db import create_engine, create_session_factory
from storage.exports import ExportError, export, export_filename, inert, on_time_by_deadline, sinks
from storage.exports.bridge import RowBridge
from storage.exports.cells import Kind
from storage.exports.sinks import Column, MoreRowsThanPlanned, TablePlan, XlsxSink
from storage.models import Role, Submission, User, UserStatus
from storage.scope import Reach, Scope
from storage.submissions import Submissions

LANG_SON, CAO_LOC, LOC_BINH, THAT_KHE = 20, 6193, 6529, 6040
HA_NOI, HOAN_KIEM = 1, 70
NATIONAL = Scope(Reach.NATIONAL)
DEADLINE = datetime(2024, 6, 15, 16, 59, 59, tzinfo=UTC)  # 23:59:59 on 15/6 in Hà Nội time
ON_TIME = on_time_by_deadline(lambda _form, _period: DEADLINE)
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
        "Trạng thái duyệt",
    ]
    status = {row[5]: row for row in rows[1:]}
    assert len(rows) - 1 == len(status) == 65  # the communes of Lạng Sơn
    assert status["Xã Cao Lộc"][6] == "Đúng hạn"
    assert status["Xã Cao Lộc"][8] == datetime(2024, 6, 10, 9, 30)
    assert status["Xã Cao Lộc"][9] == "Cần bổ sung"
    assert status["Xã Lộc Bình"][6] == "Trễ hạn"
    assert status["Xã Thất Khê"][6] == "Chưa gửi"
    assert status["Xã Thất Khê"][7] is None
    assert {row[0] for row in rows[1:]} == {"Báo cáo OCOP định kỳ của xã"}
    assert {row[1] for row in rows[1:]} == {"quý 2/2024"}
    assert {row[3] for row in rows[1:]} == {"Lạng Sơn"}
    assert [row[6] for row in rows[1:]].count("Chưa gửi") == 63


async def test_without_an_on_time_rule_a_report_is_just_sent(
    seeded: async_sessionmaker[AsyncSession],
) -> None:
    book = await xlsx(seeded, report="commune_report", period="2024-Q2", commune_code=CAO_LOC)
    rows = rows_of(book["Tình hình báo cáo"])
    assert [row[5:7] for row in rows[1:]] == [["Xã Cao Lộc", "Đã gửi"]]
    report = rows_of(book["Báo cáo OCOP định kỳ của xã"])
    assert report[1][FIXED.index("Đúng hạn")] is None


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


async def test_a_sheet_is_split_at_the_row_limit(factory: async_sessionmaker[AsyncSession]) -> None:
    async with factory() as session, session.begin():
        for n in range(5):
            user = await add_officer(session, f"Cán bộ {n}", LANG_SON, CAO_LOC)
            await file_report(session, user, report_answers(), at(2024, 6, 1), scope_key=f"x:{n}")
    calls: list[tuple[int, int]] = []
    buffer = io.BytesIO()
    summary = await export(
        factory,
        buffer,
        scope=NATIONAL,
        report="commune_report",
        period="2024-Q2",
        commune_code=CAO_LOC,
        row_limit=3,
        batch_size=2,
        progress=lambda done, total: calls.append((done, total)),
    )
    book = openpyxl.load_workbook(io.BytesIO(buffer.getvalue()))
    name = "Báo cáo OCOP định kỳ của xã"
    assert book.sheetnames == [name, f"{name} (2)", f"{name} (3)", "Tình hình báo cáo"]
    parts = [rows_of(book[n]) for n in book.sheetnames[:3]]
    assert [len(p) for p in parts] == [3, 3, 2]  # header + rows, header repeated
    assert all(p[0][: len(FIXED)] == FIXED for p in parts)
    names = [row[7] for p in parts for row in p[1:]]
    assert sorted(names) == [f"Cán bộ {n}" for n in range(5)]
    assert summary.submissions == 5 and summary.sheets == book.sheetnames
    assert calls == [(0, 5), (2, 5), (4, 5), (5, 5)]


def test_sheet_names_stay_valid_and_unique() -> None:
    from storage.exports.cells import sheet_name

    taken: set[str] = set()
    long = "Báo cáo tổng hợp kết quả thực hiện Chương trình OCOP"
    first = sheet_name(long, taken)
    assert len(first) == 31
    assert sheet_name(long, taken, 2).endswith(" (2)") and len(sheet_name(long, taken, 3)) <= 31
    assert sheet_name("a/b:c", taken) == "a b c"
    assert sheet_name(long, taken) != first


def test_inert_neutralises_formula_starts_only() -> None:
    for text in ("=1+1", "+1+1", "-1+1", "@SUM(1)", "\t=1", "\r=1"):
        assert inert(text) == "'" + text
    for text in ("Thiếu vốn", "1+1", "", "'=quoted"):
        assert inert(text) == text


def test_the_fast_text_paths_still_neutralise_every_formula_start() -> None:
    """The writers look at a text's first character before calling inert(): whatever
    starts like a formula still gets its apostrophe, and nothing else does."""
    from storage.exports.cells import xlsx_text
    from storage.exports.sinks import _csv_cell

    risky = ["=1+1", "+84912345678", "-", "- thiếu vốn", "@SUM(1)", "\t=1", "\n=1", "\r=1"]
    for text in risky:
        assert xlsx_text(text) == "'" + text
        assert _csv_cell(text) == "'" + text
    rich = "<r><t>x</t></r>"
    assert xlsx_text(rich) == rich  # rust_xlsxwriter escapes it (see the next test)
    assert xlsx_text("x" * 40_000) == "x" * 32_767  # Excel's limit; longer would fail
    for text in ("Thiếu vốn", "<b>không phải</b>", "1+1", "", "'=quoted"):
        assert xlsx_text(text) == text
        assert _csv_cell(text) == text
    assert _csv_cell(-2) == "-2" and _csv_cell(None) == ""


async def test_text_shaped_like_rich_text_xml_stays_text(
    factory: async_sessionmaker[AsyncSession],
) -> None:
    """The Python xlsxwriter copied a string shaped like ``<r>...</r>`` into the sheet's XML
    as it was; rust_xlsxwriter escapes it, so it comes back exactly as typed and adds no
    element (a formula least of all) to the sheet."""
    injected = '<r><t>a</t></r></is><f>HYPERLINK("http://x","y")</f><is><r><t>b</t></r>'
    async with factory() as session, session.begin():
        user = await add_officer(session, "Cán bộ", LANG_SON, CAO_LOC)
        await file_report(session, user, report_answers(difficulties=injected), at(2024, 6, 1))
    buffer = io.BytesIO()
    await export(factory, buffer, scope=NATIONAL, report="commune_report", period="2024-Q2")
    book = openpyxl.load_workbook(io.BytesIO(buffer.getvalue()))
    rows = rows_of(book.worksheets[0])
    row = dict(zip(rows[0], rows[1], strict=True))
    assert row["Khó khăn, vướng mắc"] == injected
    with zipfile.ZipFile(io.BytesIO(buffer.getvalue())) as archive:
        sheet = archive.read("xl/worksheets/sheet1.xml").decode()
    assert "<f>" not in sheet and "HYPERLINK" in sheet


async def test_csv_has_a_bom_one_report_and_inert_text(
    seeded: async_sessionmaker[AsyncSession],
) -> None:
    buffer = io.BytesIO()
    summary = await export(
        seeded,
        buffer,
        scope=NATIONAL,
        report="commune_report",
        period="2024-Q2",
        province_code=LANG_SON,
        fmt="csv",
        on_time=ON_TIME,
    )
    raw = buffer.getvalue()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"), newline="")))
    header = rows[0]
    assert header[: len(FIXED)] == FIXED
    data = {row[3]: dict(zip(header, row, strict=True)) for row in rows[1:]}
    cao_loc = data["Xã Cao Lộc"]
    assert cao_loc["Mã tỉnh"] == "20" and cao_loc["Mã xã"] == "06193"
    assert cao_loc["Thời gian gửi"] == "2024-06-10 09:30"
    assert cao_loc["Khó khăn, vướng mắc"] == "'" + MALICIOUS
    assert cao_loc["Đề xuất, kiến nghị"] == "'+1+1"
    assert cao_loc["Số sản phẩm đã được đánh giá, phân hạng trong kỳ"] == "-2"  # a number
    assert cao_loc["Trạng thái duyệt"] == "Cần bổ sung"
    assert data["Xã Lộc Bình"]["Khó khăn, vướng mắc"] == "Thiếu vốn, đường xá khó khăn"
    assert data["Xã Lộc Bình"]["Đúng hạn"] == "Trễ hạn"
    assert summary.sheets == ["Báo cáo OCOP định kỳ của xã"] and summary.submissions == 2


async def test_a_file_is_written_whole_or_not_at_all(
    seeded: async_sessionmaker[AsyncSession], tmp_path: Path
) -> None:
    folder = tmp_path / "out"
    folder.mkdir()
    out = folder / "q2.xlsx"
    await export(seeded, out, scope=NATIONAL, report="commune_report", period="2024-Q2")
    assert openpyxl.load_workbook(out).sheetnames[0] == "Báo cáo OCOP định kỳ của xã"

    def interrupt(done: int, total: int) -> None:
        if done:
            raise RuntimeError("interrupted")

    broken = folder / "broken.xlsx"
    with pytest.raises(RuntimeError, match="interrupted"):
        await export(seeded, broken, scope=NATIONAL, period="2024-Q2", progress=interrupt)
    assert sorted(p.name for p in folder.iterdir()) == ["q2.xlsx"]


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"report": "nope"}, "Unknown report 'nope'"),
        ({"fmt": "csv"}, "A CSV file holds one report"),
        ({"fmt": "pdf"}, "Unknown format"),
        ({"period": "Q2-2024"}, "is not a period"),
        ({"report": "commune_report", "period": "2024-06"}, "filed once a quarter"),
        ({"province_code": 999}, "no province with code 999"),
        ({"commune_code": 1}, "no commune with code 1"),
        ({"province_code": HA_NOI, "commune_code": CAO_LOC}, "not in the province"),
    ],
)
async def test_wrong_requests_are_one_sentence(
    factory: async_sessionmaker[AsyncSession], options: dict[str, Any], message: str
) -> None:
    with pytest.raises(ExportError, match=message):
        await export(factory, io.BytesIO(), scope=NATIONAL, **options)


def test_file_names_say_what_is_inside() -> None:
    assert (
        export_filename("commune_report", "2024-q2", "xlsx") == "ocop_commune_report_2024-Q2.xlsx"
    )
    assert export_filename(None, None, "csv") == "ocop_all_ALL.csv"


async def test_an_export_on_sqlite_does_not_hold_the_write_lock(sqlite_url: str) -> None:
    """The bot's engine begins every transaction with BEGIN IMMEDIATE; an export reading
    through it would hold off every incoming message until it ends."""
    import sqlite3

    engine = create_engine(sqlite_url)
    factory = create_session_factory(engine)
    async with factory() as session, session.begin():
        for n in range(3):
            user = await add_officer(session, f"Cán bộ {n}", LANG_SON, CAO_LOC)
            await file_report(session, user, report_answers(), at(2024, 6, 1), scope_key=f"x:{n}")
    path = sqlite_url.split("///", 1)[1]
    writes: list[int] = []

    def write_meanwhile(done: int, total: int) -> None:
        if 0 < done < total:  # in the middle of the export
            with sqlite3.connect(path, timeout=1, isolation_level=None) as other:
                other.execute("BEGIN IMMEDIATE")
                other.execute("UPDATE users SET full_name = 'x' WHERE id = 1")
                other.execute("COMMIT")
            writes.append(done)

    await export(
        factory,
        io.BytesIO(),
        scope=NATIONAL,
        report="commune_report",
        batch_size=1,
        progress=write_meanwhile,
    )
    await engine.dispose()
    assert writes == [1, 2]


# The .xlsx writer: rustpy-xlsxwriter in a thread, fed through a bounded queue.


def writer_threads() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name == "xlsx-writer" and t.is_alive()]


SINK_COLUMNS = (
    Column("Mã xã", Kind.CODE),
    Column("Tỉnh"),
    Column("Tỉnh"),  # the same header twice: both columns stay, both show "Tỉnh"
    Column("Số", Kind.INTEGER),
    Column("Tỷ lệ", Kind.NUMBER),
    Column("Ngày", Kind.DATE),
    Column("Thời gian", Kind.DATETIME),
    Column("Ghi chú", Kind.LONG_TEXT),
)


async def test_the_workbook_keeps_types_formats_and_layout() -> None:
    buffer = io.BytesIO()
    sink = XlsxSink(
        buffer, [TablePlan("Bảng", SINK_COLUMNS, 2), TablePlan("Trống", SINK_COLUMNS, 0)]
    )
    table = sink.table("Bảng", SINK_COLUMNS)
    moment = datetime(2024, 6, 10, 9, 30)
    table.row(["06193", "=1+1", "+84912345678", 12, Decimal("1.5"), date(2024, 6, 1), moment, "-5"])
    table.row(["00001", "@x", "Lạng Sơn", -2, float("nan"), None, None, ""])
    await table.flush()
    await sink.finish()
    book = openpyxl.load_workbook(io.BytesIO(buffer.getvalue()))
    assert book.sheetnames == sink.sheets == ["Bảng", "Trống"]
    sheet = book["Bảng"]
    assert rows_of(sheet) == [
        ["Mã xã", "Tỉnh", "Tỉnh", "Số", "Tỷ lệ", "Ngày", "Thời gian", "Ghi chú"],
        ["06193", "'=1+1", "'+84912345678", 12, 1.5, datetime(2024, 6, 1), moment, "'-5"],
        ["00001", "'@x", "Lạng Sơn", -2, "nan", None, None, None],
    ]
    assert all(cell.data_type == "s" for cell in sheet[2][:3])  # text, never a formula
    assert [sheet.cell(2, col).number_format for col in (4, 5, 6, 7)] == [
        "#,##0",
        "General",
        "dd/mm/yyyy",
        "dd/mm/yyyy hh:mm",
    ]
    header = sheet["A1"]
    assert header.font.b and header.alignment.wrap_text and header.alignment.vertical == "top"
    assert header.fill.fgColor.rgb.endswith("DDEBF7")
    assert sheet.freeze_panes == "A2" and sheet.auto_filter.ref == "A1:H3"
    assert round(sheet.column_dimensions["A"].width) == 10  # 9, plus Excel's padding
    assert round(sheet.column_dimensions["H"].width) == 46
    empty = book["Trống"]  # no rows: the header all the same
    assert rows_of(empty)[0] == rows_of(sheet)[0] and empty.freeze_panes == "A2"
    assert not writer_threads()


async def test_a_table_is_split_into_the_sheets_planned_for_it() -> None:
    columns = (Column("Tên"),)
    buffer = io.BytesIO()
    sink = XlsxSink(buffer, [TablePlan("Bảng", columns, 5)], row_limit=3)
    assert sink.sheets == ["Bảng", "Bảng (2)", "Bảng (3)"]  # known before any row
    table = sink.table("Bảng", columns)
    for n in range(4):  # fewer rows than counted: the last sheet keeps its header
        table.row([f"Dòng {n}"])
    await table.flush()
    await sink.finish()
    book = openpyxl.load_workbook(io.BytesIO(buffer.getvalue()))
    assert [rows_of(book[name]) for name in book.sheetnames] == [
        [["Tên"], ["Dòng 0"], ["Dòng 1"]],
        [["Tên"], ["Dòng 2"], ["Dòng 3"]],
        [["Tên"]],
    ]


async def test_more_rows_than_planned_stop_the_table() -> None:
    columns = (Column("Tên"),)
    sink = XlsxSink(io.BytesIO(), [TablePlan("Bảng", columns, 2)], row_limit=3)
    table = sink.table("Bảng", columns)
    table.row(["a"])
    table.row(["b"])
    with pytest.raises(MoreRowsThanPlanned):
        table.row(["c"])
    await sink.abort()
    assert not writer_threads()


async def test_a_writer_that_fails_stops_the_export_instead_of_hanging() -> None:
    """10**400 is no spreadsheet number: rustpy raises in its thread, and the producer
    hears of it at the next hand-over, even while it waits on a full queue."""
    columns = (Column("Số", Kind.INTEGER),)
    sink = XlsxSink(io.BytesIO(), [TablePlan("Bảng", columns, 100)], bridge=RowBridge(max_chunks=1))
    table = sink.table("Bảng", columns)

    async def produce() -> None:
        table.row([10**400])
        for n in range(99):
            await table.flush()
            table.row([n])
        await sink.finish()

    with pytest.raises(OverflowError):
        await asyncio.wait_for(produce(), timeout=20)
    await sink.abort()
    assert not writer_threads()


async def test_a_producer_that_fails_stops_the_writer_and_saves_nothing() -> None:
    columns = (Column("Tên"),)
    buffer = io.BytesIO()
    sink = XlsxSink(buffer, [TablePlan("Bảng", columns, 10)])
    table = sink.table("Bảng", columns)
    table.row(["a"])
    await table.flush()
    await asyncio.wait_for(sink.abort(), timeout=20)  # as run.py does when reading fails
    assert not writer_threads()
    assert buffer.getvalue() == b""


async def test_an_export_that_fails_half_way_leaves_no_writer_running(
    seeded: async_sessionmaker[AsyncSession],
) -> None:
    def interrupt(done: int, total: int) -> None:
        if done:
            raise RuntimeError("interrupted")

    with pytest.raises(RuntimeError, match="interrupted"):
        await export(seeded, io.BytesIO(), scope=NATIONAL, batch_size=1, progress=interrupt)
    assert not writer_threads()


async def test_a_full_queue_does_not_block_the_event_loop(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A slow writer: the producer waits for room off the event loop, which keeps running."""

    def slow_write(entries: list[tuple[str, Any]], target: Any, **_options: Any) -> None:
        for _name, rows in entries:
            for _row in rows:
                time.sleep(0.02)
        target.write(b"done")

    monkeypatch.setattr(sinks.rustpy_xlsxwriter, "write_worksheets", slow_write)
    columns = (Column("Tên"),)
    buffer = io.BytesIO()
    sink = XlsxSink(buffer, [TablePlan("Bảng", columns, 10)], bridge=RowBridge(max_chunks=1))
    table = sink.table("Bảng", columns)
    ticks = 0

    async def ticker() -> None:
        nonlocal ticks
        while True:
            await asyncio.sleep(0.01)
            ticks += 1

    task = asyncio.create_task(ticker())
    for n in range(10):
        table.row([str(n)])
        await table.flush()  # one row a chunk: the queue is full almost at once
    await sink.finish()
    task.cancel()
    assert buffer.getvalue() == b"done"
    assert ticks >= 5  # ~0.2 s of writing, during which the loop went on


class _RefusingExecutor(concurrent.futures.ThreadPoolExecutor):
    def submit(self, *args: object, **kwargs: object):  # type: ignore[no-untyped-def, override]
        raise AssertionError("the export used the loop's shared thread pool")


async def test_an_export_holds_no_thread_of_the_shared_pool_while_it_waits() -> None:
    """Province admins exporting at once must not take the default pool's few threads
    (aiohttp's DNS look-ups for the Bot API need them): waits are done on the loop."""
    loop = asyncio.get_running_loop()
    refusing = _RefusingExecutor(max_workers=1)
    loop.set_default_executor(refusing)
    try:
        columns = (Column("Số", Kind.INTEGER), Column("Tên"))
        buffer = io.BytesIO()
        plan = [TablePlan("Bảng", columns, 3000)]
        sink = XlsxSink(buffer, plan, bridge=RowBridge(max_chunks=1))
        table = sink.table("Bảng", columns)
        for n in range(3000):
            table.row([n, f"Xã {n}"])
            if n % 100 == 99:
                await table.flush()  # the queue is full most of the time: the writer waits
        await sink.finish()
    finally:
        loop.set_default_executor(concurrent.futures.ThreadPoolExecutor())
        refusing.shutdown()
    sheet = openpyxl.load_workbook(io.BytesIO(buffer.getvalue())).worksheets[0]
    assert sheet.max_row == 3001
