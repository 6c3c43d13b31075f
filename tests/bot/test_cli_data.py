"""``ocop-bot export`` and ``ocop-bot import`` through typer's runner, on each database."""

from __future__ import annotations

import asyncio
import io
import subprocess
import sys
from pathlib import Path

import openpyxl
import pytest
import typer
from rich.console import Console
from typer.testing import CliRunner

from bot.cli_data import ExportProgress, app, register
from scheduler.calendar import schedule_values
from scheduler.config import calendar_file
from storage.calendar import CalendarRows
from storage.db import create_engine, create_session_factory
from storage.models import utcnow
from tests.storage.test_exports import (
    CAO_LOC,
    HA_NOI,
    HOAN_KIEM,
    LANG_SON,
    LOC_BINH,
    add_officer,
    at,
    file_report,
    report_answers,
)
from tests.storage.test_imports import OFFICERS, PRODUCTS, write_csv, write_xlsx

runner = CliRunner()


async def _seed(url: str) -> None:
    engine = create_engine(url)
    async with create_session_factory(engine)() as session, session.begin():
        hang = await add_officer(session, "Nguyễn Thị Hằng", LANG_SON, CAO_LOC)
        duc = await add_officer(session, "Hoàng Văn Đức", LANG_SON, LOC_BINH)
        an = await add_officer(session, "Trần An", HA_NOI, HOAN_KIEM)
        await file_report(session, hang, report_answers(proposals="=1+1"), at(2024, 6, 10))
        await file_report(session, duc, report_answers(), at(2024, 6, 20))
        await file_report(session, an, report_answers(), at(2024, 6, 1))
    await engine.dispose()


@pytest.fixture
def env(database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The command line on the test database, in an empty folder (no .env)."""
    folder = tmp_path / "work"
    folder.mkdir()
    monkeypatch.chdir(folder)
    monkeypatch.setenv("OCOP_DATABASE_URL", database_url)
    for name in ("OCOP_TELEGRAM_TOKEN", "OCOP_ADMINS", "OCOP_TIMEZONE"):
        monkeypatch.delenv(name, raising=False)
    return folder


@pytest.fixture
def seeded(env: Path, database_url: str) -> Path:
    asyncio.run(_seed(database_url))
    return env


def test_export_a_province_quarter_to_excel(seeded: Path) -> None:
    out = seeded / "q2.xlsx"
    result = runner.invoke(
        app,
        [
            *("export", "--report", "commune_report", "--period", "2024-Q2"),
            *("--province", "lang son", "--out", str(out)),
        ],
    )
    assert result.exit_code == 0, result.output
    assert result.stdout.strip() == (
        f"Wrote {out}: 2 submissions in sheets Báo cáo OCOP định kỳ của xã, Tình hình báo cáo; "
        "63 of 65 expected commune reports missing."
    )
    assert "Exported 2 of 2 submissions (100%)" in result.stderr
    book = openpyxl.load_workbook(out)
    rows = list(book.worksheets[0].iter_rows(values_only=True))
    assert {row[3] for row in rows[1:]} == {"Xã Cao Lộc", "Xã Lộc Bình"}
    assert "'=1+1" in rows[1] + rows[2]


def test_export_one_commune_by_code_to_csv_with_a_default_name(seeded: Path) -> None:
    result = runner.invoke(
        app,
        ["export", "--report", "commune_report", "--commune", "06193", "--format", "csv"],
    )
    assert result.exit_code == 0, result.output
    out = seeded / "ocop_commune_report_ALL.csv"
    assert out.read_bytes().startswith(b"\xef\xbb\xbf")
    assert "Xã Cao Lộc" in out.read_text(encoding="utf-8-sig")
    assert "Xã Lộc Bình" not in out.read_text(encoding="utf-8-sig")


async def _change_calendar(url: str, province: int | None, changes: dict[str, int]) -> None:
    """An admin's /lich change, as the rows have it: the national schedule, or a province's
    own deadline."""
    engine = create_engine(url)
    async with create_session_factory(engine)() as session, session.begin():
        rows = CalendarRows(session)
        if province is None:
            file_values = schedule_values(calendar_file().rules()["commune_report"])
            await rows.set_schedule(
                "commune_report", file_values, changes, user_id=None, now=utcnow()
            )
        else:
            await rows.set_province_deadline(
                "commune_report", province, changes, user_id=None, now=utcnow()
            )
    await engine.dispose()


@pytest.mark.parametrize(
    ("province", "expected"),
    [
        # The country's deadline moved from 15/06 to 25/06: Lộc Bình's 20/06 is on time.
        (
            None,
            {"Xã Cao Lộc": "Đúng hạn", "Xã Lộc Bình": "Đúng hạn", "Phường Hoàn Kiếm": "Đúng hạn"},
        ),
        # Lạng Sơn's own deadline is 05/06: Cao Lộc's 10/06 is late, Hà Nội keeps 15/06.
        (
            LANG_SON,
            {"Xã Cao Lộc": "Trễ hạn", "Xã Lộc Bình": "Trễ hạn", "Phường Hoàn Kiếm": "Đúng hạn"},
        ),
    ],
    ids=["national_deadline", "province_deadline"],
)
def test_export_judges_by_the_admins_calendar(
    seeded: Path, database_url: str, province: int | None, expected: dict[str, str]
) -> None:
    """Observed: ``ocop-bot export`` judged by the calendar file, as no scheduler refreshes
    the command's copy of the calendar; admins' deadlines (/lich) are in the database."""
    asyncio.run(
        _change_calendar(database_url, province, {"deadline_day": 25 if province is None else 5})
    )
    out = seeded / "q2.xlsx"
    result = runner.invoke(
        app, ["export", "--report", "commune_report", "--period", "2024-Q2", "--out", str(out)]
    )
    assert result.exit_code == 0, result.output
    rows = list(openpyxl.load_workbook(out).worksheets[0].iter_rows(values_only=True))
    flag = list(rows[0]).index("Đúng hạn")
    assert {row[3]: row[flag] for row in rows[1:]} == expected


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["--format", "csv"], "A CSV file holds one report: choose it with --report"),
        (["--period", "quy 2"], "'quy 2' is not a period"),
        (["--report", "commune_report", "--period", "2024-06"], "is filed once a quarter"),
        (["--report", "bao_cao"], "Unknown report 'bao_cao'"),
        (["--province", "atlantis"], "There is no province 'atlantis'."),
        (["--province", "lang son", "--commune", "hoan kiem"], "There is no commune 'hoan kiem'"),
        (["--commune", "cao loc"], "--commune by name needs --province"),
        (["--format", "pdf"], "--format must be xlsx or csv"),
        (["--format", "csv", "--out", "x.xlsx"], "--format csv does not fit the file name"),
    ],
)
def test_wrong_options_are_one_sentence_and_exit_2(
    env: Path, arguments: list[str], message: str
) -> None:
    result = runner.invoke(app, ["export", *arguments])
    assert result.exit_code == 2, result.output
    assert message in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert not list(env.iterdir())  # no file, not even a partial one


def test_import_officers_reports_bad_rows_and_is_idempotent(env: Path) -> None:
    path = write_xlsx(env / "can_bo.xlsx", OFFICERS)
    result = runner.invoke(app, ["import", "officers", str(path)])
    assert result.exit_code == 1, result.output
    lines = result.stdout.strip().splitlines()
    assert lines[:4] == [
        "Row 4: phone '0123' is not a valid Vietnamese phone number.",
        "Row 5: there is no commune 'Xã Không Có' in Lạng Sơn; did you mean Xã Khánh Khê (06403)?",
        "Row 6: name is missing.",
        "Row 7: phone 0912 345 678 is also on row 2.",
    ] or lines[0].startswith("Row 4")
    assert lines[-1] == (
        "7 rows read: 3 officers were added, 0 updated, 0 already up to date, 4 rows not imported."
    )
    again = runner.invoke(app, ["import", "officers", str(path)])
    assert again.stdout.strip().splitlines()[-1] == (
        "7 rows read: 0 officers were added, 0 updated, 3 already up to date, 4 rows not imported."
    )


def test_import_products_all_good_exits_0(env: Path) -> None:
    path = write_csv(env / "san_pham.csv", PRODUCTS[:3])
    dry = runner.invoke(app, ["import", "products", str(path), "--dry-run"])
    assert dry.exit_code == 0, dry.output
    assert "2 products would be added" in dry.stdout
    result = runner.invoke(app, ["import", "products", str(path)])
    assert result.exit_code == 0, result.output
    assert result.stdout.strip() == (
        "2 rows read: 2 products were added, 0 updated, 0 already up to date, 0 rows not imported."
    )


def test_import_with_a_default_province(env: Path) -> None:
    path = write_csv(env / "ds.csv", [["Họ tên", "SĐT", "Xã"], ["An", "0912345678", "Cao Lộc"]])
    result = runner.invoke(app, ["import", "officers", str(path), "--province", "20"])
    assert result.exit_code == 0, result.output


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["officers", "missing.xlsx"], "There is no file missing.xlsx."),
        (["products", "list.txt"], "list.txt has no column for name"),
        (["officers", "list.txt", "--province", "atlantis"], "There is no province 'atlantis'."),
    ],
)
def test_import_errors_exit_2(env: Path, arguments: list[str], message: str) -> None:
    (env / "list.txt").write_text("a,b\n1,2\n", encoding="utf-8")
    result = runner.invoke(app, ["import", *arguments])
    assert result.exit_code == 2, result.output
    assert message in result.stderr


def test_progress_is_a_line_per_tenth_off_a_terminal(capsys: pytest.CaptureFixture[str]) -> None:
    progress = ExportProgress(Console(file=io.StringIO(), force_terminal=False))
    for done in (0, 1000, 1500, 2000, 9000, 10000):
        progress(done, 10000)
    progress.close()
    assert capsys.readouterr().err.splitlines() == [
        "Exported 1000 of 10000 submissions (10%)",
        "Exported 2000 of 10000 submissions (20%)",
        "Exported 9000 of 10000 submissions (90%)",
        "Exported 10000 of 10000 submissions (100%)",
    ]


def test_progress_is_a_bar_on_a_terminal() -> None:
    screen = io.StringIO()
    progress = ExportProgress(Console(file=screen, force_terminal=True, width=80))
    for done in (0, 500, 1000):
        progress(done, 1000)
    progress.close()
    assert "Exporting" in screen.getvalue() and "1000/1000" in screen.getvalue()


def test_register_adds_export_and_import() -> None:
    cli = typer.Typer()

    @cli.command("run")
    def run() -> None:  # a second command, as in bot.cli
        """Run."""

    register(cli)
    result = runner.invoke(cli, ["--help"])
    assert "export" in result.stdout and "import" in result.stdout
    assert runner.invoke(cli, ["import", "officers", "--help"]).exit_code == 0


def test_runs_as_a_module() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "bot.cli_data", "export", "--help"],
        capture_output=True,
        text=True,
        check=False,
        cwd=Path(__file__).resolve().parents[2],
    )
    assert result.returncode == 0 and "--period" in result.stdout
