"""``ocop-bot reminders preview --date ...`` prints who would get what, and writes nothing."""

from __future__ import annotations

import asyncio
from datetime import date
from pathlib import Path

import pytest
from typer.testing import CliRunner

from bot.cli_reminders import reminders_cli
from storage.models import Role
from tests.scheduler.conftest import World, at


@pytest.fixture
def cli_env(database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)  # no developer's .env
    monkeypatch.setenv("OCOP_DATABASE_URL", database_url)
    monkeypatch.delenv("OCOP_CALENDAR_FILE", raising=False)


def invoke(*args: str) -> str:
    result = CliRunner().invoke(reminders_cli, list(args))
    assert result.exit_code == 0, result.output
    return result.output


async def test_preview_prints_who_would_get_what(world: World, cli_env: None) -> None:
    an = await world.person("an", Role.OFFICER, "Cao Lộc")
    await world.person("binh", Role.OFFICER, "Đồng Đăng", language="en")
    await world.file("binh", "commune_report", "2024-Q2", at(date(2024, 6, 1)))
    await world.person("thu", Role.PROVINCE_ADMIN, None)

    output = await asyncio.to_thread(invoke, "preview", "--date", "2024-06-10")
    assert output.splitlines()[:3] == [
        "Reminders for 10/06/2024 (at 08:00); nothing is written.",
        "",
        "An · Xã Cao Lộc · Báo cáo OCOP định kỳ của xã · quý 2/2024 · before-7",
    ]
    assert "    Nhắc hạn: Báo cáo OCOP định kỳ của xã — quý 2/2024." in output
    assert "    Hạn nộp: 15/06/2024 (còn 5 ngày)." in output
    assert "    [Làm báo cáo → @form:commune_report]" in output
    assert "Binh" not in output  # Đồng Đăng filed
    assert output.rstrip().endswith("1 reminder(s), 0 digest(s).")
    assert await world.outbox() == []  # nothing written

    # Once written, the preview says so.
    await world.job().run(at(date(2024, 6, 10)))
    output = await asyncio.to_thread(invoke, "preview", "--date", "10/06/2024")
    assert "before-7  (already queued)" in output
    late = await asyncio.to_thread(invoke, "preview", "--date", "2024-06-18")
    assert "An · Xã Cao Lộc · Báo cáo OCOP định kỳ của xã · quý 2/2024 · after-3" in late
    assert "Thu · Lạng Sơn · Tổng hợp hằng ngày · 18/06/2024 · digest" in late
    assert f"remind:{an}" not in late


async def test_calendar_and_run_commands(world: World, cli_env: None) -> None:
    output = await asyncio.to_thread(invoke, "calendar")
    assert "commune_report: quarter, deadline day 15 of month 'last'" in output
    assert "producer_monthly: month" in output
    result = await asyncio.to_thread(invoke, "run")
    assert "written" in result or "nothing written" in result


def test_a_wrong_date_is_one_sentence(cli_env: None) -> None:
    result = CliRunner().invoke(reminders_cli, ["preview", "--date", "10-june"])
    assert result.exit_code != 0
    assert "is not a date like 2024-06-10" in result.output
