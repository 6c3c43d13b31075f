"""A deadline changed in the chat (/lich) counts the same everywhere, at once: the
dashboard's completeness, the chat's /tiendo, the chat's /xuat and the dashboard's export
judge each commune's report by the deadline of its province (its own, else the national
one) as the database has it now, not by a copy of the calendar the process refreshes every
half minute. On SQLite and PostgreSQL."""

from __future__ import annotations

import io
import re
from typing import Any

import openpyxl
import pytest

from scheduler.calendar import current_calendar
from tests.web.conftest import Web, csrf_of, page
from tests.web.seed import province_named, seed_states

QUERY = "form=commune_report&period=2024-Q2"
REPORT_SHEET, COMPLETENESS_SHEET = "Báo cáo OCOP định kỳ của xã", "Tình hình báo cáo"


def figures(text: str) -> dict[str, int]:
    """The province page's figures ("received-on-time": 7): the reports received and those
    received by the deadline, whatever their review (the on-time rate's, as /tiendo counts)."""
    return {
        key: int(count.replace(".", ""))
        for key, count in re.findall(r'id="([\w-]+)"><span>[^<]+</span><strong>([\d.]+)<', text)
    }


def chat_counts(said: str) -> tuple[int, int]:
    found = re.search(r"Đúng hạn: (\d+) · Trễ hạn: (\d+)", said)
    assert found, said
    return int(found.group(1)), int(found.group(2))


def column(sheet: Any, header: str) -> list[Any]:
    rows = list(sheet.iter_rows(values_only=True))
    index = list(rows[0]).index(header)
    return [row[index] for row in rows[1:]]


def verdicts(workbook: bytes) -> tuple[tuple[int, int], tuple[int, int]]:
    """(on time, late) in the report's sheet and in the completeness sheet."""
    book = openpyxl.load_workbook(io.BytesIO(workbook))
    flags = column(book[REPORT_SHEET], "Đúng hạn")
    completeness = column(book[COMPLETENESS_SHEET], "Đúng hạn")
    return (
        (flags.count("Đúng hạn"), flags.count("Trễ hạn")),
        (completeness.count("Đúng hạn"), completeness.count("Trễ hạn")),
    )


async def chat_export(web: Web, who: str) -> bytes:
    """The workbook ``who`` gets from /xuat for commune_report 2024-Q2, their province."""
    await web.chat.say(who, "/xuat")
    await web.chat.say(who, "1")
    await web.chat.say(who, "2024-Q2")
    documents = [m.document for m in await web.chat.messages(who, "1") if m.document]
    assert len(documents) == 1
    return documents[0].content


async def dashboard_export(web: Web, who: str) -> bytes:
    client = await web.signed_in(who)
    _, text = await page(client, "/admin/exports")
    response = await client.post(
        "/admin/exports/download",
        data={
            "csrf": csrf_of(text),
            "report": "commune_report",
            "period": "2024-Q2",
            "format": "xlsx",
        },
    )
    assert response.status == 200, await response.text()
    return await response.read()


@pytest.mark.parametrize(
    "changer", ["admin_ls", "national"], ids=["province_deadline", "national_deadline"]
)
async def test_a_deadline_changed_in_the_chat_counts_at_once_the_same_everywhere(
    web: Web, changer: str
) -> None:
    lang_son = await province_named(web.app, "Lạng Sơn")
    # The process's copy of the calendar (the file's 15/06 here, as right after start-up or
    # up to half a minute after a change): what must not decide.
    national = current_calendar().deadline("commune_report", "2024-Q2", lang_son.code)
    assert national is not None and national.day == 15
    # Lạng Sơn gives its communes until 25/06, or the country moves its deadline to 25/06.
    said = await web.chat.say(changer, "/lich commune_report han 25")
    assert "25" in said, said
    # 4 reports before 15/06 and 3 on 20/06: after the file's deadline, before the new one.
    seeded = await seed_states(web.app, lang_son)

    client = await web.signed_in("admin_ls")
    status, text = await page(client, f"/admin/completeness/{lang_son.code}?{QUERY}")
    assert status == 200
    shown = figures(text)
    dashboard = (shown["received-on-time"], shown["received"] - shown["received-on-time"])
    chat = chat_counts(await web.chat.say("admin_ls", "/tiendo commune_report 2024-Q2"))
    in_chat, listed_in_chat = verdicts(await chat_export(web, "admin_ls"))
    on_web, listed_on_web = verdicts(await dashboard_export(web, "admin_ls"))

    found = {
        "dashboard": dashboard,
        "chat": chat,
        "chat export": in_chat,
        "chat export list": listed_in_chat,
        "dashboard export": on_web,
        "dashboard export list": listed_on_web,
    }
    assert found == dict.fromkeys(found, (seeded["received"], 0))
