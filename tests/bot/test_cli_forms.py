"""``ocop-bot forms check|import|list|export|attach`` through typer's runner, on each
database: versions kept, a changed workbook needs a new version, a draft keeps the version it
began with, an attached form is on the reporting calendar."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from typer.testing import CliRunner

from bot.cli_forms import forms_cli
from forms import registry
from forms.periods import PeriodKind, period_of
from forms.xlsform import check_workbook
from forms.xlsform.export import source_of
from scheduler.calendar import load_calendar
from storage.db import create_engine, create_session_factory
from storage.installed_forms import InstalledForms
from storage.models import ReportSchedule
from tests.forms.xlsform.registries import clean_registries
from tests.forms.xlsform.workbooks import VI, commune_report, xlsform

__all__ = ["clean_registries"]  # a fixture
runner = CliRunner()


def small(version: str, label: str = "Số hộ") -> bytes:
    return xlsform(
        [{"type": "integer", "name": "households", VI: label, "required": "yes"}],
        settings={"form_id": "so_ho", "version": version, "form_title": "Số hộ tham gia"},
    )


@pytest.fixture
def env(
    database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, clean_registries: None
) -> Path:
    folder = tmp_path / "work"
    folder.mkdir()
    monkeypatch.chdir(folder)
    monkeypatch.setenv("OCOP_DATABASE_URL", database_url)
    for name in ("OCOP_TELEGRAM_TOKEN", "OCOP_ADMINS", "OCOP_TIMEZONE"):
        monkeypatch.delenv(name, raising=False)
    return folder


def run(*args: str) -> Any:
    return runner.invoke(forms_cli, list(args))


async def _rows(url: str) -> list[tuple[str, str, bool]]:
    engine = create_engine(url)
    try:
        async with create_session_factory(engine)() as session:
            rows = await InstalledForms(session).all()
            return [(r.form_id, r.version, r.active) for r in rows]
    finally:
        await engine.dispose()


def test_check_changes_nothing(env: Path, database_url: str) -> None:
    good = env / "so_ho.xlsx"
    good.write_bytes(small("1"))
    result = run("check", str(good))
    assert result.exit_code == 0, result.output
    assert "form 'so_ho' version 1: 1 question(s), no problem." in result.output
    bad = env / "bad.xlsx"
    bad.write_bytes(
        xlsform([{"type": "audio", "name": "voice", "label": "Nói"}], settings={"form_id": "x"})
    )
    result = run("check", str(bad))
    assert result.exit_code == 1
    assert "survey, row 2, column A (type): the type 'audio': voice recordings" in result.output
    assert "1 problem(s); nothing was changed." in result.output
    assert run("import", str(bad)).exit_code == 1
    assert asyncio.run(_rows(database_url)) == []


def test_import_versions_list_and_export(env: Path, database_url: str) -> None:
    first = env / "v1.xlsx"
    first.write_bytes(small("1"))
    result = run("import", str(first))
    assert result.exit_code == 0, result.output
    assert "Installed 'so_ho' version 1 (Số hộ tham gia)" in result.output
    assert "already installed; nothing changed" in run("import", str(first)).output
    changed = env / "changed.xlsx"
    changed.write_bytes(small("1", "Số hộ dân"))
    result = run("import", str(changed))
    assert result.exit_code == 1
    assert "raise the version on the settings sheet" in result.output
    second = env / "v2.xlsx"
    second.write_bytes(small("2", "Số hộ dân"))
    assert run("import", str(second)).exit_code == 0
    assert asyncio.run(_rows(database_url)) == [("so_ho", "1", False), ("so_ho", "2", True)]
    listed = run("list").output.splitlines()
    assert listed[0].startswith("  so_ho  v1  Số hộ tham gia  /so_ho  officer, none")
    assert listed[1].startswith("* so_ho  v2")
    # Exported: the workbook that was imported, row for row.
    assert run("export", "so_ho", "--version", "1", "-o", "back.xlsx").exit_code == 0
    _, problems, book = check_workbook(env / "back.xlsx")
    _, _, original = check_workbook(first)
    assert problems == [] and book is not None and original is not None
    assert source_of(book.sheets) == source_of(original.sheets)
    assert "There is no form 'nope'." in run("export", "nope").output


def test_builtin_ids_and_commands_are_refused(env: Path) -> None:
    clash = env / "clash.xlsx"
    clash.write_bytes(small("1"))
    result = run("import", str(clash), "--id", "commune_report", "--command", "khac")
    assert result.exit_code == 1 and "is a built-in form's id" in result.output
    result = run("import", str(clash), "--command", "baocao")
    assert (
        result.exit_code == 1 and "/baocao is the built-in form 'commune_report''s" in result.output
    )
    result = run("import", str(clash), "--command", "huy")
    assert result.exit_code == 1 and "/huy is a command of the bot" in result.output


def test_export_a_builtin_form(env: Path) -> None:
    assert run("export", "commune_report").exit_code == 0
    form, problems, _ = check_workbook(env / "commune_report.xlsx")
    assert problems == [] and form is not None and len(form.questions()) == 15


async def _calendar_and_forms(url: str) -> tuple[Any, Any, list[Any]]:
    engine = create_engine(url)
    try:
        async with create_session_factory(engine)() as session:
            row = await session.get(ReportSchedule, "bao_cao_xa_tinh")
            calendar = await load_calendar(session)
            forms = await InstalledForms(session).chat_forms()
            return row, calendar, forms
    finally:
        await engine.dispose()


def test_attach_to_the_calendar(env: Path, database_url: str) -> None:
    path = env / "xa.xlsx"
    path.write_bytes(commune_report())
    assert run("import", str(path), "--command", "baocaotinh").exit_code == 0
    result = run(
        "attach",
        "bao_cao_xa_tinh",
        "--period",
        "quarter",
        "--deadline-day",
        "20",
        "--audience",
        "commune_officers",
    )
    assert result.exit_code == 0, result.output
    row, calendar, forms = asyncio.run(_calendar_and_forms(database_url))
    assert row is not None and row.period == "quarter" and "attached" in row.admin_set
    rule = calendar.rules["bao_cao_xa_tinh"]
    assert rule.period is PeriodKind.QUARTER and rule.audience == "commune_officers"
    # Expected from today's quarter on (Vietnam's date): no commune is late for earlier ones.
    today = datetime.now(ZoneInfo("Asia/Ho_Chi_Minh")).date()
    assert rule.expected_from in (today, today - timedelta(days=1))
    assert [p.key for p in rule.open_periods(today)] in ([period_of(rule.period, today).key], [])
    ((form, active),) = forms
    assert active and form.period is PeriodKind.QUARTER and form.shared_by == "commune"
    assert form.commands == ("baocaotinh",)
    bad = run("attach", "bao_cao_xa_tinh", "--period", "week", "--deadline-day", "20")
    assert bad.exit_code == 1 and "--period is month, quarter or year." in bad.output
    # Off the calendar again: nobody must file it; a second time says it is not there.
    off = run("detach", "bao_cao_xa_tinh")
    assert off.exit_code == 0 and "is off the calendar" in off.output, off.output
    row, calendar, forms = asyncio.run(_calendar_and_forms(database_url))
    assert row is None and "bao_cao_xa_tinh" not in calendar.rules
    ((form, _),) = forms
    assert form.period is PeriodKind.NONE and form.commands == ("baocaotinh",)
    again = run("detach", "bao_cao_xa_tinh")
    assert again.exit_code == 1 and "not an imported form on the calendar" in again.output


async def _versions(url: str) -> list[Any]:
    engine = create_engine(url)
    try:
        async with create_session_factory(engine)() as session:
            return await InstalledForms(session).chat_forms()
    finally:
        await engine.dispose()


def test_a_draft_keeps_the_version_it_began_with(env: Path, database_url: str) -> None:
    for version, label in (("1", "Số hộ"), ("2", "Số hộ dân")):
        path = env / f"v{version}.xlsx"
        path.write_bytes(small(version, label))
        assert run("import", str(path)).exit_code == 0
    registry.add_imported(asyncio.run(_versions(database_url)), lambda form: None)
    assert registry.FORMS["so_ho"].version == "2"
    began = registry.form_version("so_ho", "1")
    assert began is not None and began.questions[0].label.vi == "Số hộ"
    assert registry.form_version("so_ho", None) is registry.FORMS["so_ho"]
