"""XLSForm (ODK, KoboToolbox, SurveyCTO): a form designed in a spreadsheet runs as a chat.

``sheets`` reads a workbook with pyxform's reader, ``convert`` turns its rows into an
:class:`~forms.xlsform.model.XForm` or the list of every problem (sheet, row, column,
reason), ``expressions``/``evaluate`` are the safe evaluator of its expressions. See
docs/xlsform.md.
"""

from __future__ import annotations

from pathlib import Path

from forms.xlsform.convert import convert
from forms.xlsform.model import Problem, XForm
from forms.xlsform.sheets import Workbook, WorkbookError, read_workbook


def _pyxform_check(book: Workbook) -> list[Problem]:
    """What pyxform itself refuses in rows this module accepted (a second opinion)."""
    from pyxform.errors import PyXFormError
    from pyxform.xls2json import workbook_to_json
    from pyxform.xls2json_backends import DefinitionData

    data: dict[str, object] = {}
    for name, sheet in book.sheets.items():
        data[name] = sheet.rows
        data[f"{name}_header"] = [dict.fromkeys(sheet.header)] if sheet.header else []
    data["sheet_names"] = [name for name, sheet in book.sheets.items() if sheet.rows]
    try:
        workbook_to_json(DefinitionData(**data), form_name="data", warnings=[])  # type: ignore[arg-type]
    except PyXFormError as exc:
        return [Problem("survey", 0, "", f"pyxform refuses the form: {exc}")]
    except Exception as exc:
        return [Problem("survey", 0, "", f"pyxform cannot read the form: {exc}")]
    return []


def check_workbook(
    source: Path | str | bytes, form_id: str | None = None
) -> tuple[XForm | None, list[Problem], Workbook | None]:
    """The form in ``source``, or None with every problem; never changes anything."""
    try:
        book = read_workbook(source)
    except WorkbookError as exc:
        return None, [Problem("", 0, "", str(exc))], None
    form, problems = convert(book, form_id)
    if form is not None:
        problems = _pyxform_check(book) or _bot_check(form)
        if problems:
            form = None
    return form, problems, book


def _bot_check(form: XForm) -> list[Problem]:
    """What the bot's own form model refuses in a form that converted (a last guard)."""
    from pydantic import ValidationError

    from forms.xlsform.to_form import to_form

    try:
        to_form(form)
    except ValidationError as exc:
        error = exc.errors()[0]
        where = ".".join(str(part) for part in error["loc"])
        return [Problem("survey", 0, "", f"the bot cannot hold the form ({where}): {error['msg']}")]
    return []


__all__ = ["Problem", "WorkbookError", "XForm", "check_workbook", "read_workbook"]
