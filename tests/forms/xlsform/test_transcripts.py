"""Imported XLSForms answered in the chat, replayed as transcripts
(``tests/handlers/transcripts/xlsform/*.txt``) through the real handlers, on each database.

Each transcript's forms are imported into the database before the bot starts, as
``ocop-bot forms import`` does; the registries the bot fills are restored afterwards, so no
other test sees these forms.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from forms.periods import PeriodKind
from forms.xlsform import check_workbook
from forms.xlsform.export import source_of
from forms.xlsform.to_form import ChatSettings
from storage.db import create_engine, create_session_factory
from storage.installed_forms import InstalledForms
from storage.models import Submission
from tests.conftest import make_settings
from tests.forms.xlsform.registries import clean_registries
from tests.forms.xlsform.workbooks import SHARED, commune_report, monthly_training, training_report
from tests.transcript import replay

FOLDER = Path(__file__).resolve().parents[2] / "handlers" / "transcripts" / "xlsform"
ADMINS = ["console:admin"]
__all__ = ["clean_registries"]  # a fixture

QUARTERLY = ChatSettings(audience="officer", period=PeriodKind.QUARTER, command="baocaotinh")
# transcript -> the workbooks it needs: (bytes or shared file name, --id, chat settings)
FORMS: dict[str, list[tuple[Callable[[], bytes], str | None, ChatSettings]]] = {
    "commune_report_vi": [(commune_report, None, QUARTERLY)],
    "commune_report_en": [(commune_report, None, QUARTERLY)],
    # The same report on a messenger without buttons: its note as "1. Tiếp tục".
    "note_text_only": [(commune_report, None, QUARTERLY)],
    # /help and the welcome list the imported forms of the user's role.
    "commands_in_help": [
        (commune_report, None, QUARTERLY),
        (training_report, None, ChatSettings(audience="producer", command="taphuan")),
    ],
    # Imported with no period; the admin attaches it in the chat (/lich ... gan).
    "attach_calendar": [(commune_report, None, ChatSettings(command="baocaotinh"))],
    # "required" written as "${courses} > 0": /boqua allowed at 0 courses, refused at 2.
    "required_if": [(training_report, None, ChatSettings(command="taphuan"))],
    # A title written as a heading and a repeat with a capitalised label, filed monthly.
    "monthly_training": [
        (
            monthly_training,
            None,
            ChatSettings(period=PeriodKind.MONTH, command="taphuanthang"),
        )
    ],
    "ona_cascading": [
        (
            lambda: (SHARED / "ona_cascading.xlsx").read_bytes(),
            None,
            ChatSettings(command="thanhpho"),
        ),
    ],
}


async def install(url: str, name: str) -> None:
    engine = create_engine(url)
    try:
        async with create_session_factory(engine)() as session, session.begin():
            for workbook, form_id, chat in FORMS[name]:
                form, problems, book = check_workbook(workbook(), form_id)
                assert form is not None and book is not None, problems
                await InstalledForms(session).install(
                    form, source_of(book.sheets), now=datetime.now(UTC), chat=chat
                )
    finally:
        await engine.dispose()


@pytest.mark.parametrize("path", sorted(FOLDER.glob("*.txt")), ids=lambda p: p.stem)
async def test_transcript(path: Path, database_url: str, clean_registries: None) -> None:
    if path.stem == "ona_cascading" and not SHARED.is_dir():
        pytest.skip("../shared/xlsforms is not here")
    await install(database_url, path.stem)
    await replay(path, make_settings(database_url, admins=ADMINS))
    if path.stem == "commune_report_vi":
        answers = await filed(database_url)
        assert answers["not_evaluated"] == "9"  # the calculate, filed with the answers
        assert answers["product_name__2"] == "Mật ong bạc hà"
        assert answers["support_other"] == "Đào tạo livestream bán hàng"
    if path.stem == "required_if":
        answers = await filed(database_url)
        assert answers == {"courses": "2", "topics": "Chế biến chè, làm bao bì", "notes": None}


async def filed(url: str) -> dict[str, Any]:
    engine = create_engine(url)
    try:
        async with create_session_factory(engine)() as session:
            (submission,) = (await session.scalars(select(Submission))).all()
            return dict(submission.answers)
    finally:
        await engine.dispose()
