"""A national admin puts a form imported from an XLSForm workbook on the reporting calendar
from the dashboard's calendar page: the same change as the chat's ``/lich ... gan``, with
its checks (a province admin may not), and the form then has its deadline on the page."""

from __future__ import annotations

import io
from collections.abc import AsyncIterator
from datetime import UTC, datetime

import openpyxl
import pytest
from aiohttp import ClientResponse
from aiohttp.test_utils import TestClient

from bot.export_job import calendar_for_export
from forms import registry
from forms.periods import PeriodKind, current_period, previous_period
from forms.xlsform import check_workbook
from forms.xlsform.export import source_of
from forms.xlsform.to_form import ChatSettings
from storage.exports import export
from storage.exports.columns import COMPLETENESS_SHEET
from storage.installed_forms import InstalledForms
from storage.models import Submission, SubmissionRevision
from storage.scope import Reach, Scope
from tests.forms.xlsform.registries import clean_registries
from tests.forms.xlsform.workbooks import commune_report
from tests.web.conftest import Web, csrf_of, page

__all__ = ["clean_registries"]  # a fixture


@pytest.fixture
async def imported(web: Web, clean_registries: None) -> AsyncIterator[Web]:
    """The province's commune report imported with no period (ocop-bot forms import)."""
    async with web.app.session_factory() as session, session.begin():
        form, problems, book = check_workbook(commune_report(), None)
        assert form is not None and book is not None, problems
        await InstalledForms(session).install(
            form, source_of(book.sheets), now=datetime.now(UTC), chat=ChatSettings(command="bct")
        )
    assert await web.app.forms_watch.refresh()
    yield web


async def attach(client: TestClient, page_text: str) -> tuple[ClientResponse, str]:
    """The calendar page's form: quarterly, day 20, filed by commune officers."""
    done = await client.post(
        "/admin/calendar/change",
        data={
            "csrf": csrf_of(page_text),
            "form": "bao_cao_xa_tinh",
            "change": "attach",
            "period": "quy",
            "day": "20",
            "audience": "xa",
        },
    )
    return done, await done.text()


async def test_a_national_admin_attaches_an_imported_form(imported: Web) -> None:
    client = await imported.signed_in("national")
    _, text = await page(client, "/admin/calendar")
    assert "Biểu mẫu đã nhập nhưng chưa có lịch nộp" in text
    done, shown = await attach(client, text)
    assert done.status == 200 and "Đã lưu" in shown and "/bct" in shown, shown
    assert "Biểu mẫu đã nhập nhưng chưa có lịch nộp" not in shown
    assert "Báo cáo OCOP của xã (tỉnh)" in shown  # now a report of the calendar
    assert registry.FORMS["bao_cao_xa_tinh"].period is PeriodKind.QUARTER


async def test_a_province_admin_may_not(imported: Web) -> None:
    client = await imported.signed_in("admin_ls")
    _, text = await page(client, "/admin/calendar")
    assert "Biểu mẫu đã nhập nhưng chưa có lịch nộp" not in text
    _, shown = await attach(client, text)
    assert "Chỉ quản trị viên cấp quốc gia mới đưa biểu mẫu vào lịch báo cáo" in shown
    assert registry.FORMS["bao_cao_xa_tinh"].period is PeriodKind.NONE


async def test_a_report_page_lists_answers_not_the_forms_notes(imported: Web) -> None:
    """The workbook's opening note ("Báo cáo OCOP của xã") is read, not answered: neither the
    answers nor the revisions side by side list it, as the chat's review does not."""
    async with imported.app.session_factory() as session, session.begin():
        officer = imported.users["officer"]
        answers = {"intro": "OK", "registered": "12", "evaluated": "3"}
        submission = Submission(
            form_id="bao_cao_xa_tinh",
            period="",
            scope_key=f"commune:{officer.commune_code}",
            province_code=officer.province_code,
            commune_code=officer.commune_code,
            user_id=officer.id,
            revision=2,
            receipt="BCXT-000001",
            answers=answers,
        )
        session.add(submission)
        await session.flush()
        for revision, registered in ((1, "10"), (2, "12")):
            session.add(
                SubmissionRevision(
                    submission_id=submission.id,
                    revision=revision,
                    answers={**answers, "registered": registered},
                    user_id=officer.id,
                )
            )
        report = submission.id
    client = await imported.signed_in("national")
    status, text = await page(client, f"/admin/reports/{report}")
    assert status == 200, text
    assert "Số sản phẩm đăng ký" in text  # an answer, and its change 10 → 12
    assert "<span>Báo cáo OCOP của xã</span>" not in text
    assert '<th scope="row">Báo cáo OCOP của xã</th>' not in text


async def test_a_period_before_the_attach_is_nobody_s_to_file(imported: Web) -> None:
    """Browsing back to the quarter that ended before the form was put on the calendar: the
    pages say nobody was asked for it, instead of counting every commune missing."""
    client = await imported.signed_in("national")
    _, text = await page(client, "/admin/calendar")
    await attach(client, text)
    today = datetime.now(imported.app.config.zone).date()
    current = current_period(PeriodKind.QUARTER, today)
    before = previous_period(current)
    province = imported.users["admin_ls"].province_code
    for path in (
        f"/admin/completeness?form=bao_cao_xa_tinh&period={before.key}",
        f"/admin/completeness/{province}?form=bao_cao_xa_tinh&period={before.key}",
    ):
        status, shown = await page(client, path)
        assert status == 200, shown
        assert "Kỳ này không ai phải nộp" in shown and today.strftime("%d/%m/%Y") in shown
        assert "chưa gửi" not in shown and "Xã Cao Lộc" not in shown
        assert f"period={current.key}" in shown  # the way on to the period that counts
    status, shown = await page(
        client, f"/admin/completeness/{province}?form=bao_cao_xa_tinh&period={current.key}"
    )
    assert status == 200 and "Kỳ này không ai phải nộp" not in shown


async def test_the_export_lists_no_commune_missing_a_period_nobody_was_asked_for(
    imported: Web,
) -> None:
    """The completeness sheet leaves out the quarter before the attach (every commune would
    be "Chưa gửi" for it) and lists the current one."""
    client = await imported.signed_in("national")
    _, text = await page(client, "/admin/calendar")
    await attach(client, text)
    today = datetime.now(imported.app.config.zone).date()
    current = current_period(PeriodKind.QUARTER, today)
    province = imported.users["admin_ls"].province_code

    async def completeness_rows(period: str) -> int:
        judged = await calendar_for_export(imported.app.session_factory, imported.app.config.zone)
        out = io.BytesIO()
        await export(
            imported.app.session_factory,
            out,
            scope=Scope(Reach.NATIONAL),
            report="bao_cao_xa_tinh",
            period=period,
            province_code=province,
            zone=imported.app.config.zone,
            on_time=judged.on_time,
            was_asked=judged.asked,
        )
        book = openpyxl.load_workbook(io.BytesIO(out.getvalue()))
        return book[COMPLETENESS_SHEET].max_row - 1  # without the header

    assert await completeness_rows(previous_period(current).key) == 0
    assert await completeness_rows(current.key) > 0
