"""A province's own deadline (/lich) counts the same everywhere: the dashboard's
completeness, the chat's /tiendo and the exports judge each commune's report by the
deadline of its province, not by the national one. On SQLite and PostgreSQL."""

from __future__ import annotations

import io
import re
from typing import Any

import openpyxl

from scheduler.calendar import install_calendar, load_calendar
from storage.exports import export, on_time_by_deadline
from storage.scope import Reach, Scope
from tests.web.conftest import Web, page
from tests.web.seed import province_named, seed_states

QUERY = "form=commune_report&period=2024-Q2"
REPORT_SHEET, COMPLETENESS_SHEET = "Báo cáo OCOP định kỳ của xã", "Tình hình báo cáo"


def legend(text: str) -> dict[str, int]:
    """The province page's counts by state ("on_time": 7), from its legend."""
    return {
        key: int(count.replace(".", ""))
        for key, count in re.findall(r'class="key (\w+)"></span>[^:<]+: ([\d.]+)', text)
    }


def chat_counts(said: str) -> tuple[int, int]:
    found = re.search(r"Đúng hạn: (\d+) · Trễ hạn: (\d+)", said)
    assert found, said
    return int(found.group(1)), int(found.group(2))


def column(sheet: Any, header: str) -> list[Any]:
    rows = list(sheet.iter_rows(values_only=True))
    index = list(rows[0]).index(header)
    return [row[index] for row in rows[1:]]


async def test_a_province_deadline_counts_the_same_on_the_dashboard_in_the_chat_and_exports(
    web: Web,
) -> None:
    lang_son = await province_named(web.app, "Lạng Sơn")
    # Lạng Sơn gives its communes until 25/06 (the country: 15/06).
    said = await web.chat.say("admin_ls", "/lich commune_report han 25")
    assert "25" in said, said
    # 4 reports before 15/06 and 3 on 20/06: after the national deadline, before Lạng Sơn's.
    seeded = await seed_states(web.app, lang_son)

    client = await web.signed_in("admin_ls")
    status, text = await page(client, f"/admin/completeness/{lang_son.code}?{QUERY}")
    assert status == 200
    shown = legend(text)
    dashboard = (shown.get("on_time", 0), shown.get("late", 0))

    chat = chat_counts(await web.chat.say("admin_ls", "/tiendo commune_report 2024-Q2"))

    # Exports read the process's calendar, which the scheduler refreshes from the database.
    async with web.app.session_factory() as session:
        install_calendar(await load_calendar(session))
    try:
        buffer = io.BytesIO()
        await export(
            web.app.session_factory,
            buffer,
            scope=Scope(Reach.PROVINCE, province_code=lang_son.code),
            report="commune_report",
            period="2024-Q2",
            on_time=on_time_by_deadline(web.app.config.deadline_of),
        )
    finally:
        install_calendar(None)
    buffer.seek(0)
    book = openpyxl.load_workbook(buffer)
    flags = column(book[REPORT_SHEET], "Đúng hạn")
    states = column(book[COMPLETENESS_SHEET], "Tình trạng")
    exported = (flags.count("Đúng hạn"), flags.count("Trễ hạn"))
    listed = (states.count("Đúng hạn"), states.count("Trễ hạn"))

    verdicts = {"dashboard": dashboard, "chat": chat, "export": exported, "list": listed}
    assert verdicts == dict.fromkeys(verdicts, (seeded["received"], 0))
